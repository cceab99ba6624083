r"""Signals on an equiangular grid of the sphere, and exact transforms to and from them.

The grid (as ``e3nn.o3.s2_grid``) has :math:`N` polar angles and :math:`M` azimuths

.. math::

    \beta_i = \frac{\pi (i + 1/2)}{N}, \qquad \alpha_j = \frac{2\pi j}{M},

the point :math:`(\alpha, \beta)` being :math:`(\sin\beta\sin\alpha, \cos\beta,
\sin\beta\cos\alpha)` (:math:`y` is the polar axis).

A real spherical harmonic factors as :math:`Y^l_m(\alpha, \beta) = A_m(\alpha)\,
B^l_m(\beta)` with :math:`A_0 = 1`, :math:`A_m = \cos(m\alpha)` for :math:`m > 0` and
:math:`A_m = \sin(|m|\alpha)` for :math:`m < 0`, so both transforms are two small matrix
products. :class:`FromS2Grid` integrates with the Driscoll--Healy quadrature: with
:math:`N = 2B`,

.. math::

    w_i = \frac{2}{B} \sin\beta_i \sum_{k=0}^{B-1} \frac{\sin((2k+1)\beta_i)}{2k+1},
    \qquad \int_{S^2} g \approx \sum_{i,j} w_i \frac{2\pi}{M} g(\alpha_j, \beta_i),

exact for band-limited :math:`g` of degree :math:`< 2B` in :math:`\beta` and
:math:`< M` in :math:`\alpha`; hence ``FromS2Grid(ToS2Grid(x)) == x`` whenever
:math:`L + 1 \le N / 2` and :math:`2L + 1 \le M`.

Numbers and conventions equal ``e3nn.o3.ToS2Grid`` / ``e3nn.o3.FromS2Grid``: the grid value
is :math:`\sum_{l,m} n_l x^l_m Y^l_m` with :math:`Y` of ``'integral'`` normalization and
:math:`n_l = 1` (``'integral'``), :math:`\sqrt{4\pi/(L+1)}` (``'norm'``) or
:math:`\sqrt{4\pi / ((2l+1)(L+1))}` (``'component'``; a signal of
independent unit-variance components then has unit variance on the grid); :class:`FromS2Grid` divides by the same
factors, with :math:`L` replaced by ``lmax_in``.
"""

from __future__ import annotations

import math
from typing import Optional, Union

import torch

from curienn.o3 import InvalidArgumentError, ShapeError, angles_to_xyz, spherical_harmonics_alpha_beta

__all__ = ["s2_grid", "ToS2Grid", "FromS2Grid"]

_NORMALIZATIONS = ("integral", "component", "norm")
Res = Union[None, int, tuple]


def s2_grid(
    res_beta: int, res_alpha: int, dtype: Optional[torch.dtype] = None, device: Optional[torch.device] = None
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The equiangular grid: ``betas`` ``(res_beta,)`` with :math:`\beta_i = \pi(i+\frac12)/N`
    and ``alphas`` ``(res_alpha,)`` with :math:`\alpha_j = 2\pi j / M`."""
    for name, v in (("res_beta", res_beta), ("res_alpha", res_alpha)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    dtype = dtype or torch.get_default_dtype()
    i = torch.arange(res_beta, dtype=torch.float64)
    j = torch.arange(res_alpha, dtype=torch.float64)
    betas = (i + 0.5) / res_beta * math.pi
    alphas = j / res_alpha * 2 * math.pi
    return betas.to(dtype=dtype, device=device), alphas.to(dtype=dtype, device=device)


def _complete_lmax_res(lmax: Optional[int], res: Res) -> tuple[int, int, int]:
    """Fill in the missing of ``lmax``, ``res_beta`` and ``res_alpha`` (e3nn's rule: the
    defaults are ``res_beta = 2 (lmax + 1)``, ``res_alpha = res_beta - 1`` and
    ``lmax = min(res_beta / 2 - 1, (res_alpha - 1) / 2)``); ``res_beta`` must be even and
    at least ``2 (lmax + 1)``."""
    if res is None:
        res_beta, res_alpha = None, None
    elif isinstance(res, int) and not isinstance(res, bool):
        res_beta, res_alpha = res, None
    elif isinstance(res, (tuple, list)) and len(res) == 2:
        res_beta, res_alpha = res
    else:
        raise ValueError(f"res must be None, an int or a pair (res_beta, res_alpha), got {res!r}")
    for name, v in (("lmax", lmax), ("res_beta", res_beta), ("res_alpha", res_alpha)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < (0 if name == "lmax" else 1)):
            raise ValueError(f"{name} must be a {'non-negative' if name == 'lmax' else 'positive'} integer, got {v!r}")
    if res_beta is not None and res_beta % 2:
        raise InvalidArgumentError(f"res_beta must be even (Driscoll-Healy grid), got {res_beta}")
    if lmax is None:
        candidates = []
        if res_beta is not None:
            candidates.append(res_beta // 2 - 1)
        if res_alpha is not None:
            candidates.append((res_alpha - 1) // 2)
        if not candidates:
            raise ValueError("lmax and res cannot both be None")
        lmax = min(candidates)
        if lmax < 0:
            raise ValueError(f"res {res!r} too small for any degree")
    if res_beta is None:
        res_beta = 2 * (lmax + 1)
    if res_alpha is None:
        res_alpha = res_beta - 1
    if lmax + 1 > res_beta // 2:
        raise InvalidArgumentError(f"res_beta={res_beta} is too small for lmax={lmax}: need res_beta >= {2 * (lmax + 1)}")
    return lmax, res_beta, res_alpha


def _normalization_factors(lmax: int, normalization: str) -> list[float]:
    r""":math:`c_l`: ``'integral'`` 1, ``'norm'`` :math:`\sqrt{4\pi}`, ``'component'``
    :math:`\sqrt{4\pi/(2l+1)}`."""
    if normalization not in _NORMALIZATIONS:
        raise InvalidArgumentError(f"normalization must be one of {_NORMALIZATIONS}, got {normalization!r}")
    if normalization == "integral":
        return [1.0] * (lmax + 1)
    if normalization == "norm":
        return [math.sqrt(4 * math.pi)] * (lmax + 1)
    return [math.sqrt(4 * math.pi / (2 * l + 1)) for l in range(lmax + 1)]


def _factored_harmonics(lmax: int, betas: torch.Tensor, alphas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""``sha`` ``(M, 2L+1)`` with :math:`A_m(\alpha_j)` (``m = -L..L``) and ``shb``
    ``(2L+1, N, (L+1)^2)`` with :math:`B^l_m(\beta_i)` placed at its ``(m, i, (l, m))`` entry,
    so that :math:`Y(\alpha_j, \beta_i) = \sum_m sha_{jm}\, shb_{m i}`. Built in float64."""
    ms = torch.arange(-lmax, lmax + 1, dtype=torch.float64)
    a = alphas.to(torch.float64)[:, None] * ms.abs()
    sha = torch.where(ms > 0, torch.cos(a), torch.where(ms < 0, torch.sin(a), torch.ones_like(a)))
    # B^l_m(beta) = Y^l_m(alpha*_m, beta) with A_m(alpha*_m) = 1: alpha* = 0 (m >= 0), pi / (2|m|) (m < 0)
    astar = torch.where(ms < 0, math.pi / (2 * ms.abs().clamp(min=1)), torch.zeros_like(ms))
    y = spherical_harmonics_alpha_beta(
        list(range(lmax + 1)), astar[:, None], betas.to(torch.float64)[None, :], normalization="integral"
    )  # (2L+1, N, dim)
    m_of = torch.cat([torch.arange(-l, l + 1) for l in range(lmax + 1)]) + lmax  # (dim,)
    mask = (torch.arange(2 * lmax + 1)[:, None] == m_of[None, :]).to(torch.float64)  # (2L+1, dim)
    return sha, y * mask[:, None, :]


def _quadrature_weights(res_beta: int) -> torch.Tensor:
    """Driscoll--Healy weights ``(res_beta,)`` for the polar angles of :func:`s2_grid`; they
    sum to 2 (the integral of :math:`\\sin\\beta`)."""
    b = res_beta // 2
    betas, _ = s2_grid(res_beta, 1, dtype=torch.float64)
    k = torch.arange(b, dtype=torch.float64)
    s = (torch.sin((2 * k + 1) * betas[:, None]) / (2 * k + 1)).sum(-1)
    return 2.0 / b * torch.sin(betas) * s


class _S2GridModule(torch.nn.Module):
    """What :class:`ToS2Grid` and :class:`FromS2Grid` share: the grid and the repr
    (subclasses set ``lmax``, ``res_beta``, ``res_alpha``, ``normalization`` and the
    buffers ``betas``, ``alphas``)."""

    @property
    def grid(self) -> torch.Tensor:
        """The grid points on the unit sphere, ``(res_beta, res_alpha, 3)``."""
        b, a = torch.broadcast_tensors(self.betas[:, None], self.alphas[None, :])
        return angles_to_xyz(a, b)

    def extra_repr(self) -> str:
        res = f"{self.res_beta}x{self.res_alpha}"
        return f"lmax={self.lmax} res={res} (beta x alpha) normalization={self.normalization}"


class ToS2Grid(_S2GridModule):
    r"""Spherical-harmonic coefficients to values on the :func:`s2_grid` (``e3nn.o3.ToS2Grid``).

    Args:
        lmax: largest degree of the input (``None``: deduced from ``res``).
        res: ``res_beta`` (an int) or ``(res_beta, res_alpha)``; defaults
            ``(2 (lmax+1), 2 lmax + 1)``.
        normalization: ``'component'`` (default), ``'norm'`` or ``'integral'`` (see module).

    Attributes:
        lmax, res_beta, res_alpha; buffers ``betas``, ``alphas``, ``sha``, ``shb``;
        ``grid``: the points, ``(res_beta, res_alpha, 3)``.

    Shapes: ``(..., (lmax+1)^2) -> (..., res_beta, res_alpha)``.
    """

    def __init__(
        self,
        lmax: Optional[int] = None,
        res: Res = None,
        normalization: str = "component",
        dtype: Optional[torch.dtype] = None,
        device: Optional[torch.device] = None,
    ) -> None:
        super().__init__()
        self.lmax, self.res_beta, self.res_alpha = _complete_lmax_res(lmax, res)
        self.normalization = normalization
        n = _normalization_factors(self.lmax, normalization)
        if normalization != "integral":
            n = [c / math.sqrt(self.lmax + 1) for c in n]
        dtype = dtype or torch.get_default_dtype()
        betas, alphas = s2_grid(self.res_beta, self.res_alpha, dtype=torch.float64)
        sha, shb = _factored_harmonics(self.lmax, betas, alphas)
        scale = torch.cat([torch.full((2 * l + 1,), n[l], dtype=torch.float64) for l in range(self.lmax + 1)])
        self.register_buffer("betas", betas.to(dtype=dtype, device=device))
        self.register_buffer("alphas", alphas.to(dtype=dtype, device=device))
        self.register_buffer("sha", sha.to(dtype=dtype, device=device))
        self.register_buffer("shb", (shb * scale).to(dtype=dtype, device=device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.shb.shape[-1]:
            raise ShapeError(f"expected input of size {self.shb.shape[-1]} in the last dimension, got {tuple(x.shape)}")
        t = torch.einsum("mbi,...i->...mb", self.shb, x)
        return torch.einsum("am,...mb->...ba", self.sha, t)


class FromS2Grid(_S2GridModule):
    r"""Values on the :func:`s2_grid` to spherical-harmonic coefficients (``e3nn.o3.FromS2Grid``),
    by Driscoll--Healy quadrature; the inverse of :class:`ToS2Grid`.

    Args:
        res: ``res_beta`` or ``(res_beta, res_alpha)`` (``None``: from ``lmax``).
        lmax: largest degree of the output (``None``: deduced from ``res``).
        normalization: as :class:`ToS2Grid`.
        lmax_in: degree of the signals the grid holds, used by the ``'norm'`` and
            ``'component'`` normalizations (default ``lmax``).

    Shapes: ``(..., res_beta, res_alpha) -> (..., (lmax+1)^2)``.
    """

    def __init__(
        self,
        res: Res = None,
        lmax: Optional[int] = None,
        normalization: str = "component",
        lmax_in: Optional[int] = None,
        dtype: Optional[torch.dtype] = None,
        device: Optional[torch.device] = None,
    ) -> None:
        super().__init__()
        self.lmax, self.res_beta, self.res_alpha = _complete_lmax_res(lmax, res)
        if lmax_in is None:
            lmax_in = self.lmax
        if isinstance(lmax_in, bool) or not isinstance(lmax_in, int) or lmax_in < 0:
            raise ValueError(f"lmax_in must be a non-negative integer, got {lmax_in!r}")
        self.lmax_in = lmax_in
        self.normalization = normalization
        n = _normalization_factors(self.lmax, normalization)
        if normalization != "integral":
            n = [c / math.sqrt(lmax_in + 1) for c in n]
        dtype = dtype or torch.get_default_dtype()
        betas, alphas = s2_grid(self.res_beta, self.res_alpha, dtype=torch.float64)
        sha, shb = _factored_harmonics(self.lmax, betas, alphas)
        w = _quadrature_weights(self.res_beta) * (2 * math.pi / self.res_alpha)
        scale = torch.cat([torch.full((2 * l + 1,), 1.0 / n[l], dtype=torch.float64) for l in range(self.lmax + 1)])
        self.register_buffer("betas", betas.to(dtype=dtype, device=device))
        self.register_buffer("alphas", alphas.to(dtype=dtype, device=device))
        self.register_buffer("sha", sha.to(dtype=dtype, device=device))
        self.register_buffer("shb", (shb * scale * w[None, :, None]).to(dtype=dtype, device=device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if tuple(x.shape[-2:]) != (self.res_beta, self.res_alpha):
            raise ShapeError(f"expected a grid of shape (..., {self.res_beta}, {self.res_alpha}), got {tuple(x.shape)}")
        t = torch.einsum("am,...ba->...mb", self.sha, x)
        return torch.einsum("mbi,...mb->...i", self.shb, t)
