r"""Irreducible representations of :math:`O(3)` and direct sums of them.

An irrep of :math:`O(3) = SO(3) \times \{1, -1\}` is labelled by its degree
:math:`l \ge 0` (dimension :math:`2l + 1`) and its parity :math:`p = \pm 1`
(written ``e`` for even, :math:`p = 1`, and ``o`` for odd, :math:`p = -1`).
A rotation :math:`R` acts by the Wigner matrix :math:`D^l(R)`; the inversion
:math:`-I` acts by :math:`p`. So ``1o`` is a polar vector (:math:`D^1(R) = R`
in the basis :math:`(x, y, z)`), ``1e`` a pseudovector and ``0o`` a pseudoscalar.

:class:`Irreps` is a direct sum, written ``"16x0e + 8x1o"``: a tuple of
``(mul, ir)`` pairs. Data carrying these irreps is a tensor whose last axis has
size :attr:`Irreps.dim`, laid out as ``mul`` consecutive copies of each irrep.

The API, the string forms and the numbers follow e3nn 0.6.0.
"""

from __future__ import annotations

import collections
from typing import Callable, Optional, Union

import torch

from . import _rotation
from ._errors import InvalidIndexError, UnsupportedOperationError
from ._irrep import Irrep, _MulIr, _parity_factor, _RepresentationMatrices, irrep  # noqa: F401 (irrep: re-exported)
from ._wigner import wigner_D

__all__ = ["Irrep", "Irreps", "irrep"]


_SortResult = collections.namedtuple("sort", ["irreps", "p", "inv"])


def _parse_term(term: str, whole: str) -> _MulIr:
    """One ``"mul x ir"`` or ``"ir"`` term of an irreps string."""
    t = term.strip()
    if not t:
        raise ValueError(f'unable to convert string "{whole}" into an Irreps: empty term')
    if "x" in t:
        parts = t.split("x")
        if len(parts) != 2:
            raise ValueError(f'unable to convert string "{whole}" into an Irreps: bad term "{t}"')
        mul_s, ir_s = parts[0].strip(), parts[1].strip()
        if not (mul_s.isascii() and mul_s.isdigit()):
            raise ValueError(
                f'unable to convert string "{whole}" into an Irreps: bad multiplicity "{mul_s}" in term "{t}"'
            )
        mul = int(mul_s)
    else:
        mul, ir_s = 1, t
    try:
        ir = Irrep(ir_s)
    except ValueError:
        msg = f'unable to convert string "{whole}" into an Irreps: bad irrep "{ir_s}" in term "{t}"'
        raise ValueError(msg) from None
    return _MulIr(mul, ir)


def _parse_item(item) -> _MulIr:
    """One element of a list given to :class:`Irreps`."""
    if isinstance(item, _MulIr):
        return item
    if isinstance(item, (Irrep, str)):
        return _MulIr(1, Irrep(item))
    if isinstance(item, (tuple, list)) and len(item) == 2:  # (mul, ir); a bare (l, p) is refused, as in e3nn
        try:
            return _MulIr(*item)
        except ValueError as e:
            raise ValueError(f"unable to interpret {item!r} as (mul, irrep): {e}") from None
    raise ValueError(f"unable to interpret {item!r} as an irrep: give '1e', (mul, '1e'), (mul, (l, p)) or an Irrep")


class Irreps(_RepresentationMatrices, tuple):
    r"""A direct sum of irreps: a tuple of ``(mul, ir)`` pairs.

    Args:
        irreps: a string ``"16x0e + 8x1o + 2e"`` (terms split on ``+``, then on
            ``x``; whitespace is ignored; multiplicity 0 is allowed), an
            :class:`Irrep`, an :class:`Irreps`, ``None`` or ``""`` (empty), or a
            list whose elements are ``"1e"``, ``(mul, "1e")``, ``(mul, (l, p))``
            or :class:`Irrep`.

    Raises:
        ValueError: for malformed input, naming the bad term or value.

    Equality is tuple equality, so ``Irreps("1e+1e") != Irreps("2x1e")``.

    Examples:
        >>> x = Irreps("16x0e + 8x1o")
        >>> x, x.dim, x.num_irreps, x.lmax
        (16x0e+8x1o, 40, 24, 1)
        >>> Irreps("1e + 0e + 1e").regroup()
        1x0e+2x1e
    """

    _e3nn_irreps_marker = True

    def __new__(cls, irreps=None) -> "Irreps":
        if isinstance(irreps, Irreps):
            return super().__new__(cls, irreps)
        if irreps is None:
            out = []
        elif isinstance(irreps, Irrep):
            out = [_MulIr(1, irreps)]
        elif isinstance(irreps, _MulIr):
            out = [irreps]
        elif isinstance(irreps, str):
            out = [] if not irreps.strip() else [_parse_term(t, irreps) for t in irreps.split("+")]
        elif isinstance(irreps, (list, tuple)):
            out = [_parse_item(item) for item in irreps]
        else:
            raise ValueError(f"unable to convert {irreps!r} into an Irreps")
        return super().__new__(cls, out)

    def __repr__(self) -> str:
        return "+".join(repr(mul_ir) for mul_ir in self)

    __str__ = __repr__

    def __getitem__(self, i):
        """An int gives the ``_MulIr`` ``(mul, ir)``; a slice gives an :class:`Irreps`."""
        x = super().__getitem__(i)
        if isinstance(i, slice):
            return Irreps(x)
        return x

    # ----------------------------------------------------------------- sizes

    @property
    def dim(self) -> int:
        r"""Total dimension :math:`\sum \mathrm{mul} \cdot (2l + 1)`."""
        return sum(mul_ir.dim for mul_ir in self)

    @property
    def num_irreps(self) -> int:
        """Total number of irreps, the sum of the multiplicities."""
        return sum(mul for mul, _ in self)

    @property
    def ls(self) -> list[int]:
        """The degree of every irrep, each repeated ``mul`` times."""
        return [ir.l for mul, ir in self for _ in range(mul)]

    @property
    def lmax(self) -> int:
        """The largest degree of the irreps present (multiplicity > 0). Raises ``ValueError`` if there are none."""
        ls = [ir.l for mul, ir in self if mul > 0]
        if not ls:
            raise ValueError(f"cannot get lmax of an empty Irreps ({self!r})")
        return max(ls)

    def count(self, ir) -> int:
        """The total multiplicity of the irrep ``ir``."""
        ir = Irrep(ir)
        return sum(mul for mul, irr in self if irr == ir)

    def index(self, _value):  # noqa: D102
        raise NotImplementedError("Irreps.index is not defined; use slices()")

    def __contains__(self, ir) -> bool:
        """Whether the irrep ``ir`` appears (with any multiplicity, even 0)."""
        ir = Irrep(ir)
        return any(irr == ir for _, irr in self)

    def slices(self) -> list[slice]:
        """The slice of the data axis occupied by each ``(mul, ir)``."""
        out, start = [], 0
        for mul_ir in self:
            out.append(slice(start, start + mul_ir.dim))
            start += mul_ir.dim
        return out

    # ----------------------------------------------------------------- rearrangements

    def simplify(self) -> "Irreps":
        """Drop multiplicities 0, then merge *adjacent* equal irreps: ``1e+1e+0e+1e`` -> ``2x1e+1x0e+1x1e``."""
        out: list[list] = []
        for mul, ir in self:
            if mul == 0:
                continue
            if out and out[-1][1] == ir:
                out[-1][0] += mul
            else:
                out.append([mul, ir])
        return Irreps([(mul, ir) for mul, ir in out])

    def remove_zero_multiplicities(self) -> "Irreps":
        """The same irreps without the terms of multiplicity 0."""
        return Irreps([mul_ir for mul_ir in self if mul_ir.mul > 0])

    def sort(self):
        """Stable sort by irrep, ordered as ``(l, p)`` (so ``0o < 0e < 1o``).

        Returns:
            namedtuple ``(irreps, p, inv)``: the sorted irreps, the permutation
            ``p`` with ``p[old] = new`` and its inverse ``inv[new] = old``.
        """
        inv = tuple(sorted(range(len(self)), key=lambda i: self[i].ir))
        p = [0] * len(inv)
        for new, old in enumerate(inv):
            p[old] = new
        return _SortResult(Irreps([self[i] for i in inv]), tuple(p), inv)

    def regroup(self) -> "Irreps":
        """``sort().irreps.simplify()``: each irrep once, sorted."""
        return self.sort().irreps.simplify()

    def filter(
        self,
        keep: Union["Irreps", list, str, Irrep, Callable[[_MulIr], bool], None] = None,
        *,
        drop: Union["Irreps", list, str, Irrep, Callable[[_MulIr], bool], None] = None,
        lmax: Optional[int] = None,
    ) -> "Irreps":
        """Keep the terms whose irrep is in ``keep``, or drop those in ``drop``, or those with ``l > lmax``.

        ``keep``/``drop`` may be irreps (string, :class:`Irreps`, :class:`Irrep`,
        list of irreps; multiplicities are ignored) or a predicate on ``(mul, ir)``.
        At most one of the three arguments may be given.

        Examples:
            >>> Irreps("1e + 2e + 0e").filter(keep="2e + 2x1e")
            1x1e+1x2e
            >>> Irreps("1e + 2e + 0e").filter(lmax=1)
            1x1e+1x0e
        """
        given = [name for name, v in (("keep", keep), ("drop", drop), ("lmax", lmax)) if v is not None]
        if len(given) > 1:
            raise ValueError(f"cannot specify both {given[0]} and {given[1]}")
        if not given:
            return self
        if lmax is not None:
            return Irreps([mul_ir for mul_ir in self if mul_ir.ir.l <= lmax])
        sel = keep if keep is not None else drop
        if callable(sel) and not isinstance(sel, (Irreps, Irrep, str)):
            test = sel
        else:
            if isinstance(sel, (str, Irrep, _MulIr)):
                sel = Irreps(sel)
            irs = {mul_ir.ir if isinstance(mul_ir, _MulIr) else Irrep(mul_ir) for mul_ir in sel}

            def test(mul_ir):
                return mul_ir.ir in irs

        want = keep is not None
        return Irreps([mul_ir for mul_ir in self if bool(test(mul_ir)) == want])

    @property
    def slice_by_mul(self) -> "_SliceByMul":
        """Slice by multiplicity: ``Irreps("2x0e+3x1o").slice_by_mul[1:3]`` is ``1x0e+1x1o``."""
        return _SliceByMul(self)

    # ----------------------------------------------------------------- arithmetic

    def __add__(self, other) -> "Irreps":
        """Concatenation."""
        return Irreps(tuple.__add__(self, Irreps(other)))

    def __radd__(self, other) -> "Irreps":
        return Irreps(other) + self

    def __mul__(self, other) -> "Irreps":
        """``irreps * n`` repeats the sequence ``n`` times; ``Irreps * Irreps`` is not defined."""
        if isinstance(other, (Irreps, Irrep)):
            raise UnsupportedOperationError("Irreps * Irreps is not defined; use a tensor product (curienn.nn)")
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return Irreps(tuple.__mul__(self, other))

    def __rmul__(self, other) -> "Irreps":
        return self.__mul__(other)

    # ----------------------------------------------------------------- constructors

    @staticmethod
    def spherical_harmonics(lmax: int, p: int = -1) -> "Irreps":
        r"""``1x0e + 1x1o + 1x2e + ...`` up to ``lmax``: the irrep of degree :math:`l` has parity :math:`p^l`."""
        if p not in (-1, 1):
            raise ValueError(f"parity must be one of (-1, 1), got {p!r}")
        return Irreps([(1, (l, p**l)) for l in range(lmax + 1)])

    def randn(
        self,
        *size: int,
        normalization: str = "component",
        requires_grad: bool = False,
        dtype=None,
        device=None,
    ) -> torch.Tensor:
        """Random data with these irreps.

        Args:
            size: the shape, with exactly one ``-1`` standing for :attr:`dim`.
            normalization: ``"component"`` (standard normal components) or ``"norm"``
                (each irrep has unit norm, its direction uniform).

        Returns:
            Tensor of shape ``size`` with ``-1`` replaced by :attr:`dim`.
        """
        if sum(1 for s in size if s == -1) != 1:
            raise ValueError(f"randn needs exactly one -1 in size (for irreps.dim), got {size}")
        di = size.index(-1)
        lsize, rsize = size[:di], size[di + 1 :]
        if normalization == "component":
            x = torch.randn(*lsize, self.dim, *rsize, dtype=dtype, device=device)
        elif normalization == "norm":
            chunks = []
            for mul, ir in self:
                r = torch.randn(*lsize, mul, ir.dim, *rsize, dtype=dtype, device=device)
                r = r / r.norm(dim=di + 1, keepdim=True)
                chunks.append(r.reshape(*lsize, mul * ir.dim, *rsize))
            x = torch.cat(chunks, dim=di) if chunks else torch.zeros(*lsize, 0, *rsize, dtype=dtype, device=device)
        else:
            raise ValueError(f"normalization must be 'component' or 'norm', got {normalization!r}")
        return x.requires_grad_(requires_grad)

    # ----------------------------------------------------------------- representation matrices

    def D_from_angles(self, alpha, beta, gamma, k=None) -> torch.Tensor:
        r"""Block-diagonal representation matrix :math:`\bigoplus p^k D^l(\alpha, \beta, \gamma)`.

        Args:
            alpha, beta, gamma: Euler angles (Y-X-Y), broadcastable shapes ``(...)``.
            k: number of inversions (0 or 1), shape ``(...)``; default 0.

        Returns:
            Tensor of shape ``(..., dim, dim)``.
        """
        args = [_rotation._t(x) for x in (alpha, beta, gamma)] + ([] if k is None else [_rotation._t(k)])
        args = torch.broadcast_tensors(*args)
        shape, dtype, device = args[0].shape, args[0].dtype, args[0].device
        out = torch.zeros(*shape, self.dim, self.dim, dtype=dtype, device=device)
        cache: dict[int, torch.Tensor] = {}  # one Wigner matrix per degree
        start = 0
        for mul, ir in self:
            if mul == 0:
                continue
            if ir.l not in cache:
                cache[ir.l] = wigner_D(ir.l, *args[:3])
            D = cache[ir.l] if k is None else cache[ir.l] * _parity_factor(ir.p, args[3])[..., None, None]
            for _ in range(mul):
                out[..., start : start + ir.dim, start : start + ir.dim] = D
                start += ir.dim
        return out

class _SliceByMul:
    """``irreps.slice_by_mul[a:b]``: the irreps of copies ``a`` to ``b - 1`` counted over all multiplicities."""

    def __init__(self, irreps: Irreps) -> None:
        self.irreps = irreps

    def __getitem__(self, s) -> Irreps:
        if not isinstance(s, slice):
            raise InvalidIndexError(f"Irreps.slice_by_mul only supports slices, got {s!r}")
        start, stop, step = s.indices(self.irreps.num_irreps)
        if step != 1:
            raise UnsupportedOperationError(f"Irreps.slice_by_mul does not support a step, got {step}")
        out, i = [], 0
        for mul, ir in self.irreps:
            if start <= i and i + mul <= stop:  # the whole term lies in [start, stop)
                out.append((mul, ir))
            elif start < i + mul and i < stop:  # the intervals overlap (or the empty slice lies inside)
                out.append((min(stop, i + mul) - max(start, i), ir))
            i += mul
        return Irreps(out)


Irrep._sum_type = Irreps
