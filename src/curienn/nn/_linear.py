"""Equivariant linear map between irreps tensors (e3nn 0.6.0 API, numbers and weight layout)."""

from __future__ import annotations

from math import prod
from typing import Iterator, NamedTuple, Optional, Sequence, Union

import torch

from .. import o3
from ..o3 import InstructionError, InvalidArgumentError, InvalidIndexError, MissingWeightsError, ShapeError
from ._ir_mul import IrMulToMulIr, MulIrToIrMul

__all__ = ["Linear"]


class Instruction(NamedTuple):
    """One block of a :class:`Linear`: ``irreps_in[i_in] -> irreps_out[i_out]`` (``i_in = -1``: a bias)."""

    i_in: int
    i_out: int
    path_shape: tuple
    path_weight: float


class Linear(torch.nn.Module):
    r"""Linear map equivariant under :math:`O(3)`: mixes the copies of equal irreps.

    .. math::

        z^{(o)}_{w k} = \sum_{(a \to o)} \frac{1}{\sqrt{\text{fan-in}_o}} \sum_u W^{(a o)}_{u w}\, x^{(a)}_{u k}
        \;+\; b^{(o)}_{w}

    ``fan-in_o`` is the total input multiplicity feeding output ``o``
    (``path_normalization='element'``) or the instruction's own multiplicity times the
    number of instructions into ``o`` (``'path'``), times ``f_in`` if given.  Biases exist
    only on ``0e`` outputs and start at zero.  Note that ``Linear("3x0e+7x0e", ...)`` and
    ``Linear("10x0e", ...)`` differ (more instructions, other normalization), as in e3nn.

    Weights are one flat vector in e3nn's layout (instruction by instruction, each
    ``(mul_in, mul_out)`` row-major), so e3nn weights can be copied in.

    Args:
        irreps_in, irreps_out: irreps of the input and the output.
        f_in, f_out: optional extra feature axes: input ``(..., f_in, irreps_in.dim)``,
            output ``(..., f_out, irreps_out.dim)``, weight ``(f_in, f_out, weight_numel)``.
        internal_weights: store weights and biases as parameters (default ``True``
            unless ``shared_weights=False``).
        shared_weights: one weight for the batch (default ``True``); ``False`` takes
            per-sample weights ``(..., weight_numel)``.
        instructions: ``(i_in, i_out)`` pairs; default every pair with equal irreps.
        biases: ``True`` for a bias on every ``0e`` output, or a list of bools.
        path_normalization: ``'element'`` (default) or ``'path'``.

    Shapes:
        ``forward(x (..., irreps_in.dim), weight=None, bias=None) -> (..., irreps_out.dim)``.

    Raises:
        ValueError: bad normalization, instruction indices or irreps mismatch, a bias on
            a non-scalar output, and at call time a wrong last dimension or wrongly
            sized weights or biases.
    """

    def __init__(
        self,
        irreps_in,
        irreps_out,
        *,
        f_in: Optional[int] = None,
        f_out: Optional[int] = None,
        internal_weights: Optional[bool] = None,
        shared_weights: Optional[bool] = None,
        instructions: Optional[Sequence[tuple[int, int]]] = None,
        biases: Union[bool, Sequence[bool]] = False,
        path_normalization: str = "element",
        _optimize_einsums: Optional[bool] = None,
    ) -> None:
        super().__init__()
        if path_normalization not in ("element", "path"):
            raise InvalidArgumentError(f"path_normalization must be 'element' or 'path', got {path_normalization!r}")
        if (f_in is None) != (f_out is None):
            raise ValueError(f"f_in and f_out must be given together, got f_in={f_in}, f_out={f_out}")
        irreps_in = o3.Irreps(irreps_in)
        irreps_out = o3.Irreps(irreps_out)

        if instructions is None:
            instructions = [
                (i_in, i_out)
                for i_in, (_, ir_in) in enumerate(irreps_in)
                for i_out, (_, ir_out) in enumerate(irreps_out)
                if ir_in == ir_out
            ]
        pairs = []
        for k, pair in enumerate(instructions):
            i_in, i_out = tuple(pair)
            if not (isinstance(i_in, int) and 0 <= i_in < len(irreps_in)):
                raise InvalidIndexError(f"instruction {k}: {i_in!r} is not a valid index for irreps_in={irreps_in}")
            if not (isinstance(i_out, int) and 0 <= i_out < len(irreps_out)):
                raise InvalidIndexError(f"instruction {k}: {i_out!r} is not a valid index for irreps_out={irreps_out}")
            if irreps_in[i_in].ir != irreps_out[i_out].ir:
                raise ValueError(f"instruction {k}: {irreps_in[i_in].ir} (input {i_in}) and {irreps_out[i_out].ir} "
                                 f"(output {i_out}) do not have the same irrep")
            pairs.append((i_in, i_out))

        def alpha(i_in: int, i_out: int) -> float:
            x = sum(irreps_in[j_in if path_normalization == "element" else i_in].mul
                    for j_in, j_out in pairs if j_out == i_out)
            if f_in is not None:
                x *= f_in
            return 1.0 if x == 0 else x

        ins = [Instruction(i_in, i_out, (irreps_in[i_in].mul, irreps_out[i_out].mul), alpha(i_in, i_out) ** (-0.5))
               for i_in, i_out in pairs]

        if biases is None:
            biases = len(irreps_out) * (False,)
        if isinstance(biases, bool):
            biases = [biases and ir.is_scalar() for _, ir in irreps_out]
        biases = list(biases)
        if len(biases) != len(irreps_out):
            raise InvalidArgumentError(f"biases has {len(biases)} entries, irreps_out has {len(irreps_out)}")
        for b, (_, ir) in zip(biases, irreps_out):
            if b and not ir.is_scalar():
                raise InstructionError(f"a bias is only allowed on 0e outputs, not on {ir}")
        ins += [Instruction(-1, i_out, (mul_ir.dim,), 1.0) for i_out, (b, mul_ir) in enumerate(zip(biases, irreps_out)) if b]

        if shared_weights is False and internal_weights is None:
            internal_weights = False
        if shared_weights is None:
            shared_weights = True
        if internal_weights is None:
            internal_weights = True
        if internal_weights and not shared_weights:
            raise InvalidArgumentError("internal_weights=True requires shared_weights=True")
        self.internal_weights = internal_weights
        self.shared_weights = shared_weights
        self.irreps_in = irreps_in
        self.irreps_out = irreps_out
        self.instructions = ins
        self.f_in, self.f_out = f_in, f_out

        self.weight_numel = sum(prod(i.path_shape) for i in ins if i.i_in != -1)
        self.bias_numel = sum(irreps_out[i.i_out].dim for i in ins if i.i_in == -1)
        if internal_weights and self.weight_numel > 0:
            self.weight = torch.nn.Parameter(torch.randn(*((f_in, f_out) if f_in is not None else ()), self.weight_numel))
        else:
            self.register_buffer("weight", torch.Tensor())
        if internal_weights and self.bias_numel > 0:
            self.bias = torch.nn.Parameter(torch.zeros(*((f_out,) if f_out is not None else ()), self.bias_numel))
        else:
            self.register_buffer("bias", torch.Tensor())

        if irreps_out.dim > 0:
            output_mask = torch.cat([
                torch.ones(mul_ir.dim) if any(i.i_out == i_out and 0 not in i.path_shape for i in ins)
                else torch.zeros(mul_ir.dim)
                for i_out, mul_ir in enumerate(irreps_out)
            ])
        else:
            output_mask = torch.ones(0)
        self.register_buffer("output_mask", output_mask)

        # static schedule: per output irrep, the live weight instructions (with the index of their
        # weight piece in weight.split(_w_sizes)) and the index of its bias piece
        self._x_sizes = [mul_ir.dim for mul_ir in irreps_in]
        self._w_sizes = [prod(i.path_shape) for i in ins if i.i_in != -1]
        self._b_sizes = [irreps_out[i.i_out].dim for i in ins if i.i_in == -1]
        self._groups: list[list[tuple[Instruction, int]]] = [[] for _ in irreps_out]
        self._bias_piece: list[Optional[int]] = [None for _ in irreps_out]
        n_w = n_b = 0
        for i in ins:
            if i.i_in == -1:
                self._bias_piece[i.i_out] = n_b
                n_b += 1
                continue
            if 0 not in i.path_shape and irreps_in[i.i_in].dim > 0:
                self._groups[i.i_out].append((i, n_w))
            n_w += 1

        self._fast = False
        if shared_weights and f_in is None:
            self._build_fast_path()

    def _build_fast_path(self) -> None:
        """Shared weights, no ``f_in``: per output irrep, one GEMM on ``ir_mul`` blocks.

        The input is split into contiguous ``(Z, 2l+1, mul)`` blocks and the output
        assembled from them with one copy each way (:mod:`curienn.nn._ir_mul`).
        """
        self._in_layout = tuple((mul, ir.dim) for mul, ir in self.irreps_in)
        self._out_layout = tuple((mul, ir.dim) for mul, ir in self.irreps_out)
        self._fast = self.irreps_in.dim > 0 and self.irreps_out.dim > 0

    def _forward_fast(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, Z: int) -> torch.Tensor:
        """``x (Z, dim_in)`` -> ``(Z, dim_out)``."""
        xs = MulIrToIrMul.apply(self._in_layout, x)
        ws = weight.split(self._w_sizes, dim=-1) if self.weight_numel > 0 else []
        bs = bias.split(self._b_sizes, dim=-1) if self.bias_numel > 0 else []
        blocks = []
        for i_out, (mul_ir, group) in enumerate(zip(self.irreps_out, self._groups)):
            mo, k = mul_ir.mul, mul_ir.ir.dim
            b_piece = self._bias_piece[i_out]
            b = bs[b_piece].view(1, mo) if b_piece is not None else None  # only on scalars (k = 1)
            if not group:
                y = x.new_zeros(Z, k, mo) if b is None else b.expand(Z, mo).view(Z, 1, mo)
                blocks.append(y)
                continue
            A = [xs[i.i_in] for i, _ in group]
            A = torch.cat(A, dim=2) if len(A) > 1 else A[0]  # (Z, k, Σ mul_in)
            W = [ws[n].view(i.path_shape) * i.path_weight for i, n in group]
            W = torch.cat(W, dim=0) if len(W) > 1 else W[0]
            A = A.view(Z * k, A.shape[2])
            y = A @ W if b is None else torch.addmm(b, A, W)
            blocks.append(y.view(Z, k, mo))
        return IrMulToMulIr.apply(self._out_layout, *blocks)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.irreps_in} -> {self.irreps_out} | {self.weight_numel} weights)"

    # ---------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor, weight: Optional[torch.Tensor] = None,
                bias: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``x (..., [f_in,] irreps_in.dim)`` -> ``(..., [f_out,] irreps_out.dim)``."""
        f_in, f_out = self.f_in, self.f_out
        if x.dim() < (2 if f_in is not None else 1) or x.shape[-1] != self.irreps_in.dim \
                or (f_in is not None and x.shape[-2] != f_in):
            want = f"(..., {f_in}, {self.irreps_in.dim})" if f_in is not None else f"(..., {self.irreps_in.dim})"
            raise ShapeError(f"x has shape {tuple(x.shape)}, expected {want}")
        if weight is None:
            if self.weight_numel > 0 and not self.internal_weights:
                raise MissingWeightsError("weights must be provided when internal_weights=False")
            weight = self.weight
        if bias is None:
            if self.bias_numel > 0 and not self.internal_weights:
                raise MissingWeightsError("biases must be provided when internal_weights=False")
            bias = self.bias
        nf = 2 if f_in is not None else 1
        batch = x.shape[:x.dim() - nf]
        fshape = (f_in, f_out) if f_in is not None else ()
        if self.weight_numel > 0:
            if self.shared_weights:
                if tuple(weight.shape) != fshape + (self.weight_numel,):
                    raise ShapeError(f"weight has shape {tuple(weight.shape)}, expected {fshape + (self.weight_numel,)}")
            else:
                if weight.dim() < 1 + len(fshape) or tuple(weight.shape[weight.dim() - 1 - len(fshape):]) != fshape + (
                        self.weight_numel,):
                    raise ShapeError(f"weight has shape {tuple(weight.shape)}, expected (...,) + "
                                     f"{fshape + (self.weight_numel,)}")
                try:
                    batch = torch.broadcast_shapes(batch, weight.shape[:weight.dim() - 1 - len(fshape)])
                except RuntimeError:
                    raise ShapeError(f"batch shapes of x {tuple(x.shape)} and weight {tuple(weight.shape)} "
                                     "do not broadcast") from None
        if self.bias_numel > 0 and bias.numel() != (f_out or 1) * self.bias_numel:
            raise ShapeError(f"bias has shape {tuple(bias.shape)}, expected {((f_out,) if f_out else ()) + (self.bias_numel,)}")

        Z = prod(batch)
        fi, fo = f_in or 1, f_out or 1
        x = x.expand(tuple(batch) + x.shape[x.dim() - nf:]).reshape(Z, fi, self.irreps_in.dim)
        if self.weight_numel > 0:
            if self.shared_weights:
                weight = weight.reshape(fi, fo, self.weight_numel)
            else:
                weight = weight.expand(tuple(batch) + fshape + (self.weight_numel,)).reshape(Z, fi, fo, self.weight_numel)
        if self.bias_numel > 0:
            bias = bias.reshape(fo, self.bias_numel)

        if self._fast:
            out = self._forward_fast(x.view(Z, self.irreps_in.dim), weight.view(-1) if self.weight_numel else weight,
                                     bias.view(-1) if self.bias_numel else bias, Z)
            return out.reshape(tuple(batch) + (self.irreps_out.dim,))
        # one split per tensor (not one narrow per block: their backward would zero-fill each time)
        xs = x.split(self._x_sizes, dim=2)
        ws = weight.split(self._w_sizes, dim=-1) if self.weight_numel > 0 else []
        bs = bias.split(self._b_sizes, dim=1) if self.bias_numel > 0 else []
        pieces = []
        for i_out, (mul_ir, group) in enumerate(zip(self.irreps_out, self._groups)):
            mo, k = mul_ir.mul, mul_ir.ir.dim
            if mo * k == 0:
                continue
            acc = self._block(xs, ws, group, Z, fi, fo, mo, k) if group else None  # (Z, fo, mo, k)
            b_piece = self._bias_piece[i_out]
            if b_piece is not None:
                b = bs[b_piece].view(1, fo, mo, k)
                acc = b.expand(Z, fo, mo, k) if acc is None else acc + b
            if acc is None:
                acc = x.new_zeros(Z, fo, mo, k)
            pieces.append(acc.reshape(Z, fo, mo * k))
        if pieces:
            out = torch.cat(pieces, dim=2) if len(pieces) > 1 else pieces[0]
        else:
            out = x.new_zeros(Z, fo, self.irreps_out.dim)
        return out.reshape(tuple(batch) + ((f_out,) if f_out is not None else ()) + (self.irreps_out.dim,))

    def _block(self, x_pieces, w_pieces, group, Z, fi, fo, mo, k) -> torch.Tensor:
        """Contribution of the instructions of one output irrep, ``(Z, fo, mo, k)``."""
        xs, ws = [], []
        for ins, n in group:
            mi = ins.path_shape[0]
            xs.append(x_pieces[ins.i_in].view(Z, fi, mi, k))
            if self.shared_weights:
                ws.append(w_pieces[n].view(fi, fo, mi, mo) * ins.path_weight)
            else:
                ws.append(w_pieces[n].view(Z, fi, fo, mi, mo))
        if self.shared_weights:
            if fi == 1 and fo == 1:
                W = torch.cat([w.view(w.shape[2], mo) for w in ws], dim=0) if len(ws) > 1 else ws[0].view(-1, mo)
                if k == 1:
                    A = torch.cat([xi.flatten(1) for xi in xs], dim=1) if len(xs) > 1 else xs[0].flatten(1)
                    return (A @ W).view(Z, 1, mo, 1)
                A = torch.cat([xi.flatten(1, 2).transpose(1, 2) for xi in xs], dim=2) if len(xs) > 1 \
                    else xs[0].flatten(1, 2).transpose(1, 2)
                return torch.matmul(A, W).transpose(1, 2).unsqueeze(1)  # (Z, 1, mo, k)
            W = torch.cat([w.permute(0, 2, 1, 3).reshape(fi * w.shape[2], fo * mo) for w in ws], dim=0)
            A = torch.cat([xi.permute(0, 3, 1, 2).flatten(2) for xi in xs], dim=2)  # (Z, k, (f_in, u))
            return torch.matmul(A, W).view(Z, k, fo, mo).permute(0, 2, 3, 1)
        acc = None
        for (ins, _), xi, w in zip(group, xs, ws):
            if fi == 1 and fo == 1:
                r = torch.bmm(w.view(Z, w.shape[3], mo).transpose(1, 2), xi.flatten(1, 2)).unsqueeze(1)
            else:
                r = torch.einsum("zxyuw,zxui->zywi", w, xi)
            r = r * ins.path_weight
            acc = r if acc is None else acc + r
        return acc

    def weight_view_for_instruction(self, instruction: int, weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """View of the weights of instruction ``instruction``, shape ``(...) + path_shape``."""
        if self.instructions[instruction].i_in == -1:
            raise ValueError(f"Instruction {instruction} is a bias and has no weights.")
        if weight is None:
            if not self.internal_weights:
                raise MissingWeightsError("weights must be provided when internal_weights=False")
            weight = self.weight
        batch = weight.shape[:-1]
        offset = sum(prod(i.path_shape) for i in self.instructions[:instruction] if i.i_in != -1)
        ins = self.instructions[instruction]
        return weight.narrow(-1, offset, prod(ins.path_shape)).view(batch + ins.path_shape)

    def weight_views(self, weight: Optional[torch.Tensor] = None, yield_instruction: bool = False) -> Iterator:
        """Iterate over the weight views of the weight instructions (biases are skipped)."""
        if weight is None:
            if not self.internal_weights:
                raise MissingWeightsError("weights must be provided when internal_weights=False")
            weight = self.weight
        batch = weight.shape[:-1]
        offset = 0
        for k, ins in enumerate(self.instructions):
            if ins.i_in == -1:
                continue
            n = prod(ins.path_shape)
            view = weight.narrow(-1, offset, n).view(batch + ins.path_shape)
            offset += n
            yield (k, ins, view) if yield_instruction else view
