r"""An irreducible representation of :math:`O(3)`: :class:`Irrep` (the pair
``(l, p)``), ``mul`` copies of one (``_MulIr``), and the ``irrep.l1o`` namespace.
Direct sums are :class:`~curienn.o3.Irreps` (:mod:`curienn.o3._irreps`).
"""

from __future__ import annotations

import itertools
import operator
from typing import Iterator, Optional, Union

import torch

from . import _rotation
from ._errors import InvalidArgumentError
from ._wigner import wigner_D

__all__ = ["Irrep", "irrep"]


def _as_int(x, what: str) -> int:
    """``x`` as a Python int (bools, floats and strings are refused)."""
    if isinstance(x, bool):
        raise ValueError(f"{what} must be an integer, got {x!r}")
    try:
        return operator.index(x)
    except TypeError:
        raise ValueError(f"{what} must be an integer, got {x!r}") from None


def _parity_factor(p: int, k: torch.Tensor) -> torch.Tensor:
    r""":math:`p^k` for integer-valued ``k``.

    Written without ``pow``: torch.compile (2.13) evaluates ``(-1) ** k`` as -1 for every ``k``.
    """
    if p == 1:
        return torch.ones_like(k)
    return 1 - 2 * torch.remainder(k, 2)


class _RepresentationMatrices:
    """``D_from_quaternion``, ``D_from_matrix`` and ``D_from_axis_angle`` of a
    representation (:class:`Irrep`, :class:`~curienn.o3.Irreps`) from its ``D_from_angles``."""

    __slots__ = ()

    def D_from_quaternion(self, q, k=None) -> torch.Tensor:
        """Representation matrix of the quaternion ``q`` ``(..., 4)`` times :math:`(-I)^k`."""
        return self.D_from_angles(*_rotation.quaternion_to_angles(q), k)

    def D_from_matrix(self, R) -> torch.Tensor:
        r"""Representation matrix of the orthogonal matrix ``R`` ``(..., 3, 3)``, proper or improper.

        With :math:`d = \det R = \pm 1`, :math:`R = (d R) \cdot (d I)` where :math:`dR`
        is a rotation, so the result is :math:`p^k D^l(dR)` with :math:`k = (1 - d)/2`
        (block by block for a direct sum).
        """
        R = _rotation._t(R)
        d = torch.linalg.det(R).sign()
        k = (1 - d) / 2
        return self.D_from_angles(*_rotation.matrix_to_angles(d[..., None, None] * R), k)

    def D_from_axis_angle(self, axis, angle) -> torch.Tensor:
        """Representation matrix of the rotation by ``angle`` about ``axis``."""
        return self.D_from_angles(*_rotation.axis_angle_to_angles(axis, angle))


class Irrep(_RepresentationMatrices, tuple):
    r"""An irreducible representation of :math:`O(3)`, the tuple ``(l, p)``.

    Args:
        l: the degree :math:`l \ge 0`, or a string ``"3e"``/``"3o"``/``"3y"``
            (``y`` means :math:`p = (-1)^l`, the parity of the spherical harmonics),
            an ``(l, p)`` tuple or an :class:`Irrep`; then ``p`` must be omitted.
        p: the parity, ``1`` (even) or ``-1`` (odd).

    Raises:
        ValueError: naming the bad value, for a negative or non-integer ``l``,
            a parity other than ``±1`` or a malformed string.

    Examples:
        >>> Irrep("1o"), Irrep(2, 1), Irrep((0, -1)), Irrep("3y")
        (1o, 2e, 0o, 3o)
        >>> Irrep("1o").dim
        3
        >>> list(Irrep("1o") * Irrep("1o"))
        [0e, 1e, 2e]
    """

    #: the type of direct sums, :class:`Irreps` (set by :mod:`curienn.o3._irreps`, which
    #: imports this module): ``mul * ir`` and ``ir1 + ir2`` build one
    _sum_type: type = tuple

    def __new__(cls, l: Union[int, "Irrep", str, tuple], p: Optional[int] = None) -> "Irrep":
        if p is None:
            if isinstance(l, Irrep):
                return l
            if isinstance(l, str):
                name = l.strip()
                ls = name[:-1].strip()
                if len(name) < 2 or name[-1] not in "eoy" or not (ls.isascii() and ls.isdigit()):
                    raise ValueError(f'unable to convert string "{l}" into an Irrep (expected e.g. "1e", "2o", "3y")')
                l = int(ls)
                p = {"e": 1, "o": -1, "y": (-1) ** l}[name[-1]]
            elif isinstance(l, (tuple, list)):
                n = tuple.__len__(l) if isinstance(l, tuple) else len(l)  # foreign Irrep classes may hide len()
                if n != 2:
                    raise ValueError(f"unable to interpret {l!r} as an Irrep: expected (l, p)")
                l, p = l[0], l[1]
            else:
                raise ValueError(f"unable to interpret {l!r} as an Irrep: give (l, p), an Irrep or a string like '1o'")
        l = _as_int(l, "l")
        if l < 0:
            raise ValueError(f"l must be a non-negative integer, got {l}")
        if isinstance(p, bool) or p not in (-1, 1):
            raise ValueError(f"parity must be one of (-1, 1), got {p!r}")
        return super().__new__(cls, (l, int(p)))

    @property
    def l(self) -> int:  # noqa: E743
        """The degree :math:`l`."""
        return self[0]

    @property
    def p(self) -> int:
        """The parity, ``1`` or ``-1``."""
        return self[1]

    @property
    def dim(self) -> int:
        """The dimension :math:`2l + 1`."""
        return 2 * self[0] + 1

    def is_scalar(self) -> bool:
        """True only for ``0e``."""
        return self == (0, 1)

    def __repr__(self) -> str:
        return f"{self[0]}{'e' if self[1] == 1 else 'o'}"

    __str__ = __repr__

    @staticmethod
    def iterator(lmax: Optional[int] = None) -> Iterator["Irrep"]:
        r"""All irreps up to ``lmax`` (forever if ``None``): 0e, 0o, 1o, 1e, 2e, 2o, ...

        For each :math:`l` the parity :math:`(-1)^l` comes first.
        """
        for l in itertools.count():
            yield Irrep(l, (-1) ** l)
            yield Irrep(l, -((-1) ** l))
            if l == lmax:
                break

    def __mul__(self, other) -> Iterator["Irrep"]:
        r"""The irreps in :math:`l_1 \otimes l_2`: :math:`l = |l_1 - l_2|, \dots, l_1 + l_2`, parity :math:`p_1 p_2`."""
        if isinstance(other, self._sum_type) or not isinstance(other, (Irrep, str, tuple)):
            raise TypeError(f"Irrep * {type(other).__name__} is not defined (write mul * ir for multiplicities)")
        other = Irrep(other)
        p = self.p * other.p
        lo, hi = abs(self.l - other.l), self.l + other.l
        return (Irrep(l, p) for l in range(lo, hi + 1))

    def __rmul__(self, mul):
        """``mul * ir`` is ``Irreps([(mul, ir)])``."""
        if isinstance(mul, bool) or not isinstance(mul, int):
            raise InvalidArgumentError(f"mul * Irrep needs an int multiplicity, got {mul!r}")
        return self._sum_type([(mul, self)])

    def __add__(self, other):
        """``ir1 + ir2`` is ``Irreps(ir1) + Irreps(ir2)``."""
        return self._sum_type(self) + self._sum_type(other)

    def count(self, _value):  # noqa: D102 - tuple's count makes no sense here
        raise NotImplementedError("Irrep.count is not defined")

    def index(self, _value):  # noqa: D102
        raise NotImplementedError("Irrep.index is not defined")

    def D_from_angles(self, alpha, beta, gamma, k=None) -> torch.Tensor:
        r"""Representation matrix :math:`p^k D^l(\alpha, \beta, \gamma)` of a rotation times :math:`(-I)^k`.

        Args:
            alpha, beta, gamma: Euler angles (Y-X-Y), tensors of broadcastable shapes ``(...)``.
            k: number of inversions (0 or 1), shape ``(...)``; default 0.

        Returns:
            Tensor of shape ``(..., 2l+1, 2l+1)``.
        """
        alpha, beta, gamma = (_rotation._t(x) for x in (alpha, beta, gamma))
        if k is None:
            alpha, beta, gamma = torch.broadcast_tensors(alpha, beta, gamma)
            return wigner_D(self.l, alpha, beta, gamma)
        alpha, beta, gamma, k = torch.broadcast_tensors(alpha, beta, gamma, _rotation._t(k))
        return wigner_D(self.l, alpha, beta, gamma) * _parity_factor(self.p, k)[..., None, None]

class _MulIr(tuple):
    """``mul`` copies of the irrep ``ir``: the tuple ``(mul, ir)``, with ``.dim = mul * ir.dim``."""

    def __new__(cls, mul, ir=None) -> "_MulIr":
        if ir is None:
            if isinstance(mul, _MulIr):
                return mul
            mul, ir = mul
        mul = _as_int(mul, "multiplicity")
        if mul < 0:
            raise ValueError(f"multiplicity must be non-negative, got {mul}")
        return super().__new__(cls, (mul, Irrep(ir)))

    @property
    def mul(self) -> int:
        """The multiplicity."""
        return self[0]

    @property
    def ir(self) -> Irrep:
        """The irrep."""
        return self[1]

    @property
    def dim(self) -> int:
        """``mul * ir.dim``."""
        return self[0] * self[1].dim

    def __repr__(self) -> str:
        return f"{self.mul}x{self.ir}"

    __str__ = __repr__


class _IrrepNamespace:
    """``irrep.l3e`` is ``Irrep("3e")`` (e3nn's ``o3.irrep``): named irreps for readable code."""

    def __getattr__(self, name: str) -> Irrep:
        if name.startswith("l") and len(name) > 2:
            try:
                return Irrep(name[1:])
            except ValueError:
                pass
        raise AttributeError(f"irrep has no attribute {name!r}; use e.g. irrep.l1o or irrep.l2e")

    def __dir__(self) -> list[str]:
        return [f"l{ir}" for ir in Irrep.iterator(11)]

    def __repr__(self) -> str:
        return "<named irreps: irrep.l0e, irrep.l1o, ...>"


irrep = _IrrepNamespace()
