r"""Real spherical harmonics as polynomials of :math:`(x, y, z)`, equal to e3nn 0.6.0.

The degrees are parsed here (an int, a list, or irreps parsed by
:class:`~curienn.o3.Irreps`); the kernels -- the channel-first recurrence and its
analytic backward, a :class:`torch.autograd.Function` -- are in
:mod:`curienn.o3._sh_kernels`.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import torch

from ._errors import InvalidArgumentError
from ._irreps import Irreps
from ._sh_coefficients import NORMALIZATIONS
from ._sh_kernels import _SolidHarmonics

__all__ = [
    "SphericalHarmonics",
    "spherical_harmonics",
    "spherical_harmonics_alpha_beta",
]

LMAX = 64
"""Largest supported degree (the recurrence is general; e3nn stops at 12)."""

def _irreps_entries(irreps: Any) -> list[tuple[int, int, int]]:
    """``[(mul, l, p), ...]`` of anything :class:`Irreps` parses (a string, an ``Irreps``, e3nn's)."""
    try:
        return [(mul, ir.l, ir.p) for mul, ir in Irreps(irreps)]
    except (TypeError, ValueError, AssertionError, IndexError) as err:
        raise ValueError(f"cannot interpret {irreps!r} as irreps: {err}") from err


def _is_irreps(obj: Any) -> bool:
    return (
        isinstance(obj, str) or getattr(type(obj), "_e3nn_irreps_marker", False) is True
    )


def _parse_ls(l: Any, irreps_in: Any = None) -> tuple[list[int], int]:
    """Degrees requested by ``l`` and the input parity (``-1`` for ``1o``, ``+1`` for ``1e``).

    Follows e3nn: an irreps argument containing an odd ``l`` with even parity selects a
    pseudovector input (``1e``); every irrep must then have parity ``p_in ** l``.
    """
    if irreps_in is not None:
        entries_in = _irreps_entries(irreps_in)
        if entries_in not in ([(1, 1, -1)], [(1, 1, 1)]):
            raise ValueError(
                f"irreps_in for SphericalHarmonics must be a vector (1x1o) or a pseudovector (1x1e), not {irreps_in!r}"
            )
        p_in = entries_in[0][2]
    else:
        p_in = None

    if _is_irreps(l):
        entries = _irreps_entries(l)
        if p_in is None:
            p_in = 1 if any(ll % 2 == 1 and p == 1 for _, ll, p in entries) else -1
        ls = []
        for mul, ll, p in entries:
            if p != p_in**ll:
                raise ValueError(
                    f"irreps {l!r} ask for l={ll} with parity {p}, inconsistent with the input parity {p_in}: "
                    f"the parity of l={ll} must be {p_in**ll}"
                )
            ls.extend([ll] * mul)
    elif isinstance(l, numbers.Integral) and not isinstance(l, bool):
        ls = [int(l)]
    elif isinstance(l, Sequence) and all(
        isinstance(ll, numbers.Integral) and not isinstance(ll, bool) for ll in l
    ):
        ls = [int(ll) for ll in l]
    else:
        raise ValueError(
            f"l must be an int, a list of ints, an irreps string or an Irreps, got {l!r}"
        )
    if p_in is None:
        p_in = -1
    if len(ls) == 0:
        raise ValueError(f"no degree requested in l={l!r}")
    for ll in ls:
        if ll < 0 or ll > LMAX:
            raise ValueError(
                f"spherical harmonics degree must be in [0, {LMAX}], got l={ll}"
            )
    return ls, p_in


def _spherical_harmonics_ls(
    ls: list[int], x: torch.Tensor, normalize: bool, normalization: str
) -> torch.Tensor:
    if x.shape[-1:] != (3,):
        raise ValueError(f"x must have shape (..., 3), got {tuple(x.shape)}")
    if normalization not in NORMALIZATIONS:
        raise InvalidArgumentError(
            f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}"
        )
    if not x.is_floating_point():
        raise ValueError(f"x must be a floating point tensor, got dtype {x.dtype}")
    lmax = max(ls)
    batch = x.shape[:-1]
    flat = x.reshape(-1, 3)
    # normalize=True: x / max(|x|, 1e-12) inside the Function (a zero vector stays zero, as e3nn)
    sh = _SolidHarmonics.apply(flat, lmax, normalization, normalize)[0]
    if ls != list(range(lmax + 1)):
        sh = torch.cat([sh[:, l * l : (l + 1) * (l + 1)] for l in ls], dim=1)
    return sh.reshape(*batch, sh.shape[1])


def spherical_harmonics(
    l: int | Sequence[int] | str | Any,
    x: torch.Tensor,
    normalize: bool,
    normalization: str = "integral",
) -> torch.Tensor:
    r"""Real spherical harmonics :math:`Y^l(x)`, equal to ``e3nn.o3.spherical_harmonics``.

    :math:`Y^l : \mathbb{R}^3 \to \mathbb{R}^{2l+1}` are homogeneous harmonic polynomials of
    degree :math:`l` in :math:`(x, y, z)` (solid harmonics), equivariant,
    :math:`Y^l(R x) = D^l(R) Y^l(x)`, with parity :math:`Y^l(-x) = (-1)^l Y^l(x)`.
    :math:`y` is the polar axis, :math:`Y^1 \propto (x, y, z)` and, with
    ``normalization='integral'``, :math:`Y^l_m` evaluated at :math:`(x, y, z)` equals
    Wikipedia's real spherical harmonic (no Condon--Shortley phase) at :math:`(z, x, y)`.

    Args:
        l: degree(s): an int, a list of ints, or irreps (``"0e+1o+2e"`` or an ``Irreps``),
            each irrep with parity :math:`p^l` where :math:`p` is the input parity
            (``1e`` input if some odd ``l`` is even, else ``1o``).  ``0 <= l <= 64``.
        x: tensor of shape ``(..., 3)``.
        normalize: whether to project ``x`` on the unit sphere first (a zero vector then
            gives :math:`Y^l = 0` for :math:`l \ge 1`, without NaN).
        normalization: on the unit sphere,
            ``'component'``: :math:`\|Y^l\|^2 = 2l+1` (:math:`Y^0 = 1`);
            ``'norm'``: :math:`\|Y^l\| = 1`;
            ``'integral'``: :math:`\int_{S^2} (Y^l_m)^2 = 1`.

    Returns:
        tensor of shape ``(..., sum(2l+1))``, the degrees concatenated in the order of ``l``
        and components ordered :math:`m = -l, \dots, l`.

    Raises:
        ValueError: bad ``l``, parity, ``normalization`` or shape of ``x``.

    Example:
        >>> spherical_harmonics(1, torch.tensor([[0.0, 0.0, 2.0]]), True, normalization="component")
        tensor([[0.0000, 0.0000, 1.7321]])
    """
    ls, _ = _parse_ls(l)
    return _spherical_harmonics_ls(ls, x, normalize, normalization)


def spherical_harmonics_alpha_beta(
    l: int | Sequence[int] | Any,
    alpha: torch.Tensor,
    beta: torch.Tensor,
    *,
    normalization: str = "integral",
) -> torch.Tensor:
    r"""Spherical harmonics of :math:`\vec r = R_y(\alpha) R_x(\beta) e_y
    = (\sin\beta\sin\alpha, \cos\beta, \sin\beta\cos\alpha)`.

    Equal to ``e3nn.o3.spherical_harmonics_alpha_beta``. ``alpha`` and ``beta`` broadcast
    to a common shape ``(...)``; returns ``(..., sum(2l+1))``.
    """
    if isinstance(l, str) or _is_irreps(l):
        ls = [ll for mul, ll, _ in _irreps_entries(l) for _ in range(mul)]
        ls, _ = _parse_ls(ls)
    else:
        ls, _ = _parse_ls(l)
    alpha, beta = torch.broadcast_tensors(alpha, beta)
    sb = torch.sin(beta)
    xyz = torch.stack(
        [sb * torch.sin(alpha), torch.cos(beta), sb * torch.cos(alpha)], dim=-1
    )
    return _spherical_harmonics_ls(ls, xyz, False, normalization)


class SphericalHarmonics(torch.nn.Module):
    r"""Module form of :func:`spherical_harmonics` (as ``e3nn.o3.SphericalHarmonics``).

    Args:
        irreps_out: degrees, as in :func:`spherical_harmonics`.
        normalize: project the input on the unit sphere first.
        normalization: ``'integral'`` (default), ``'component'`` or ``'norm'``.
        irreps_in: ``"1o"`` (vector, default) or ``"1e"`` (pseudovector, chosen by default
            when ``irreps_out`` has an odd ``l`` with even parity); the output parity of
            degree ``l`` is :math:`p_{in}^l`.

    Attributes:
        irreps_in, irreps_out: ``Irreps`` of the input (``1x1o``/``1x1e``) and the output
            (one irrep per requested degree, simplified).

    Shapes: ``(..., 3) -> (..., irreps_out.dim)``.
    """

    def __init__(
        self,
        irreps_out: int | Sequence[int] | str | Any,
        normalize: bool,
        normalization: str = "integral",
        irreps_in: Any = None,
    ) -> None:
        super().__init__()
        if normalization not in NORMALIZATIONS:
            raise InvalidArgumentError(
                f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}"
            )
        ls, p_in = _parse_ls(
            irreps_out, irreps_in=None if irreps_in is None else str(Irreps(irreps_in))
        )
        self.normalize = normalize
        self.normalization = normalization
        self.irreps_in = Irreps(f"1x1{'e' if p_in == 1 else 'o'}")
        self.irreps_out = Irreps([(1, (l, p_in**l)) for l in ls]).simplify()
        self._ls_list = ls

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _spherical_harmonics_ls(
            self._ls_list, x, self.normalize, self.normalization
        )

    def extra_repr(self) -> str:
        return f"{self.irreps_out}, normalize={self.normalize}, normalization={self.normalization!r}"
