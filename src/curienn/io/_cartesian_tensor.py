r"""Cartesian tensors with index symmetries, as irreps (as ``e3nn.io.CartesianTensor``).

A Cartesian tensor :math:`T_{ij\dots}` has one vector index (``1o``, the basis
:math:`(x, y, z)`) per letter of the formula; the formula's relations (``"ij=ji"``,
``"ijkl=jikl=klij"``) cut out a subspace that decomposes into irreps of O(3)::

    "ij=ji"          -> 1x0e+1x2e          (symmetric: trace + traceless part)
    "ij=-ji"         -> 1x1e               (antisymmetric: a pseudovector)
    "ijk=-ikj=-jik"  -> 1x0o               (the Levi-Civita symbol)
    "ijkl=jikl=klij" -> 2x0e+2x2e+1x4e     (elasticity: 21 numbers)

The change of basis :math:`Q` (``(dim, 3, 3, ...)``, orthonormal rows) is that of
:class:`ReducedTensorProducts` with every index ``1o``; ``from_cartesian`` computes
:math:`x = Q\,T` and ``to_cartesian`` :math:`T = Q^\top x`, both equivariant:
:math:`Q\,(R \otimes R \otimes \dots) T = D(R)\, Q T` for every :math:`R \in O(3)`.
Unlike e3nn, :math:`Q` is computed once per formula and cached (per dtype and device).
"""

from __future__ import annotations

import functools
import string
from typing import Optional

import torch

from curienn.o3 import Irreps, ShapeError

from ._reduced_tensor_products import ReducedTensorProducts, _parse_formula, reduced_basis

__all__ = ["CartesianTensor"]


@functools.lru_cache(maxsize=256)
def _basis(formula: str, dtype: torch.dtype, device: str) -> torch.Tensor:
    indices, _ = _parse_formula(formula)
    _, _, q = reduced_basis(formula, **{c: "1o" for c in indices})
    return q.to(dtype=dtype, device=device)


class CartesianTensor(Irreps):
    r"""The irreps of a Cartesian tensor with the index symmetries of ``formula``.

    Args:
        formula: e.g. ``"ij=ji"``; letters are indices, ``=`` separates equal
            permutations, a leading ``-`` an opposite one.

    Attributes:
        formula: the formula; indices: its first term (``"ijkl"``).

    Raises:
        ValueError: malformed formula (repeated index, a term that is not a permutation,
            contradictory signs, ...).

    Example:
        >>> CartesianTensor("ijkl=jikl=klij")
        2x0e+2x2e+1x4e
    """

    formula: str
    indices: str

    def __new__(cls, formula: str) -> "CartesianTensor":
        indices, _ = _parse_formula(formula)
        _, irreps_out, _ = reduced_basis(formula, **{c: "1o" for c in indices})
        obj = super().__new__(cls, irreps_out)
        obj.formula = formula
        obj.indices = indices
        return obj

    def __getnewargs__(self) -> tuple:
        return (self.formula,)

    def _q(self, data: Optional[torch.Tensor], rtp: Optional[ReducedTensorProducts]) -> torch.Tensor:
        if rtp is not None:
            return rtp.change_of_basis
        dtype = data.dtype if data is not None and torch.is_floating_point(data) else torch.get_default_dtype()
        device = data.device if data is not None else torch.device("cpu")
        return _basis(self.formula, dtype, str(device))

    def from_cartesian(self, data: torch.Tensor, rtp: Optional[ReducedTensorProducts] = None) -> torch.Tensor:
        r"""Irrep components :math:`x = Q T`: ``(..., 3, 3, ...)`` -> ``(..., dim)``.

        The part of ``data`` that does not have the formula's symmetry is projected out.
        """
        n = len(self.indices)
        if data.ndim < n or tuple(data.shape[data.ndim - n :]) != (3,) * n:
            shape = ", ".join(["3"] * n)
            raise ShapeError(f"data must have shape (..., {shape}) for {self.formula!r}, got {tuple(data.shape)}")
        q = self._q(data, rtp)
        return (data.reshape(*data.shape[: data.ndim - n], 3**n) @ q.reshape(q.shape[0], -1).T.to(data.dtype))

    def to_cartesian(self, data: torch.Tensor, rtp: Optional[ReducedTensorProducts] = None) -> torch.Tensor:
        r"""The Cartesian tensor :math:`T = Q^\top x`: ``(..., dim)`` -> ``(..., 3, 3, ...)``."""
        if data.ndim < 1 or data.shape[-1] != self.dim:
            raise ShapeError(f"data must have shape (..., {self.dim}) for {self.formula!r}, got {tuple(data.shape)}")
        q = self._q(data, rtp)
        n = len(self.indices)
        return (data @ q.reshape(q.shape[0], -1).to(data.dtype)).reshape(*data.shape[:-1], *(3,) * n)

    def from_vectors(self, *xs: torch.Tensor, rtp: Optional[ReducedTensorProducts] = None) -> torch.Tensor:
        r"""Irrep components of the (symmetrised) outer product :math:`x_1 \otimes x_2 \otimes
        \cdots` of vectors ``(..., 3)`` (broadcast): ``(..., dim)``."""
        if len(xs) != len(self.indices):
            raise ValueError(f"{self.formula!r} needs {len(self.indices)} vectors, got {len(xs)}")
        for x in xs:
            if x.shape[-1] != 3:
                raise ValueError(f"vectors must have shape (..., 3), got {tuple(x.shape)}")
        q = self._q(xs[0], rtp)
        letters = string.ascii_letters[: len(xs)]
        eq = "Z" + letters + "," + ",".join("..." + c for c in letters) + "->...Z"
        return torch.einsum(eq, q.to(xs[0].dtype), *xs)

    def reduced_tensor_products(self, data: Optional[torch.Tensor] = None) -> ReducedTensorProducts:
        """The :class:`ReducedTensorProducts` of the formula (every index ``1o``), on the dtype
        and device of ``data`` (its basis comes from the cache)."""
        rtp = ReducedTensorProducts(self.formula, **{c: "1o" for c in self.indices})
        if data is not None:
            rtp = rtp.to(device=data.device, dtype=data.dtype if torch.is_floating_point(data) else None)
        return rtp
