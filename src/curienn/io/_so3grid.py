r"""Signals on SO(3): Wigner-D coefficients to values on an Euler-angle grid and back
(``e3nn.o3.SO3Grid``).

A signal on the rotation group, band-limited to degree :math:`L`, is

.. math::

    f(R) = \frac{1}{\sqrt{N}} \sum_{l=0}^{L} \sqrt{2l+1}\, \sum_{m,n} F^l_{mn} D^l_{mn}(R),
    \qquad N = \sum_{l \le L} (2l+1)^2,

stored as the flat vector of the :math:`F^l` (``(..., N)``, :func:`flat_wigner` order). The
grid has the Euler angles :math:`R = R_y(\alpha) R_x(\beta) R_y(\gamma)` with
:math:`\alpha, \gamma` on ``2 aspect_ratio resolution`` equally spaced values and
:math:`\beta` on the ``2 resolution`` polar angles of :func:`~curienn.io.s2_grid`.
:meth:`SO3Grid.from_grid` integrates against the Haar measure with the Driscoll--Healy
weights in :math:`\beta` (exact below the grid's band limit), so that
``from_grid(to_grid(F)) == F``; since :math:`\int D^l_{mn} D^{l'}_{m'n'} dR =
\delta/(2l+1)`, the weights make the :math:`\sqrt{(2l+1)/N}` basis orthonormal up to the
factor :math:`N` undone in ``from_grid``.
"""

from __future__ import annotations

import torch

from curienn.o3 import InvalidArgumentError, wigner_D

from ._s2grid import _quadrature_weights, s2_grid

__all__ = ["flat_wigner", "SO3Grid"]


def flat_wigner(lmax: int, alpha: torch.Tensor, beta: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    r""":math:`\sqrt{2l+1}\, D^l(\alpha, \beta, \gamma)` for ``l = 0..lmax``, each flattened
    row-major and concatenated: angles broadcasting to ``(...)`` -> ``(..., sum (2l+1)^2)``."""
    return torch.cat(
        [(2 * l + 1) ** 0.5 * wigner_D(l, alpha, beta, gamma).flatten(-2) for l in range(lmax + 1)], dim=-1
    )


class SO3Grid(torch.nn.Module):
    r"""Wigner-D coefficients <-> values on an Euler-angle grid of SO(3) (see the module).

    Args:
        lmax: largest degree :math:`L`.
        resolution: the grid has ``2 resolution`` values of :math:`\beta` and ``round(2
            aspect_ratio resolution)`` of :math:`\alpha` and of :math:`\gamma`.
        normalization: only ``'component'`` (as e3nn).
        aspect_ratio: see ``resolution`` (default 2, as e3nn).

    Attributes:
        buffers ``D`` ``(res_alpha, res_beta, res_gamma, N)`` (:func:`flat_wigner` on the
        grid), ``qw`` ``(res_beta,)`` (quadrature weights), ``alpha``, ``beta``, ``gamma``;
        ``res_alpha``, ``res_beta``, ``res_gamma``, ``lmax``.

    Shapes: :meth:`to_grid` ``(..., N) -> (..., res_alpha, res_beta, res_gamma)``;
    :meth:`from_grid` the reverse.
    """

    def __init__(self, lmax: int, resolution: int, *, normalization: str = "component", aspect_ratio: float = 2) -> None:
        super().__init__()
        if normalization != "component":
            raise InvalidArgumentError(f"SO3Grid supports normalization='component' only, got {normalization!r}")
        if isinstance(lmax, bool) or not isinstance(lmax, int) or lmax < 0:
            raise InvalidArgumentError(f"lmax must be a non-negative int, got {lmax!r}")
        if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 1:
            raise InvalidArgumentError(f"resolution must be a positive int, got {resolution!r}")
        nb = 2 * resolution
        na = round(2 * aspect_ratio * resolution)
        b, a = s2_grid(nb, na)
        self.register_buffer("D", flat_wigner(lmax, a[:, None, None], b[None, :, None], a[None, None, :]))
        # Haar measure dR = sin(beta) d(alpha) d(beta) d(gamma) / (8 pi^2): Driscoll-Healy weights in beta
        # (summing to 2) times the alpha and gamma spacings (2 pi / na)^2 / (8 pi^2)
        qw = _quadrature_weights(nb) / (2 * na**2)
        self.register_buffer("qw", qw.to(torch.get_default_dtype()))
        self.register_buffer("alpha", a)
        self.register_buffer("beta", b)
        self.register_buffer("gamma", a)
        self.lmax = lmax
        self.res_alpha = na
        self.res_beta = nb
        self.res_gamma = na

    def __repr__(self) -> str:
        return f"{self.__class__.__name__} ({self.lmax})"

    def to_grid(self, features: torch.Tensor) -> torch.Tensor:
        """``(..., N)`` coefficients -> ``(..., res_alpha, res_beta, res_gamma)`` values."""
        return torch.einsum("...i,abci->...abc", features, self.D) / self.D.shape[-1] ** 0.5

    def from_grid(self, features: torch.Tensor) -> torch.Tensor:
        """``(..., res_alpha, res_beta, res_gamma)`` values -> ``(..., N)`` coefficients."""
        return torch.einsum("...abc,abci,b->...i", features, self.D, self.qw) * self.D.shape[-1] ** 0.5
