r"""Unitary-equivariant activations: norm-gated maps ``σ(u) = f(‖u‖) u``.

Every such map commutes with any unitary ``U`` because ``‖U u‖ = ‖u‖``
(Ma & Chan, Eq. 13; Ma, arXiv:2411.14462). Inputs have shape ``(..., n, M)``;
``f`` is applied to the norm of each of the ``M`` column vectors.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from ._norm import safe_norm

__all__ = ["NormGate", "SoftsignResidual", "VectorLeakyReLU", "IdentityActivation"]


class NormGate(nn.Module):
    r"""``σ(u) = f(‖u‖) · u`` for a scalar function ``f`` of the norm.

    Parameters
    ----------
    f:
        maps a real tensor of norms (shape ``(..., 1, M)``) to gates of the
        same shape; must be finite at 0.
    """

    def __init__(self, f: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        if not callable(f):
            raise ValueError(f"f must be callable, got {f!r}")
        self.f = f

    def gate(self, r: torch.Tensor) -> torch.Tensor:
        return self.f(r)

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        g = self.gate(safe_norm(u, dim=-2))
        return u * g.to(u.dtype) if u.is_complex() else u * g


class SoftsignResidual(NormGate):
    r"""Softsign with a small residue (Ma & Chan, Eq. 14):
    ``σ(u) = u / (1 + ‖u‖) + a u``, i.e. ``f(r) = 1/(1+r) + a``.

    The Jacobian at ``u = 0`` is ``(1 + a) I``; for large ``u`` it tends to
    ``a I``, which keeps gradients alive (the paper does not give ``a``;
    0.01 is our default).
    """

    def __init__(self, a: float = 0.01) -> None:
        if a < 0:
            raise ValueError(f"a must be >= 0, got {a!r}")
        super().__init__(self._f)
        self.a = float(a)

    def _f(self, r: torch.Tensor) -> torch.Tensor:
        return 1.0 / (1.0 + r) + self.a

    def extra_repr(self) -> str:
        return f"a={self.a}"


class VectorLeakyReLU(NormGate):
    r"""A norm-gated leaky ReLU: ``f(r) = 1`` for ``r > threshold`` and
    ``slope`` below it (``σ`` is discontinuous at the threshold unless
    ``slope = 1``; with ``threshold = 0`` it is the identity)."""

    def __init__(self, threshold: float = 1.0, slope: float = 0.01) -> None:
        if threshold < 0:
            raise ValueError(f"threshold must be >= 0, got {threshold!r}")
        super().__init__(self._f)
        self.threshold, self.slope = float(threshold), float(slope)

    def _f(self, r: torch.Tensor) -> torch.Tensor:
        return torch.where(r > self.threshold, torch.ones_like(r), torch.full_like(r, self.slope))


class IdentityActivation(nn.Module):
    r"""``σ(u) = u`` (Ma & Chan, Eq. 15), the usual output activation."""

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        return u
