r"""Lennard-Jones argon (Rahman 1964; Ma & Chan Eq. 38-40), batched in torch,
and the matching ASE calculator.

    U = Σ_{i<j} 4ε [(σ/r_ij)^12 - (σ/r_ij)^6],     F_i = -∂U/∂r_i

with ``ε/k_B = 120 K`` (``ε = 120 K · ase.units.kB ≈ 0.010341 eV``) and
``σ = 3.4 Å``. No cut-off unless one is asked for (then the pair energy is
shifted to 0 at the cut-off, as ASE does). Units: Å, eV, eV/Å.

Beware ASE's ``LennardJones`` default cut-off ``rc = 3σ`` (10.2 Å): half of the
random 4-atom configurations have a pair beyond it. :func:`ase_lennard_jones`
uses ``rc = 1000 Å`` so that it agrees with the untruncated potential.
"""

from __future__ import annotations

import numpy as np
import torch
from ase import units
from ase.calculators.calculator import all_changes

from ._ase_base import SmallSystemCalculator

__all__ = [
    "ARGON_EPSILON", "ARGON_SIGMA", "ARGON_MASS", "lj_energy_forces", "ase_lennard_jones",
    "AnalyticLJ",
]

#: ε = 120 K × k_B in eV
ARGON_EPSILON: float = 120.0 * units.kB
#: σ in Å
ARGON_SIGMA: float = 3.4
#: argon mass in u (amu)
ARGON_MASS: float = 39.948


def lj_energy_forces(
    positions: torch.Tensor,
    epsilon: float = ARGON_EPSILON,
    sigma: float = ARGON_SIGMA,
    cutoff: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Energies ``(...,)`` (eV) and forces ``(..., N, 3)`` (eV/Å) of ``positions`` ``(..., N, 3)`` (Å).

    Closed form over all pairs; ``cutoff`` (Å) truncates and shifts the pair
    energy to 0 there. Accepts numpy arrays too (returned as tensors).
    """
    pos = torch.as_tensor(positions)
    if pos.dim() < 2 or pos.shape[-1] != 3 or pos.shape[-2] < 2:
        raise ValueError(f"positions must have shape (..., N >= 2, 3), got {tuple(pos.shape)}")
    if epsilon <= 0 or sigma <= 0:
        raise ValueError(f"epsilon and sigma must be > 0, got {epsilon!r}, {sigma!r}")
    if cutoff is not None and cutoff <= 0:
        raise ValueError(f"cutoff must be > 0, got {cutoff!r}")
    n = pos.shape[-2]
    d = pos.unsqueeze(-2) - pos.unsqueeze(-3)                 # (..., i, j, 3) = r_i - r_j
    eye = torch.eye(n, dtype=torch.bool, device=pos.device)
    r2 = (d * d).sum(-1).masked_fill(eye, 1.0)
    s6 = (sigma * sigma / r2) ** 3
    pair = 4.0 * epsilon * (s6 * s6 - s6)
    # -dU/dr / r for each pair: 24 ε (2 s12 - s6) / r^2
    fr = 24.0 * epsilon * (2.0 * s6 * s6 - s6) / r2
    mask = ~eye
    if cutoff is not None:
        inside = r2 < cutoff * cutoff
        sc6 = (sigma / cutoff) ** 6
        pair = pair - 4.0 * epsilon * (sc6 * sc6 - sc6)
        mask = mask & inside
    pair = pair * mask
    fr = fr * mask
    energy = 0.5 * pair.sum((-1, -2))
    forces = (fr.unsqueeze(-1) * d).sum(-2)
    return energy, forces


def ase_lennard_jones(epsilon: float = ARGON_EPSILON, sigma: float = ARGON_SIGMA, rc: float = 1000.0):
    """ASE's ``LennardJones`` with a large cut-off (shift ``~4ε(σ/rc)^6`` is ~1e-17 eV)."""
    from ase.calculators.lj import LennardJones

    return LennardJones(epsilon=epsilon, sigma=sigma, rc=rc, smooth=False)


class AnalyticLJ(SmallSystemCalculator):
    """An ASE ``Calculator`` for untruncated LJ, closed form over all pairs
    (no neighbour list; fast for a few atoms, float64). Properties: ``energy``
    (eV), ``forces`` (eV/Å)."""

    implemented_properties = ["energy", "free_energy", "forces"]

    def __init__(self, epsilon: float = ARGON_EPSILON, sigma: float = ARGON_SIGMA,
                 cutoff: float | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.epsilon, self.sigma, self.cutoff = float(epsilon), float(sigma), cutoff

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        e, f = _lj_numpy(np.asarray(self.atoms.positions, dtype=np.float64),
                         self.epsilon, self.sigma, self.cutoff)
        self.results = {"energy": e, "free_energy": e, "forces": f}


def _lj_numpy(pos: np.ndarray, epsilon: float, sigma: float, cutoff: float | None):
    """:func:`lj_energy_forces` for one ``(N, 3)`` configuration in numpy (fast path)."""
    d = pos[:, None, :] - pos[None, :, :]
    r2 = np.einsum("ijk,ijk->ij", d, d)
    np.fill_diagonal(r2, 1.0)
    s6 = (sigma * sigma / r2) ** 3
    pair = 4.0 * epsilon * (s6 * s6 - s6)
    fr = 24.0 * epsilon * (2.0 * s6 * s6 - s6) / r2
    mask = ~np.eye(len(pos), dtype=bool)
    if cutoff is not None:
        sc6 = (sigma / cutoff) ** 6
        pair = pair - 4.0 * epsilon * (sc6 * sc6 - sc6)
        mask &= r2 < cutoff * cutoff
    pair, fr = pair * mask, fr * mask
    return 0.5 * float(pair.sum()), np.einsum("ij,ijk->ik", fr, d)
