"""The general tensor product of two irreps tensors (e3nn 0.6.0 API and numbers)."""

from __future__ import annotations

import warnings
from math import prod, sqrt
from typing import Iterator, NamedTuple, Optional, Sequence, Union

import torch

from .. import o3
from ..o3 import (
    ConnectionModeError, InstructionError, InvalidArgumentError, InvalidIndexError, MissingWeightsError, ShapeError,
)
from ._tp_plan import TPPlan

__all__ = ["Instruction", "TensorProduct"]

_MODES = ("uvw", "uvu", "uvv", "uuw", "uuu", "uvuv", "uvu<v", "u<vw")

WeightLike = Union[torch.Tensor, Sequence[torch.Tensor], None]


class Instruction(NamedTuple):
    """One path of a :class:`TensorProduct` (same fields as e3nn's).

    ``path_weight`` holds the final normalization coefficient after construction.
    """

    i_in1: int
    i_in2: int
    i_out: int
    connection_mode: str
    has_weight: bool
    path_weight: float
    path_shape: tuple


def _path_shape(mode: str, m1: int, m2: int, mo: int) -> tuple:
    return {
        "uvw": (m1, m2, mo),
        "uvu": (m1, m2),
        "uvv": (m1, m2),
        "uuw": (m1, mo),
        "uuu": (m1,),
        "uvuv": (m1, m2),
        "uvu<v": (m1 * (m2 - 1) // 2,),
        "u<vw": (m1 * (m2 - 1) // 2, mo),
    }[mode]


def _num_elements(mode: str, m1: int, m2: int) -> int:
    return {
        "uvw": m1 * m2,
        "uvu": m2,
        "uvv": m1,
        "uuw": m1,
        "uuu": 1,
        "uvuv": 1,
        "uvu<v": 1,
        "u<vw": m1 * (m2 - 1) // 2,
    }[mode]


def _variances(var, irreps, name: str) -> list[float]:
    if var is None:
        return [1.0] * len(irreps)
    var = [float(v) for v in var]
    if len(var) != len(irreps):
        raise InvalidArgumentError(f"{name} has {len(var)} entries but the irreps have {len(irreps)}: {var}")
    return var


class TensorProduct(torch.nn.Module):
    r"""Bilinear equivariant map of two irreps tensors, defined by a list of paths.

    Each instruction ``(i_in1, i_in2, i_out, connection_mode, has_weight[, path_weight])``
    couples ``irreps_in1[i_in1]`` and ``irreps_in2[i_in2]`` into ``irreps_out[i_out]``:

    .. math::

        z_{w k} \mathrel{+}= c \sum_{uv} W_{\dots} \sum_{ij} C_{ijk}\, x_{u i}\, y_{v j}

    with ``C = wigner_3j(l1, l2, l_out)`` and the multiplicity pattern set by the mode
    (``uvw``: ``W[u,v,w]``; ``uvu``: ``W[u,v]``, ``w = u``; ``uvv``; ``uuw``; ``uuu``;
    ``uvuv``: output index ``u*m2+v``; ``uvu<v``: pairs ``u < v``; ``u<vw``).  The path
    coefficient is :math:`c = \sqrt{\alpha\, \sigma_{out}\, \text{path\_weight} / x}` with
    ``α = 2l_out+1`` (``irrep_normalization='component'``), ``(2l1+1)(2l2+1)`` (``'norm'``)
    or 1 (``'none'``) and ``x`` the fan-in summed over the paths into the same output
    (``path_normalization='element'``), per path times their number (``'path'``) or 1
    (``'none'``).  After construction ``instructions[i].path_weight`` holds ``c``.

    Weights: one flat vector of ``weight_numel`` numbers, concatenated per weighted
    instruction in row-major ``path_shape`` order (e3nn's layout, so e3nn weights can be
    copied in).  ``shared_weights=False`` takes per-sample weights ``(..., weight_numel)``
    broadcast with the batch dimensions; a list of per-instruction tensors is accepted
    too.

    Execution never forms ``x ⊗ y``: it contracts sparse Clebsch-Gordan tables and
    groups paths into a few large matrix products (see ``curienn.nn._tp_plan``).

    Args:
        irreps_in1, irreps_in2, irreps_out: the irreps of ``x``, ``y`` and the output.
        instructions: list of 5- or 6-tuples as above.
        in1_var, in2_var, out_var: per-irrep variances (default 1).
        irrep_normalization: ``'component'`` (default), ``'norm'`` or ``'none'``.
        path_normalization: ``'element'`` (default), ``'path'`` or ``'none'``.
        internal_weights: store the weights as a parameter (default: ``shared_weights``
            and some instruction has weights).
        shared_weights: one weight vector for the whole batch (default ``True``).
        compile_left_right, compile_right, _specialized_code, _optimize_einsums:
            accepted for e3nn compatibility; they do not change anything here.
        normalization: deprecated alias of ``irrep_normalization``.

    Shapes:
        ``forward(x (..., irreps_in1.dim), y (..., irreps_in2.dim), weight=None)``
        ``-> (..., irreps_out.dim)``, batch dimensions broadcast.

    Raises:
        ValueError: unknown mode or normalization, an instruction breaking parity
            (``p1 p2 != p_out``), the triangle rule or the mode's multiplicity rule,
            inconsistent variances, and at call time a wrong last dimension,
            non-broadcastable batch shapes or weights of the wrong size.
    """

    def __init__(
        self,
        irreps_in1,
        irreps_in2,
        irreps_out,
        instructions: list[tuple],
        in1_var=None,
        in2_var=None,
        out_var=None,
        irrep_normalization: Optional[str] = None,
        path_normalization: Optional[str] = None,
        internal_weights: Optional[bool] = None,
        shared_weights: Optional[bool] = None,
        compile_left_right: bool = True,
        compile_right: bool = False,
        normalization: Optional[str] = None,
        _specialized_code: Optional[bool] = None,
        _optimize_einsums: Optional[bool] = None,
    ) -> None:
        super().__init__()
        if normalization is not None:
            warnings.warn("`normalization` is deprecated. Use `irrep_normalization` instead.", DeprecationWarning)
            irrep_normalization = normalization
        irrep_normalization = "component" if irrep_normalization is None else irrep_normalization
        path_normalization = "element" if path_normalization is None else path_normalization
        if irrep_normalization not in ("component", "norm", "none"):
            raise InvalidArgumentError(f"irrep_normalization must be 'component', 'norm' or 'none', got {irrep_normalization!r}")
        if path_normalization not in ("element", "path", "none"):
            raise InvalidArgumentError(f"path_normalization must be 'element', 'path' or 'none', got {path_normalization!r}")

        self.irreps_in1 = o3.Irreps(irreps_in1)
        self.irreps_in2 = o3.Irreps(irreps_in2)
        self.irreps_out = o3.Irreps(irreps_out)
        in1, in2, out = self.irreps_in1, self.irreps_in2, self.irreps_out

        parsed = []
        for k, ins in enumerate(instructions):
            ins = tuple(ins)
            if len(ins) not in (5, 6):
                raise ValueError(f"instruction {k} must have 5 or 6 entries, got {ins!r}")
            i1, i2, io, mode, has_weight = ins[:5]
            path_weight = float(ins[5]) if len(ins) == 6 else 1.0
            for i, irreps, name in ((i1, in1, "i_in1"), (i2, in2, "i_in2"), (io, out, "i_out")):
                if not (isinstance(i, int) and 0 <= i < len(irreps)):
                    raise InvalidIndexError(f"instruction {k}: {name}={i!r} is not a valid index into {irreps}")
            if mode not in _MODES:
                raise ConnectionModeError(f"instruction {k}: unknown connection mode {mode!r}, expected one of {_MODES}")
            (m1, ir1), (m2, ir2), (mo, iro) = in1[i1], in2[i2], out[io]
            if ir1.p * ir2.p != iro.p:
                raise InstructionError(f"instruction {k}: parity violated, {ir1} x {ir2} cannot give {iro}")
            if not abs(ir1.l - ir2.l) <= iro.l <= ir1.l + ir2.l:
                raise InstructionError(f"instruction {k}: triangle rule violated, {ir1} x {ir2} cannot give {iro}")
            _check_muls(k, mode, bool(has_weight), m1, m2, mo)
            parsed.append(Instruction(i1, i2, io, mode, bool(has_weight), path_weight, _path_shape(mode, m1, m2, mo)))

        in1_var = _variances(in1_var, in1, "in1_var")
        in2_var = _variances(in2_var, in2, "in2_var")
        out_var = _variances(out_var, out, "out_var")

        def n_el(ins: Instruction) -> int:
            return _num_elements(ins.connection_mode, in1[ins.i_in1].mul, in2[ins.i_in2].mul)

        final = []
        for ins in parsed:
            ir1, ir2, iro = in1[ins.i_in1].ir, in2[ins.i_in2].ir, out[ins.i_out].ir
            alpha = {"component": iro.dim, "norm": ir1.dim * ir2.dim, "none": 1}[irrep_normalization]
            if path_normalization == "element":
                x = sum(in1_var[i.i_in1] * in2_var[i.i_in2] * n_el(i) for i in parsed if i.i_out == ins.i_out)
            elif path_normalization == "path":
                x = in1_var[ins.i_in1] * in2_var[ins.i_in2] * n_el(ins)
                x *= len([i for i in parsed if i.i_out == ins.i_out])
            else:
                x = 1
            if x > 0.0:
                alpha /= x
            alpha *= out_var[ins.i_out]
            alpha *= ins.path_weight
            final.append(ins._replace(path_weight=sqrt(alpha)))
        self.instructions = final
        self.irrep_normalization = irrep_normalization
        self.path_normalization = path_normalization

        if shared_weights is False and internal_weights is None:
            internal_weights = False
        if shared_weights is None:
            shared_weights = True
        if internal_weights is None:
            internal_weights = shared_weights and any(i.has_weight for i in final)
        if internal_weights and not shared_weights:
            raise InvalidArgumentError("internal_weights=True requires shared_weights=True")
        self.internal_weights = internal_weights
        self.shared_weights = shared_weights
        self._in1_dim = in1.dim
        self._in2_dim = in2.dim

        self.weight_numel = sum(prod(i.path_shape) for i in final if i.has_weight)
        if internal_weights and self.weight_numel > 0:
            self.weight = torch.nn.Parameter(torch.randn(self.weight_numel))
        else:
            self.register_buffer("weight", torch.Tensor())

        if out.dim > 0:
            output_mask = torch.cat([
                torch.ones(mul * ir.dim)
                if any(i.i_out == i_out and i.path_weight != 0 and 0 not in i.path_shape for i in final)
                else torch.zeros(mul * ir.dim)
                for i_out, (mul, ir) in enumerate(out)
            ])
        else:
            output_mask = torch.ones(0)
        self.register_buffer("output_mask", output_mask)

        self._plan = TPPlan(in1, in2, out, final, shared_weights)
        dtype = torch.get_default_dtype()
        for name, t in self._plan.tensors.items():
            self.register_buffer("_tp_" + name, t.to(dtype) if t.is_floating_point() else t, persistent=False)

    def __repr__(self) -> str:
        npath = sum(prod(i.path_shape) for i in self.instructions)
        return (
            f"{self.__class__.__name__}"
            f"({self.irreps_in1.simplify()} x {self.irreps_in2.simplify()} "
            f"-> {self.irreps_out.simplify()} | {npath} paths | {self.weight_numel} weights)"
        )

    # ---------------------------------------------------------------------------------
    def _get_weights(self, weight: WeightLike) -> torch.Tensor:
        if isinstance(weight, (list, tuple)):
            shapes = [i.path_shape for i in self.instructions if i.has_weight]
            if len(weight) != len(shapes):
                raise ValueError(f"expected {len(shapes)} weight tensors (one per weighted instruction), got {len(weight)}")
            flat = []
            for k, (wk, shape) in enumerate(zip(weight, shapes)):
                n = len(shape)
                if tuple(wk.shape[wk.dim() - n:]) != tuple(shape) or (self.shared_weights and wk.dim() != n):
                    raise InvalidArgumentError(f"weight {k} has shape {tuple(wk.shape)}, expected (...,) + {shape}")
                flat.append(wk.reshape(wk.shape[:wk.dim() - n] + (prod(shape),)))
            if not self.shared_weights:
                batch = torch.broadcast_shapes(*[f.shape[:-1] for f in flat])
                flat = [f.expand(batch + f.shape[-1:]) for f in flat]
            weight = torch.cat(flat, dim=-1)
        if weight is None:
            if self.weight_numel > 0 and not self.internal_weights:
                raise MissingWeightsError("weights must be provided when the TensorProduct does not have internal_weights")
            return self.weight
        if self.shared_weights:
            if weight.shape != (self.weight_numel,):
                raise InvalidArgumentError(f"weight has shape {tuple(weight.shape)}, expected ({self.weight_numel},) (shared weights)")
        else:
            if weight.dim() < 2 or weight.shape[-1] != self.weight_numel:
                raise InvalidArgumentError(
                    f"weight has shape {tuple(weight.shape)}, expected (..., {self.weight_numel}) with batch dimensions "
                    "(shared_weights=False)"
                )
        return weight

    def _batch_shape(self, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor) -> tuple:
        if x.shape[-1:] != (self._in1_dim,) or x.dim() == 0:
            raise ShapeError(f"x has shape {tuple(x.shape)}, its last dimension must be irreps_in1.dim={self._in1_dim}")
        if y.shape[-1:] != (self._in2_dim,) or y.dim() == 0:
            raise ShapeError(f"y has shape {tuple(y.shape)}, its last dimension must be irreps_in2.dim={self._in2_dim}")
        shapes = [x.shape[:-1], y.shape[:-1]]
        if not self.shared_weights:
            shapes.append(w.shape[:-1])
        try:
            return tuple(torch.broadcast_shapes(*shapes))
        except RuntimeError:
            names = "x, y and weight" if not self.shared_weights else "x and y"
            raise ShapeError(f"batch shapes of {names} do not broadcast: {[tuple(s) for s in shapes]}") from None

    def forward(self, x: torch.Tensor, y: torch.Tensor, weight: WeightLike = None) -> torch.Tensor:
        """``x (..., irreps_in1.dim)``, ``y (..., irreps_in2.dim)`` -> ``(..., irreps_out.dim)``."""
        w = self._get_weights(weight)
        batch = self._batch_shape(x, y, w)
        Z = prod(batch)
        x = x.expand(batch + (self._in1_dim,)).reshape(Z, self._in1_dim)
        y = y.expand(batch + (self._in2_dim,)).reshape(Z, self._in2_dim)
        if not self.shared_weights:
            w = w.expand(batch + (self.weight_numel,)).reshape(Z, self.weight_numel)
        step = self._plan.chunk_size(x)
        if step is None:
            out = self._plan.run(self, x, y, w)
        else:  # large CPU batches in chunks whose temporaries the allocator reuses (see TPPlan)
            ws = [w] * ((Z + step - 1) // step) if self.shared_weights else w.split(step)
            out = torch.cat([self._plan.run(self, xc, yc, wc)
                             for xc, yc, wc in zip(x.split(step), y.split(step), ws)])
        return out.reshape(batch + (self.irreps_out.dim,))

    def right(self, y: torch.Tensor, weight: WeightLike = None) -> torch.Tensor:
        r"""Partial evaluation ``y -> b[..., i, k]`` with ``forward(x, y)[..., k] = Σ_i x[..., i] b[..., i, k]``.

        ``y (..., irreps_in2.dim)`` -> ``(..., irreps_in1.dim, irreps_out.dim)``.
        """
        w = self._get_weights(weight)
        if y.shape[-1:] != (self._in2_dim,) or y.dim() == 0:
            raise ShapeError(f"y has shape {tuple(y.shape)}, its last dimension must be irreps_in2.dim={self._in2_dim}")
        eye = torch.eye(self._in1_dim, dtype=y.dtype, device=y.device)
        if not self.shared_weights:
            w = w.unsqueeze(-2)
        return self.forward(eye, y.unsqueeze(-2), w)

    def weight_view_for_instruction(self, instruction: int, weight: WeightLike = None) -> torch.Tensor:
        """View of the weights of instruction ``instruction``, shape ``(...) + path_shape``."""
        if not self.instructions[instruction].has_weight:
            raise ValueError(f"Instruction {instruction} has no weights.")
        offset = sum(prod(i.path_shape) for i in self.instructions[:instruction] if i.has_weight)
        ins = self.instructions[instruction]
        weight = self._get_weights(weight)
        batch = weight.shape[:-1]
        return weight.narrow(-1, offset, prod(ins.path_shape)).view(batch + ins.path_shape)

    def weight_views(self, weight: WeightLike = None, yield_instruction: bool = False) -> Iterator:
        """Iterate over the weight views of the weighted instructions.

        Yields ``weight_view`` or, with ``yield_instruction``, ``(index, instruction, weight_view)``.
        """
        weight = self._get_weights(weight)
        batch = weight.shape[:-1]
        offset = 0
        for k, ins in enumerate(self.instructions):
            if ins.has_weight:
                n = prod(ins.path_shape)
                view = weight.narrow(-1, offset, n).view(batch + ins.path_shape)
                offset += n
                yield (k, ins, view) if yield_instruction else view


def _check_muls(k: int, mode: str, has_weight: bool, m1: int, m2: int, mo: int) -> None:
    def bad(rule: str) -> InstructionError:
        return InstructionError(f"instruction {k}: mode {mode!r} needs {rule}, got multiplicities {m1}, {m2} -> {mo}")

    if mode in ("uvw", "u<vw") and not has_weight:
        raise InstructionError(f"instruction {k}: mode {mode!r} requires has_weight=True")
    if mode == "uvu" and m1 != mo:
        raise bad("mul_in1 == mul_out")
    if mode == "uvv" and m2 != mo:
        raise bad("mul_in2 == mul_out")
    if mode == "uuw" and (m1 != m2 or (not has_weight and mo != 1)):
        raise bad("mul_in1 == mul_in2 (and mul_out == 1 without weights)")
    if mode == "uuu" and not m1 == m2 == mo:
        raise bad("mul_in1 == mul_in2 == mul_out")
    if mode == "uvuv" and m1 * m2 != mo:
        raise bad("mul_in1 * mul_in2 == mul_out")
    if mode == "uvu<v" and (m1 != m2 or m1 * (m1 - 1) // 2 != mo):
        raise bad("mul_in1 == mul_in2 and mul_out == mul(mul-1)/2")
    if mode == "u<vw" and m1 != m2:
        raise bad("mul_in1 == mul_in2")
