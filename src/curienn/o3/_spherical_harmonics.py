r"""Real spherical harmonics as polynomials of :math:`(x, y, z)`, equal to e3nn 0.6.0.

The harmonics are computed by a Cartesian recurrence on the solid harmonics
:math:`r^l Y_l^m(\hat r)` (see :mod:`curienn.o3._sh_coefficients` for the maths):
one vectorised step per degree over the whole batch, written into one preallocated
buffer, and a fused analytic backward (the gradient of a degree-:math:`l` solid
harmonic is a sparse combination of degree-:math:`l-1` ones) implemented as a custom
:class:`torch.autograd.Function` whose backward is itself differentiable, so
``create_graph=True`` (forces in a loss) works to any order.
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence, Union

import torch

from ._sh_coefficients import NORMALIZATIONS, block_scale, derivative_block, recurrence_coefficients

__all__ = ["spherical_harmonics", "SphericalHarmonics", "spherical_harmonics_alpha_beta"]

LMAX = 64
"""Largest supported degree (the recurrence is general; e3nn stops at 12)."""

_IRREP_RE = re.compile(r"^\s*(?:(\d+)\s*x\s*)?(\d+)\s*([eoy])\s*$")


def _irreps_entries(irreps: Any) -> list[tuple[int, int, int]]:
    """``[(mul, l, p), ...]`` from an irreps string or an ``Irreps``-like object."""
    if isinstance(irreps, str):
        out = []
        for term in irreps.split("+") if irreps.strip() else []:
            match = _IRREP_RE.match(term)
            if match is None:
                raise ValueError(f"cannot parse irreps {irreps!r} (term {term!r})")
            mul = int(match.group(1)) if match.group(1) is not None else 1
            l = int(match.group(2))
            p = {"e": 1, "o": -1, "y": (-1) ** l}[match.group(3)]
            out.append((mul, l, p))
        return out
    try:
        return [(int(mul), int(ir[0]), int(ir[1])) for mul, ir in irreps]
    except (TypeError, ValueError, IndexError) as err:
        raise ValueError(f"cannot interpret {irreps!r} as irreps") from err


def _is_irreps(obj: Any) -> bool:
    return isinstance(obj, str) or getattr(type(obj), "_e3nn_irreps_marker", False) is True


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
    elif isinstance(l, (int,)) and not isinstance(l, bool):
        ls = [l]
    elif isinstance(l, Sequence) and all(isinstance(ll, int) and not isinstance(ll, bool) for ll in l):
        ls = list(l)
    else:
        raise ValueError(f"l must be an int, a list of ints, an irreps string or an Irreps, got {l!r}")
    if p_in is None:
        p_in = -1
    if len(ls) == 0:
        raise ValueError(f"no degree requested in l={l!r}")
    for ll in ls:
        if ll < 0 or ll > LMAX:
            raise ValueError(f"spherical harmonics degree must be in [0, {LMAX}], got l={ll}")
    return ls, p_in


def _coefficient_tensor(values: list[float], like: torch.Tensor) -> torch.Tensor:
    return torch.tensor(values, dtype=like.dtype, device=like.device)


def _recurrence(l: int, normalization: str) -> tuple[list[float], list[float], float]:
    # Dynamo does not honour lru_cache (it warns and traces the body): trace the plain function
    fn = recurrence_coefficients.__wrapped__ if torch.compiler.is_compiling() else recurrence_coefficients
    return fn(l, normalization)


def _derivative(l: int, normalization: str) -> list[float]:
    fn = derivative_block.__wrapped__ if torch.compiler.is_compiling() else derivative_block
    return fn(l, normalization)


def _forward_channels_first(x: torch.Tensor, lmax: int, normalization: str, on_sphere: bool) -> torch.Tensor:
    r"""Solid harmonics of degrees ``0..lmax`` of ``x`` (N, 3), channel-first: ((lmax+1)^2, N).

    Every row is contiguous over the batch, so each recurrence step is a handful of
    vectorised operations on a ``(2l+1, N)`` block of one preallocated buffer.
    With ``on_sphere`` the points are assumed to be unit vectors or zero, and :math:`r^2`
    is replaced by 1 except in the seed of the :math:`m = 0` chain (so zero stays zero).
    """
    n = x.shape[0]
    dim = (lmax + 1) ** 2
    xt = x.t().contiguous()  # (3, N), rows x, y, z
    buf = x.new_empty((dim, n))
    buf[0].fill_(block_scale(0, normalization))
    if lmax >= 1:
        torch.mul(xt, math.sqrt(3.0) * block_scale(1, normalization), out=buf[1:4])
    if lmax >= 2:
        py, pz = xt[1], xt[2]
        r2 = (xt * xt).sum(0)
        xm = torch.stack([xt[0], -xt[0]])  # (2, N): rows (x, -x) for the diagonal rotation
        for l in range(2, lmax + 1):
            a, b, e = _recurrence(l, normalization)
            prev = buf[(l - 1) ** 2 : l * l]  # 2l-1 rows, m = -(l-1) .. l-1
            prev2 = buf[(l - 2) ** 2 : (l - 1) ** 2]  # 2l-3 rows
            cur = buf[l * l : (l + 1) * (l + 1)]  # 2l+1 rows
            # |m| <= l-1:  Y_l^m = A y Y_{l-1}^m - B r^2 Y_{l-2}^m
            mid = cur[1 : 2 * l]
            torch.mul(prev, py, out=mid)
            mid.mul_(_coefficient_tensor(a, x).unsqueeze(1))
            bt = _coefficient_tensor(b, x).unsqueeze(1)
            if l == 2 or not on_sphere:
                mid[1:-1].addcmul_(prev2 * r2, bt, value=-1.0)
            else:
                mid[1:-1].addcmul_(prev2, bt, value=-1.0)
            # m = -l, l:  E (z Y^{-(l-1)} + x Y^{l-1}),  E (z Y^{l-1} - x Y^{-(l-1)})
            prev_d, cur_d = prev[:: 2 * l - 2], cur[:: 2 * l]  # rows (-(l-1), l-1) and (-l, l)
            cur_d.copy_(prev_d).mul_(pz)  # (no strided out=: unsupported by torch.compile)
            cur_d.addcmul_(prev_d.flip(0), xm).mul_(e)
    return buf


def _vjp_channels_first(ycf: torch.Tensor, gcf: torch.Tensor, lmax: int, normalization: str) -> torch.Tensor:
    r"""Vector-Jacobian product (3, N): :math:`\sum_{l,t} g_l^t \, \partial_k Y_l^t`.

    Uses :math:`\partial_k Y_l^t = \sum_s W_l[k, s, t] \, Y_{l-1}^s` (``derivative_block``):
    per degree, one small matrix product :math:`H = W_l g_l` of shape ``(3, 2l-1, N)`` and a
    contraction with :math:`Y_{l-1}`.  Built from differentiable operations only, so it can
    itself be differentiated (double backward).
    """
    out = ycf.new_zeros((3, ycf.shape[1]))
    for l in range(1, lmax + 1):
        w = _coefficient_tensor(_derivative(l, normalization), ycf).view(3 * (2 * l - 1), 2 * l + 1)
        h = (w @ gcf[l * l : (l + 1) * (l + 1)]).view(3, 2 * l - 1, -1)
        out = out + (h * ycf[(l - 1) ** 2 : l * l]).sum(1)
    return out


class _SolidHarmonics(torch.autograd.Function):
    """``x (N, 3) -> Y (N, (lmax+1)^2)`` with an analytic, differentiable backward.

    ``forward`` also returns the channel-first buffer (non-differentiable), kept for a
    fast first-order backward (the returned output is not saved, so in-place edits of it
    are allowed); when the backward itself must be differentiated (``create_graph=True``)
    the harmonics are recomputed through this Function, so the graph reaches ``x``.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        x: torch.Tensor, lmax: int, normalization: str, on_sphere: bool
    ) -> tuple[torch.Tensor, torch.Tensor]:
        ycf = _forward_channels_first(x, lmax, normalization, on_sphere)
        out = x.new_empty((x.shape[0], ycf.shape[0]))
        out.copy_(ycf.t())  # blocked transpose into the contiguous (N, dim) output
        return out, ycf

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: tuple[torch.Tensor, torch.Tensor]) -> None:
        x, lmax, normalization, on_sphere = inputs
        _, ycf = output
        ctx.mark_non_differentiable(ycf)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, ycf)
        ctx.lmax = lmax
        ctx.normalization = normalization
        ctx.on_sphere = on_sphere

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor, _grad_ycf: Any) -> tuple[Any, ...]:  # type: ignore[override]
        x, ycf = ctx.saved_tensors
        if torch.is_grad_enabled():
            # create_graph=True: recompute the harmonics as a differentiable function of x, so
            # that the backward below (plain differentiable operations) can be differentiated again
            out, _ = _SolidHarmonics.apply(x, ctx.lmax, ctx.normalization, ctx.on_sphere)
            ycf = out.t().contiguous()
            gcf = grad.t().contiguous()
        else:
            gcf = grad.new_empty((grad.shape[1], grad.shape[0]))
            gcf.copy_(grad.t())  # blocked transpose to channel-first
        return _vjp_channels_first(ycf, gcf, ctx.lmax, ctx.normalization).t(), None, None, None


def _spherical_harmonics_ls(ls: list[int], x: torch.Tensor, normalize: bool, normalization: str) -> torch.Tensor:
    if x.shape[-1:] != (3,):
        raise ValueError(f"x must have shape (..., 3), got {tuple(x.shape)}")
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    if not x.is_floating_point():
        raise ValueError(f"x must be a floating point tensor, got dtype {x.dtype}")
    lmax = max(ls)
    batch = x.shape[:-1]
    flat = x.reshape(-1, 3)
    if normalize:
        flat = torch.nn.functional.normalize(flat, dim=-1)  # a zero vector stays zero (as e3nn)
    sh, _ = _SolidHarmonics.apply(flat, lmax, normalization, normalize)
    if ls != list(range(lmax + 1)):
        sh = torch.cat([sh[:, l * l : (l + 1) * (l + 1)] for l in ls], dim=1)
    return sh.reshape(*batch, sh.shape[1])


def spherical_harmonics(
    l: Union[int, Sequence[int], str, Any], x: torch.Tensor, normalize: bool, normalization: str = "integral"
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
    l: Union[int, Sequence[int], Any], alpha: torch.Tensor, beta: torch.Tensor, *, normalization: str = "integral"
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
    xyz = torch.stack([sb * torch.sin(alpha), torch.cos(beta), sb * torch.cos(alpha)], dim=-1)
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
        irreps_out: Union[int, Sequence[int], str, Any],
        normalize: bool,
        normalization: str = "integral",
        irreps_in: Any = None,
    ) -> None:
        super().__init__()
        from ._irreps import Irreps  # noqa: PLC0415  (sibling module; kept lazy)

        if normalization not in NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
        ls, p_in = _parse_ls(irreps_out, irreps_in=None if irreps_in is None else str(Irreps(irreps_in)))
        self.normalize = normalize
        self.normalization = normalization
        self.irreps_in = Irreps(f"1x1{'e' if p_in == 1 else 'o'}")
        self.irreps_out = Irreps([(1, (l, p_in**l)) for l in ls]).simplify()
        self._ls_list = ls

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _spherical_harmonics_ls(self._ls_list, x, self.normalize, self.normalization)

    def extra_repr(self) -> str:
        return f"{self.irreps_out}, normalize={self.normalize}, normalization={self.normalization!r}"
