r"""Spherical harmonics as functions of the angles :math:`(\alpha, \beta)`, factored.

The point of angles :math:`(\alpha, \beta)` is :math:`R_y(\alpha) R_x(\beta) e_y =
(\sin\beta\sin\alpha, \cos\beta, \sin\beta\cos\alpha)` (:math:`y` is the polar axis), and
the real spherical harmonic of degree :math:`l` and order :math:`m` factors as

.. math::

    Y^l_m(\alpha, \beta) = S_m(\alpha)\, P^l_{|m|}(\cos\beta, \sin\beta),

with the azimuthal part (:func:`spherical_harmonics_alpha`)

.. math::

    S_m(\alpha) = \sqrt2 \sin(|m|\alpha)\ (m < 0), \qquad S_0 = 1, \qquad
    S_m(\alpha) = \sqrt2 \cos(m\alpha)\ (m > 0),

and the polar part (:class:`Legendre`), a polynomial in :math:`z = \cos\beta` and
:math:`y = \sin\beta`,

.. math::

    P^l_m(z, y) = \sqrt{\frac{2l+1}{4\pi}\frac{(l-m)!}{(l+m)!}}\;
    \frac{y^m}{2^l\, l!}\, \frac{d^{l+m}}{dz^{l+m}} (z^2 - 1)^l

(the associated Legendre function without the Condon--Shortley phase). The product has
``'integral'`` normalization, :math:`\int (Y^l_m)^2 d\Omega = 1`; these are the numbers of
``e3nn.o3.SphericalHarmonicsAlphaBeta``, ``e3nn.o3.Legendre`` and
``e3nn.o3.spherical_harmonics_alpha`` (e3nn generates the polynomials with sympy; here
the coefficients are exact rationals from the Rodrigues formula above).
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any, Sequence

import torch

from ._errors import InvalidArgumentError
from ._irreps import Irreps

__all__ = ["Legendre", "spherical_harmonics_alpha", "SphericalHarmonicsAlphaBeta"]


@functools.lru_cache(maxsize=None)
def _legendre_coefficients(l: int, m: int) -> tuple[float, ...]:
    r"""Coefficients :math:`c_j` of :math:`P^l_m(z, y) = y^m \sum_j c_j z^j` (floats, exact
    rationals times the normalization)."""
    # (z^2 - 1)^l = sum_k C(l, k) (-1)^(l-k) z^(2k); differentiate l + m times
    n = l + m
    coeffs = [Fraction(0)] * (l + 1 - m if l >= m else 0)
    for k in range(l + 1):
        p = 2 * k
        if p < n:
            continue
        c = math.comb(l, k) * (-1) ** (l - k) * math.perm(p, n)
        coeffs[p - n] += Fraction(c, 2**l * math.factorial(l))
    norm = math.sqrt((2 * l + 1) / (4 * math.pi) * math.factorial(l - m) / math.factorial(l + m))
    return tuple(float(c) * norm for c in coeffs)


def _as_ls(l: Any) -> list[int]:
    """Degrees from an int, a sequence of ints or an ``Irreps`` (each irrep ``mul`` times)."""
    if isinstance(l, Irreps):
        ls = [ir.l for mul, ir in l for _ in range(mul)]
    elif isinstance(l, int) and not isinstance(l, bool):
        ls = [l]
    else:
        ls = list(l)
    if not ls or any(isinstance(x, bool) or not isinstance(x, int) or x < 0 for x in ls):
        raise InvalidArgumentError(f"expected non-negative integer degrees, got {l!r}")
    return ls


class Legendre(torch.nn.Module):
    r"""The polar factors :math:`P^l_{|m|}(z, y)` of the real spherical harmonics (see the
    module), for the degrees ``ls`` (``e3nn.o3.Legendre``).

    Args:
        ls: degrees, e.g. ``[0, 1, 2]`` (repeats allowed).

    Shapes: ``forward(z, y)``: ``z = cos(beta)`` and ``y = sin(beta)`` of the same shape
    ``(...)`` -> ``(..., sum(2l+1))``, entry ``(l, m)`` for ``m = -l..l`` holding
    :math:`P^l_{|m|}`.
    """

    def __init__(self, ls: Sequence[int]) -> None:
        super().__init__()
        self.ls = _as_ls(ls)
        lmax = max(self.ls)
        columns, y_powers = [], []
        for l in self.ls:
            for m in range(-l, l + 1):
                c = list(_legendre_coefficients(l, abs(m)))
                columns.append(c + [0.0] * (lmax + 1 - len(c)))
                y_powers.append(abs(m))
        self.register_buffer("_coefficients", torch.tensor(columns, dtype=torch.float64).T, persistent=False)
        self.register_buffer("_y_powers", torch.tensor(y_powers, dtype=torch.float64), persistent=False)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        z, y = torch.broadcast_tensors(z, y)
        c = self._coefficients.to(z.dtype)
        zp = z.unsqueeze(-1) ** torch.arange(c.shape[0], dtype=z.dtype, device=z.device)  # (..., lmax+1)
        return (zp @ c) * y.unsqueeze(-1) ** self._y_powers.to(y.dtype)

    def extra_repr(self) -> str:
        return f"ls={self.ls}"


def spherical_harmonics_alpha(l: int, alpha: torch.Tensor) -> torch.Tensor:
    r"""The azimuthal factors :math:`S_m(\alpha)`, ``m = -l..l`` (see the module):
    ``alpha (...)`` -> ``(..., 2l+1)`` (``e3nn.o3.spherical_harmonics_alpha``)."""
    alpha = alpha.unsqueeze(-1)
    m = torch.arange(1, l + 1, dtype=alpha.dtype, device=alpha.device)
    sin = torch.sin(m.flip(0) * alpha)  # m = l .. 1
    cos = torch.cos(m * alpha)  # m = 1 .. l
    return torch.cat([math.sqrt(2) * sin, torch.ones_like(alpha), math.sqrt(2) * cos], dim=-1)


class SphericalHarmonicsAlphaBeta(torch.nn.Module):
    r"""Spherical harmonics of the angles, :math:`Y^l(\alpha, \beta) = S(\alpha)\,
    P^l(\cos\beta, \sin\beta)` (module form, ``e3nn.o3.SphericalHarmonicsAlphaBeta``).

    Args:
        l: degree(s): an int, a list of ints or an ``Irreps`` (its degrees, ``mul`` times each).
        normalization: ``'integral'`` (default), ``'component'`` (:math:`\times\sqrt{4\pi}`)
            or ``'norm'`` (:math:`\times\sqrt{4\pi/(2l+1)}`), as :func:`spherical_harmonics`.

    Shapes: ``forward(alpha, beta)``, both ``(...)`` -> ``(..., sum(2l+1))``.
    """

    def __init__(self, l: Any, normalization: str = "integral") -> None:
        super().__init__()
        if normalization not in ("integral", "component", "norm"):
            raise InvalidArgumentError(f"normalization must be 'integral', 'component' or 'norm', got {normalization!r}")
        self._ls_list = _as_ls(l)
        self._lmax = max(self._ls_list)
        self.normalization = normalization
        self.legendre = Legendre(self._ls_list)
        # position of S_m for each output entry (l, m), and the normalization factor
        index, scale = [], []
        for ll in self._ls_list:
            factor = {"integral": 1.0, "component": math.sqrt(4 * math.pi),
                      "norm": math.sqrt(4 * math.pi / (2 * ll + 1))}[normalization]
            index += [self._lmax + m for m in range(-ll, ll + 1)]
            scale += [factor] * (2 * ll + 1)
        self.register_buffer("_m_index", torch.tensor(index), persistent=False)
        self.register_buffer("_scale", torch.tensor(scale, dtype=torch.float64), persistent=False)

    def forward(self, alpha: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
        sha = spherical_harmonics_alpha(self._lmax, alpha)  # (..., 2 lmax + 1)
        shb = self.legendre(torch.cos(beta), torch.sin(beta))  # (..., dim)
        return sha[..., self._m_index] * shb * self._scale.to(shb.dtype)

    def extra_repr(self) -> str:
        return f"l={self._ls_list}, normalization={self.normalization!r}"
