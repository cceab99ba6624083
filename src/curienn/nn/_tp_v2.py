r"""Parameter-free full and elementwise tensor products written as one einsum per path
(``e3nn.o3.experimental.FullTensorProductv2`` and ``ElementwiseTensorProductv2``).

For input irreps :math:`m_1 \times l_1` and :math:`m_2 \times l_2` and every
:math:`l_o \in l_1 \otimes l_2` (optionally filtered), a path computes

.. math::

    z_{uvk} = \sqrt{c}\sum_{ij} C^{l_1 l_2 l_o}_{ijk}\, x_{ui}\, y_{vj}
    \quad\text{(full: all pairs } u, v\text{)},\qquad
    z_{uk} = \sqrt{c}\sum_{ij} C^{l_1 l_2 l_o}_{ijk}\, x_{ui}\, y_{uj}
    \quad\text{(elementwise)},

with :math:`C` = :func:`~curienn.o3.wigner_3j` and :math:`c = 2l_o+1` (``'component'``) or
:math:`(2l_1+1)(2l_2+1)` (``'norm'``). The outputs are concatenated in the order of the
sorted output irreps. The numbers equal the v1 :class:`FullTensorProduct` /
:class:`ElementwiseTensorProduct` up to the order of the outputs; these versions take
broadcasting leading dimensions and are written for ``torch.compile``.

e3nn keys its paths by ``(l1, p1, l2, p2, l_out, p_out)`` in a dict, so two paths with the
same irreps (possible with ``regroup_output=False`` or in the elementwise product of
repeated irreps) overwrite each other there and e3nn's output loses entries; here every path
is kept, so the output always has ``irreps_out.dim`` entries.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

import torch

from ..o3 import InvalidArgumentError, Irreps, ShapeError, wigner_3j
from ._tp_sub import _filter, align_multiplicities

__all__ = ["TPChunk", "TPPath", "FullTensorProductv2", "ElementwiseTensorProductv2"]


class TPChunk(NamedTuple):
    """A block of ``mul`` copies of an irrep of dimension ``dim``, at ``slice`` of its tensor
    (``e3nn.util.datatypes.Chunk``)."""

    mul: int
    dim: int
    slice: Optional[slice] = None


class TPPath(NamedTuple):
    """The input and output blocks of one path (``e3nn.util.datatypes.Path``)."""

    input_1_slice: TPChunk
    input_2_slice: TPChunk
    output_slice: TPChunk


def _prepare_inputs(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, tuple]:
    dtype = torch.promote_types(x.dtype, y.dtype)
    x, y = x.to(dtype), y.to(dtype)
    lead = tuple(torch.broadcast_shapes(x.shape[:-1], y.shape[:-1]))
    return x.broadcast_to(lead + x.shape[-1:]), y.broadcast_to(lead + y.shape[-1:]), lead


class _EinsumTensorProduct(torch.nn.Module):
    """Shared machinery: registered Clebsch-Gordan buffers ``cg_{l1}_{l2}_{lo}`` (e3nn's
    names), a list of ``(key, TPPath)`` and the einsum of each path."""

    _equation: str

    def _setup(self, paths: list, irreps_in1: Irreps, irreps_in2: Irreps, irrep_normalization: str) -> None:
        if irrep_normalization not in ("component", "norm"):
            raise InvalidArgumentError(f"irrep_normalization={irrep_normalization!r} not supported ('component' or 'norm')")
        out = []
        for (ir_1, ir_2, ir_out), path in paths:
            cg = wigner_3j(ir_1.l, ir_2.l, ir_out.l)
            cg = cg * (ir_out.dim if irrep_normalization == "component" else ir_1.dim * ir_2.dim) ** 0.5
            self.register_buffer(f"cg_{ir_1.l}_{ir_2.l}_{ir_out.l}", cg)
            out.append((path.output_slice.mul, ir_out))
        self.paths = [((ir_1.l, ir_1.p, ir_2.l, ir_2.p, ir_o.l, ir_o.p), path) for (ir_1, ir_2, ir_o), path in paths]
        self.irreps_out, _, self.inv = Irreps(out).sort()
        self.irreps_in1 = irreps_in1
        self.irreps_in2 = irreps_in2
        self._dims = (irreps_in1.dim, irreps_in2.dim)

    def forward(self, input1: torch.Tensor, input2: torch.Tensor) -> torch.Tensor:
        if input1.shape[-1:] != (self._dims[0],) or input2.shape[-1:] != (self._dims[1],):
            raise ShapeError(
                f"inputs of shapes {tuple(input1.shape)} and {tuple(input2.shape)}, expected (..., {self._dims[0]}) "
                f"and (..., {self._dims[1]})"
            )
        x, y, lead = _prepare_inputs(input1, input2)
        chunks = []
        for (l1, _, l2, _, lo, _), ((m1, d1, s1), (m2, d2, s2), (mo, do, _)) in self.paths:
            cg = getattr(self, f"cg_{l1}_{l2}_{lo}").to(x.dtype)
            z = torch.einsum(self._equation, x[..., s1].reshape(lead + (m1, d1)), y[..., s2].reshape(lead + (m2, d2)), cg)
            chunks.append(z.reshape(lead + (mo * do,)))
        if not chunks:
            return x.new_zeros(lead + (0,))
        return torch.cat([chunks[i] for i in self.inv], dim=-1)


class FullTensorProductv2(_EinsumTensorProduct):
    r"""All products :math:`x_u \otimes y_v` of the two inputs, every output irrep
    (see the module).

    Args:
        irreps_in1, irreps_in2: the inputs (regrouped first, unless ``regroup_output=False``).
        filter_ir_out: keep only these output irreps.
        irrep_normalization: ``'component'`` (default) or ``'norm'``.
        regroup_output: sort and merge the input irreps first (e3nn's default).

    Shapes: ``(..., irreps_in1.dim)``, ``(..., irreps_in2.dim)`` (broadcasting leading
    dimensions) -> ``(..., irreps_out.dim)``; ``irreps_out`` is sorted.
    """

    _equation = "...ui,...vj,ijk->...uvk"

    def __init__(self, irreps_in1, irreps_in2, *, filter_ir_out=None, irrep_normalization: str = "component",
                 regroup_output: bool = True) -> None:
        super().__init__()
        irreps_in1, irreps_in2 = Irreps(irreps_in1), Irreps(irreps_in2)
        filter_ir_out = _filter(filter_ir_out)
        if regroup_output:
            irreps_in1, irreps_in2 = irreps_in1.regroup(), irreps_in2.regroup()
        paths = []
        for (mul_1, ir_1), slice_1 in zip(irreps_in1, irreps_in1.slices()):
            for (mul_2, ir_2), slice_2 in zip(irreps_in2, irreps_in2.slices()):
                for ir_out in ir_1 * ir_2:
                    if filter_ir_out is not None and ir_out not in filter_ir_out:
                        continue
                    path = TPPath(TPChunk(mul_1, ir_1.dim, slice_1), TPChunk(mul_2, ir_2.dim, slice_2),
                                  TPChunk(mul_1 * mul_2, ir_out.dim))
                    paths.append(((ir_1, ir_2, ir_out), path))
        self._setup(paths, irreps_in1, irreps_in2, irrep_normalization)


class ElementwiseTensorProductv2(_EinsumTensorProduct):
    r"""Products :math:`x_u \otimes y_u` of aligned copies (the multiplicities are split so
    that the two inputs line up one irrep against one irrep), every output irrep.

    Args:
        irreps_in1, irreps_in2: inputs with the same number of irreps (``num_irreps``).
        filter_ir_out: keep only these output irreps.
        irrep_normalization: ``'component'`` (default) or ``'norm'``.

    Shapes: as :class:`FullTensorProductv2`.
    """

    _equation = "...ui,...uj,ijk->...uk"

    def __init__(self, irreps_in1, irreps_in2, *, filter_ir_out=None, irrep_normalization: str = "component") -> None:
        super().__init__()
        irreps_in1, irreps_in2 = Irreps(irreps_in1), Irreps(irreps_in2)
        filter_ir_out = _filter(filter_ir_out)
        if irreps_in1.num_irreps != irreps_in2.num_irreps:
            raise ValueError(
                "ElementwiseTensorProductv2: inputs must have the same number of irreps, "
                f"got {irreps_in1.num_irreps} and {irreps_in2.num_irreps}"
            )
        aligned = align_multiplicities(irreps_in1, irreps_in2)
        irreps_in1 = Irreps([(mul, ir) for mul, ir, _ in aligned])
        irreps_in2 = Irreps([(mul, ir) for mul, _, ir in aligned])
        paths = []
        for (mul, ir_1), slice_1, (_, ir_2), slice_2 in zip(irreps_in1, irreps_in1.slices(), irreps_in2,
                                                             irreps_in2.slices()):
            for ir_out in ir_1 * ir_2:
                if filter_ir_out is not None and ir_out not in filter_ir_out:
                    continue
                path = TPPath(TPChunk(mul, ir_1.dim, slice_1), TPChunk(mul, ir_2.dim, slice_2), TPChunk(mul, ir_out.dim))
                paths.append(((ir_1, ir_2, ir_out), path))
        self._setup(paths, irreps_in1, irreps_in2, irrep_normalization)
