r"""Molecular dynamics of the paper's 4-atom argon cluster (Ma & Chan §4.3) with
ASE's velocity Verlet, and the trajectory comparisons of Figs. 4-7.

Samples start at ``(3, 0, 0.1), (-3, -0.1, 0), (0.1, 2.5, 0), (0, -2.5, -0.1)`` Å
with Maxwell-Boltzmann momenta at 10 K (``ase.md.velocitydistribution.
thermalize_momenta``, seeded per sample; centre-of-mass motion is kept, as the
paper does not say it was removed), mass 39.948 u, time step 1 fs.

Position RMSD (Eq. 48) and energy RMSD (Eq. 49) between a reference and a
predicted set of trajectories, per step::

    RMSD_r(t) = sqrt( 1/(N_s N_at) Σ_{s,i} |r_i^a(t) - r_i^p(t)|^2 )
    RMSD_E(t) = sqrt( 1/N_s Σ_s (E^a(t) - E^p(t))^2 )

where ``E = Σ p^2/2m + U_LJ(r)`` (the analytic potential on either trajectory).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
from ase import Atoms, units

from ._calculator import ArgonNNCalculator
from ._lj import ARGON_EPSILON, ARGON_MASS, ARGON_SIGMA, AnalyticLJ, lj_energy_forces

__all__ = [
    "PAPER_POSITIONS", "PAPER_SEEDS", "argon_atoms", "run_md", "verlet_batched", "Trajectories",
    "run_samples",
    "total_energies", "position_rmsd", "energy_rmsd", "md_summary",
]

#: the paper's initial positions (Å)
PAPER_POSITIONS = ((3.0, 0.0, 0.1), (-3.0, -0.1, 0.0), (0.1, 2.5, 0.0), (0.0, -2.5, -0.1))
#: seeds of the paper's 10 samples (ours: the paper gives none)
PAPER_SEEDS = tuple(range(1, 11))


def argon_atoms(seed: int | None = 1, temperature_K: float = 10.0,
                positions: Sequence = PAPER_POSITIONS) -> Atoms:
    """Four argon atoms at ``positions`` with Maxwell-Boltzmann momenta at
    ``temperature_K`` drawn from ``np.random.default_rng(seed)`` (none if ``seed is None``)."""
    from ase.md.velocitydistribution import thermalize_momenta  # ase.md imports scipy: lazily

    if temperature_K < 0:
        raise ValueError(f"temperature_K must be >= 0, got {temperature_K!r}")
    pos = np.asarray(positions, dtype=np.float64)
    atoms = Atoms("Ar" * len(pos), positions=pos, masses=[ARGON_MASS] * len(pos))
    if seed is not None and temperature_K > 0:
        thermalize_momenta(atoms, temperature_K=temperature_K, rng=np.random.default_rng(seed))
    return atoms


def run_md(atoms: Atoms, calculator, n_steps: int, timestep_fs: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Velocity Verlet (ASE) for ``n_steps``; returns positions and momenta
    ``(n_steps + 1, N, 3)`` (Å and ASE momentum units), step 0 included."""
    from ase.md.verlet import VelocityVerlet

    if int(n_steps) != n_steps or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer, got {n_steps!r}")
    if timestep_fs <= 0:
        raise ValueError(f"timestep_fs must be > 0, got {timestep_fs!r}")
    atoms = atoms.copy()
    atoms.calc = calculator
    pos = np.empty((n_steps + 1, len(atoms), 3))
    mom = np.empty_like(pos)
    k = [0]

    def record():
        pos[k[0]] = atoms.get_positions()
        mom[k[0]] = atoms.get_momenta()
        k[0] += 1

    dyn = VelocityVerlet(atoms, timestep=timestep_fs * units.fs)
    dyn.attach(record, interval=1)
    dyn.run(n_steps)  # ASE calls the observer at step 0 and after every step
    if k[0] != n_steps + 1:
        raise RuntimeError(f"recorded {k[0]} frames, expected {n_steps + 1}")
    return pos, mom


@dataclass
class Trajectories:
    """Positions and momenta ``(S, T + 1, N, 3)`` of ``S`` samples, masses ``(N,)``."""

    positions: np.ndarray
    momenta: np.ndarray
    masses: np.ndarray

    def energies(self) -> np.ndarray:
        """Total energies ``(S, T + 1)`` (eV) with the analytic LJ potential."""
        return total_energies(self.positions, self.momenta, self.masses)


def verlet_batched(forces_fn: Callable[[np.ndarray], np.ndarray], positions: np.ndarray,
                   momenta: np.ndarray, masses: np.ndarray, n_steps: int,
                   timestep_fs: float = 1.0, progress: bool | str = False) -> tuple[np.ndarray, np.ndarray]:
    r"""Velocity Verlet for ``S`` independent systems at once, with ASE's update
    order (``p += F Δt/2; r += p Δt/m; F = F(r); p += F Δt/2``).

    ``forces_fn`` maps positions ``(S, N, 3)`` to forces ``(S, N, 3)`` (eV/Å);
    ``positions``/``momenta`` ``(S, N, 3)`` in ASE units, ``masses`` ``(N,)`` u.
    Returns positions and momenta ``(S, n_steps + 1, N, 3)``. Matches
    ``ase.md.verlet.VelocityVerlet`` to rounding (see the tests) while
    evaluating one batched force call per step instead of ``S`` ASE calls.
    ``progress`` (or a description string) shows a tqdm bar over the steps.
    """
    if int(n_steps) != n_steps or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer, got {n_steps!r}")
    if timestep_fs <= 0:
        raise ValueError(f"timestep_fs must be > 0, got {timestep_fs!r}")
    dt = timestep_fs * units.fs
    m = np.asarray(masses, dtype=np.float64)[None, :, None]
    r = np.array(positions, dtype=np.float64)
    p = np.array(momenta, dtype=np.float64)
    P = np.empty((r.shape[0], n_steps + 1) + r.shape[1:])
    M = np.empty_like(P)
    P[:, 0], M[:, 0] = r, p
    f = forces_fn(r)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_steps, desc=progress if isinstance(progress, str) else "md", unit="step",
                   dynamic_ncols=True, mininterval=0.5)
    try:
        for t in range(1, n_steps + 1):
            p = p + 0.5 * dt * f
            r = r + dt * p / m
            f = forces_fn(r)
            p = p + 0.5 * dt * f
            P[:, t], M[:, t] = r, p
            if bar is not None and (t % 100 == 0 or t == n_steps):
                bar.update(t - bar.n)
    finally:
        if bar is not None:
            bar.close()
    return P, M


def _lj_forces(r: np.ndarray) -> np.ndarray:
    return lj_energy_forces(torch.from_numpy(r))[1].numpy()


def _model_forces(model) -> Callable[[np.ndarray], np.ndarray]:
    def forces(r: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            f = model.forces(torch.from_numpy(r).to(model.x_scale.device))
        return f.double().cpu().numpy()

    return forces


def run_samples(model=None, n_steps: int = 5000, seeds: Sequence[int] = PAPER_SEEDS,
                temperature_K: float = 10.0, timestep_fs: float = 1.0,
                integrator: str = "batched", progress: bool = False) -> Trajectories:
    """The paper's MD samples, one per seed, driven by analytic LJ
    (``model=None``) or by a trained :class:`ArgonForceModel`.

    ``integrator="ase"`` runs ``ase.md.verlet.VelocityVerlet`` per sample with
    :class:`AnalyticLJ` / :class:`ArgonNNCalculator`; ``"batched"`` (default,
    ~10x faster) runs :func:`verlet_batched` on all samples at once -- the same
    algorithm and numbers. ``progress`` shows a tqdm bar (steps, or samples
    for ``"ase"``).
    """
    if integrator not in ("ase", "batched"):
        raise ValueError(f"integrator must be 'ase' or 'batched', got {integrator!r}")
    atoms = [argon_atoms(s, temperature_K) for s in seeds]
    if not atoms:
        raise ValueError("no seeds given")
    masses = atoms[0].get_masses()
    if integrator == "batched":
        fn = _lj_forces if model is None else _model_forces(model)
        desc = ("md (analytic LJ)" if model is None else "md (network)") if progress else False
        P, M = verlet_batched(fn, np.stack([a.positions for a in atoms]),
                              np.stack([a.get_momenta() for a in atoms]), masses, n_steps, timestep_fs,
                              progress=desc)
        return Trajectories(P, M, np.asarray(masses))
    it = atoms
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(atoms, desc="md samples")
    out = [run_md(a, AnalyticLJ() if model is None else ArgonNNCalculator(model), n_steps, timestep_fs)
           for a in it]
    return Trajectories(np.stack([o[0] for o in out]), np.stack([o[1] for o in out]), np.asarray(masses))


def total_energies(positions: np.ndarray, momenta: np.ndarray, masses: np.ndarray,
                   epsilon: float = ARGON_EPSILON, sigma: float = ARGON_SIGMA) -> np.ndarray:
    r"""``Σ_i |p_i|^2 / 2 m_i + U_LJ`` for ``(..., N, 3)`` arrays -> ``(...)`` eV."""
    ke = 0.5 * (np.square(momenta).sum(-1) / np.asarray(masses)).sum(-1)
    pe, _ = lj_energy_forces(torch.from_numpy(np.ascontiguousarray(positions, dtype=np.float64)),
                             epsilon, sigma)
    return ke + pe.numpy()


def position_rmsd(ref: np.ndarray, pred: np.ndarray, per_sample: bool = False) -> np.ndarray:
    """Eq. 48 per step: ``(S, T, N, 3)`` twice -> ``(T,)`` Å; with ``per_sample`` the
    RMSD over the atoms of each sample, ``(S, T)`` Å."""
    if ref.shape != pred.shape:
        raise ValueError(f"shapes differ: {ref.shape} vs {pred.shape}")
    return np.sqrt(np.square(ref - pred).sum(-1).mean(axis=-1 if per_sample else (0, 2)))


def energy_rmsd(ref: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Eq. 49 per step: ``(S, T)`` twice -> ``(T,)`` eV."""
    if ref.shape != pred.shape:
        raise ValueError(f"shapes differ: {ref.shape} vs {pred.shape}")
    return np.sqrt(np.square(ref - pred).mean(axis=0))


def md_summary(ref: Trajectories, pred: Trajectories, steps: Sequence[int] = (100, 1000, 4000, 5000)) -> dict:
    r"""Numbers comparing predicted with reference trajectories (same seeds).

    For each ``k`` in ``steps`` within the trajectories, and the last step:
    ``position_rmsd_<k>`` (Eq. 48, Å), ``energy_rmsd_<k>`` (Eq. 49, eV) and
    ``position_rmsd_per_sample_<k>`` (the RMSD over the atoms of each sample,
    Å, a list). Also the total-energy drift ``max_t |E(t) - E(0)|`` (eV) of
    each predicted sample (``energy_drift_per_sample``) and of the reference
    (``reference_energy_drift``, the integrator's own error), with ``E`` the
    kinetic energy plus the analytic LJ potential.
    """
    if ref.positions.shape != pred.positions.shape:
        raise ValueError(f"trajectory shapes differ: {ref.positions.shape} vs {pred.positions.shape}")
    n = ref.positions.shape[1] - 1
    pr = position_rmsd(ref.positions, pred.positions)
    e_ref, e_pred = ref.energies(), pred.energies()
    er = energy_rmsd(e_ref, e_pred)
    per_sample = position_rmsd(ref.positions, pred.positions, per_sample=True)  # (S, T)
    out = {"md_steps": int(n), "samples": int(ref.positions.shape[0])}
    for k in sorted({*steps, n}):
        if 0 <= k <= n:
            out[f"position_rmsd_{k}"] = float(pr[k])
            out[f"energy_rmsd_{k}"] = float(er[k])
            out[f"position_rmsd_per_sample_{k}"] = [float(v) for v in per_sample[:, k]]
    out["energy_drift_per_sample"] = [float(v) for v in np.abs(e_pred - e_pred[:, :1]).max(axis=1)]
    out["reference_energy_drift"] = float(np.abs(e_ref - e_ref[:, :1]).max())
    return out
