"""Pick sub-sets of the irreps of a feature vector.

Same API and numbers as ``e3nn.nn.Extract``, ``e3nn.nn.ExtractIr`` and
``e3nn.nn.Identity`` (e3nn 0.6.0); plain slicing instead of generated code.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple, Union

import torch

from ..o3 import InvalidArgumentError, InvalidIndexError, Irrep, Irreps, ShapeError

__all__ = ["Extract", "ExtractIr", "Identity"]


class Extract(torch.nn.Module):
    r"""Extract sub-sets of irreps: output :math:`k` is the concatenation of the input
    irreps ``instructions[k]`` (indices into ``irreps_in``), in that order.

    Args:
        irreps_in: representation of the input.
        irreps_outs: one representation per output; ``irreps_outs[k][j]`` must equal
            ``irreps_in[instructions[k][j]]``.
        instructions: one tuple of indices into ``irreps_in`` per output.
        squeeze_out: return a tensor instead of a 1-tuple when there is one output.

    Shapes:
        ``(..., irreps_in.dim) -> tuple of (..., irreps_outs[k].dim)``. The outputs may
        share memory with the input (they are slices when possible).

    Raises:
        ValueError: on mismatched lengths, indices out of range, an output entry
            whose dimension differs from the input entry it takes, or a wrong input
            dimension.

    Example:
        >>> c = Extract("1e + 0e + 0e", ["0e", "0e"], [(1,), (2,)])
        >>> c(torch.tensor([0.0, 0.0, 0.0, 1.0, 2.0]))
        (tensor([1.]), tensor([2.]))
    """

    def __init__(
        self,
        irreps_in,
        irreps_outs: Sequence,
        instructions: Sequence[Sequence[int]],
        squeeze_out: bool = False,
    ) -> None:
        super().__init__()
        self.irreps_in = Irreps(irreps_in)
        self.irreps_outs = tuple(Irreps(irreps) for irreps in irreps_outs)
        self.instructions = instructions
        self.squeeze_out = squeeze_out
        self._dim_in = self.irreps_in.dim  # plain int: forward never touches Irreps
        if len(self.irreps_outs) != len(instructions):
            raise InvalidArgumentError(
                f"Extract: {len(instructions)} instructions for {len(self.irreps_outs)} "
                f"outputs (instructions={instructions})"
            )
        starts = [0]
        for mul_ir in self.irreps_in:
            starts.append(starts[-1] + mul_ir.dim)
        self._ranges: List[List[Tuple[int, int]]] = []
        for irreps_out, ins in zip(self.irreps_outs, instructions):
            ins = tuple(ins)
            if len(irreps_out) != len(ins):
                raise InvalidArgumentError(
                    f"Extract: instruction {ins} has {len(ins)} entries but irreps_out="
                    f"{irreps_out} has {len(irreps_out)}"
                )
            ranges: List[Tuple[int, int]] = []
            for mul_ir, i in zip(irreps_out, ins):
                if not 0 <= i < len(self.irreps_in):
                    raise InvalidIndexError(
                        f"Extract: index {i} is out of range for irreps_in={self.irreps_in}"
                    )
                start, stop = starts[i], starts[i + 1]
                if stop - start != mul_ir.dim:
                    raise ValueError(
                        f"Extract: irreps_in[{i}] = {self.irreps_in[i]} does not have the "
                        f"dimension of {mul_ir} in irreps_out={irreps_out}"
                    )
                if stop == start:
                    continue
                if ranges and ranges[-1][1] == start:  # merge contiguous slices
                    ranges[-1] = (ranges[-1][0], stop)
                else:
                    ranges.append((start, stop))
            self._ranges.append(ranges)

    def __repr__(self) -> str:
        outs = ", ".join(str(irreps) for irreps in self.irreps_outs)
        return f"{self.__class__.__name__}({self.irreps_in} -> [{outs}])"

    def forward(self, x: torch.Tensor) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        if x.shape[-1] != self._dim_in:
            raise ShapeError(
                f"{self.__class__.__name__}: the last dimension of the input is "
                f"{x.shape[-1]}, but irreps_in={self.irreps_in} has dimension {self._dim_in}"
            )
        out = []
        for ranges in self._ranges:
            if not ranges:
                out.append(x.new_zeros(x.shape[:-1] + (0,)))
            elif len(ranges) == 1:
                start, stop = ranges[0]
                out.append(x[..., start:stop])
            else:
                out.append(torch.cat([x[..., a:b] for a, b in ranges], dim=-1))
        if self.squeeze_out and len(out) == 1:
            return out[0]
        return tuple(out)


class ExtractIr(Extract):
    r"""Extract every entry of ``irreps_in`` whose irrep is ``ir``.

    Args:
        irreps_in: representation of the input.
        ir: the irrep to keep.

    Attributes:
        irreps_out: the kept entries, in their input order.

    Shapes:
        ``(..., irreps_in.dim) -> (..., irreps_out.dim)``.

    Example:
        >>> ExtractIr("0e + 1o + 2x0e", "0e").irreps_out
        1x0e+2x0e
    """

    def __init__(self, irreps_in, ir) -> None:
        ir = Irrep(ir)
        irreps_in = Irreps(irreps_in)
        irreps_out = Irreps([mul_ir for mul_ir in irreps_in if mul_ir.ir == ir])
        instructions = [tuple(i for i, mul_ir in enumerate(irreps_in) if mul_ir.ir == ir)]
        super().__init__(irreps_in, [irreps_out], instructions, squeeze_out=True)
        self.irreps_out = irreps_out


class Identity(torch.nn.Module):
    r"""The identity, between two representations that simplify to the same irreps.

    Args:
        irreps_in: representation of the input.
        irreps_out: representation of the output; ``simplify()`` must equal the input's.

    Attributes:
        output_mask: buffer of ones, shape ``(irreps_out.dim,)`` (as in e3nn).

    Shapes:
        ``(..., dim) -> (..., dim)``.

    Raises:
        ValueError: if the simplified irreps differ.
    """

    def __init__(self, irreps_in, irreps_out) -> None:
        super().__init__()
        self.irreps_in = Irreps(irreps_in).simplify()
        self.irreps_out = Irreps(irreps_out).simplify()
        if self.irreps_in != self.irreps_out:
            raise InvalidArgumentError(
                f"Identity: irreps_in={self.irreps_in} and irreps_out={self.irreps_out} differ"
            )
        self.register_buffer("output_mask", torch.ones(self.irreps_out.dim))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.irreps_in} -> {self.irreps_out})"

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return features
