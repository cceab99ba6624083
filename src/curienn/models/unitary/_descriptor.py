r"""Permutation-invariant vector descriptors (Ma & Chan, Eq. 34), an input layer.

For atoms at ``r_i`` and ``r_ij = r_j - r_i``, ``r_ij = ‖r_ij‖``,

    D_i^(α) = Σ_{j ≠ i} (r_ij / r_ij) · exp(-η_α (r_ij - r_s,α)^2) · f_c(r_ij)

with the C² smooth cut-off ``f_c(r) = 1 - 10 t^3 + 15 t^4 - 6 t^5``,
``t = r / r_c`` (and 0 for ``r >= r_c``); ``f_c``, ``f_c'`` and ``f_c''``
vanish at ``r_c``. ``D_i`` is unchanged by any permutation of the neighbours
``j``, permuting all atoms permutes the ``i`` axis the same way, and
``D_i({U r_j}) = U D_i({r_j})`` for real orthogonal ``U``.
"""

from __future__ import annotations

import torch
from torch import nn

from ._norm import normalize, safe_norm

__all__ = ["VectorDescriptor", "smooth_cutoff"]


def smooth_cutoff(r: torch.Tensor, cutoff: float) -> torch.Tensor:
    r"""``f_c(r)``: quintic smooth step from 1 at ``r = 0`` to 0 at ``r = cutoff``, C²."""
    if cutoff <= 0:
        raise ValueError(f"cutoff must be > 0, got {cutoff!r}")
    t = (r / cutoff).clamp(0.0, 1.0)
    return 1.0 - t**3 * (10.0 - 15.0 * t + 6.0 * t * t)


class VectorDescriptor(nn.Module):
    r"""Eq. 34 as a module: positions ``(..., N, n)`` -> descriptors ``(..., N, n, M0)``.

    Parameters
    ----------
    r_s, eta:
        centres (Å) and widths (1/Å²) of the ``M0`` Gaussians, equal lengths.
    cutoff:
        ``r_c`` (Å).
    """

    def __init__(self, r_s, eta, cutoff: float) -> None:
        super().__init__()
        r_s = torch.as_tensor(r_s, dtype=torch.get_default_dtype()).flatten()
        eta = torch.as_tensor(eta, dtype=torch.get_default_dtype()).flatten()
        if eta.numel() == 1 and r_s.numel() > 1:
            eta = eta.expand(r_s.numel()).clone()
        if r_s.shape != eta.shape or r_s.numel() == 0:
            raise ValueError(f"r_s and eta must be non-empty and of equal length, got "
                             f"{r_s.numel()} and {eta.numel()}")
        if (eta <= 0).any():
            raise ValueError(f"eta must be > 0, got {eta.tolist()}")
        if cutoff <= 0:
            raise ValueError(f"cutoff must be > 0, got {cutoff!r}")
        self.register_buffer("r_s", r_s)
        self.register_buffer("eta", eta)
        self.cutoff = float(cutoff)

    @property
    def out_vectors(self) -> int:
        return self.r_s.numel()

    def forward(self, pos: torch.Tensor) -> torch.Tensor:
        if pos.dim() < 2:
            raise ValueError(f"positions must have shape (..., N, n), got {tuple(pos.shape)}")
        rij = pos.unsqueeze(-3) - pos.unsqueeze(-2)          # (..., i, j, n) = r_j - r_i
        r = safe_norm(rij, dim=-1)                          # (..., i, j, 1)
        e = normalize(rij, dim=-1)                          # 0 on the diagonal
        g = torch.exp(-self.eta * (r - self.r_s) ** 2) * smooth_cutoff(r, self.cutoff)  # (..., i, j, M0)
        n_atoms = pos.shape[-2]
        off = ~torch.eye(n_atoms, dtype=torch.bool, device=pos.device)
        g = g * off.unsqueeze(-1).to(g.dtype)
        return torch.einsum("...ijn,...ijm->...inm", e, g)

    def extra_repr(self) -> str:
        return f"M0={self.out_vectors}, cutoff={self.cutoff}"
