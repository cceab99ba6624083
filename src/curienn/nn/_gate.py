"""Gate nonlinearity: activated scalars, plus non-scalars multiplied by activated gates.

Same API and numbers as ``e3nn.nn.Gate`` (e3nn 0.6.0). The gating product, which e3nn
computes with an ``ElementwiseTensorProduct`` (``0e x l -> l``, whose coefficient is
exactly 1), is done here as a plain broadcast product.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence, Tuple

import torch

from ..o3 import Irreps, ShapeError
from ._activation import Activation
from ._extract import Extract
from ._e3nn_state import drop_e3nn_tensor_product_keys
from ._tp_sub import align_multiplicities

__all__ = ["Gate", "Sortcut"]


class Sortcut(torch.nn.Module):
    r"""Split a sorted input into several (simplified) representations.

    The input representation is the concatenation of ``irreps_outs`` (each simplified),
    sorted by irrep and simplified; ``forward`` returns the parts in their original
    order. Used by :class:`Gate`, whose input is sorted this way (e3nn's
    ``e3nn.nn._gate._Sortcut``).

    Shapes:
        ``(..., irreps_in.dim) -> tuple of (..., irreps_outs[k].dim)``.

    Example:
        >>> cut = Sortcut("1x1o", "2x0e")
        >>> cut.irreps_in
        2x0e+1x1o
        >>> [t.shape[-1] for t in cut(torch.randn(5))]
        [3, 2]
    """

    def __init__(self, *irreps_outs) -> None:
        super().__init__()
        self.irreps_outs = tuple(Irreps(irreps).simplify() for irreps in irreps_outs)
        irreps_in = sum(self.irreps_outs, Irreps([]))
        instructions = []
        i = 0
        for irreps_out in self.irreps_outs:
            instructions.append(tuple(range(i, i + len(irreps_out))))
            i += len(irreps_out)
        irreps_in, p, _ = irreps_in.sort()
        instructions = [tuple(p[i] for i in ins) for ins in instructions]
        self.cut = Extract(irreps_in, self.irreps_outs, instructions)
        self.irreps_in = irreps_in.simplify()

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        return self.cut(x)


_Sortcut = Sortcut  # e3nn's name (``e3nn.nn._gate._Sortcut``)


class Gate(torch.nn.Module):
    r"""Gate activation.

    .. math::

        \Big(\bigoplus_i \phi_i(x_i)\Big) \oplus \Big(\bigoplus_j \psi_j(g_j)\, y_j\Big)

    with scalars :math:`x_i` (``irreps_scalars``) passed through ``act_scalars``, gate
    scalars :math:`g_j` (``irreps_gates``) passed through ``act_gates``, and gated
    irreps :math:`y_j` (``irreps_gated``), each multiplied by one activated gate.
    Activations are normalized by :class:`~curienn.nn.normalize2mom`; an odd gate with
    an odd activation flips the parity of the irrep it gates.

    The input is **sorted**: ``irreps_in`` is
    ``(irreps_scalars + irreps_gates + irreps_gated).sort().irreps.simplify()`` (each
    part simplified first), and ``irreps_out`` is ``act(scalars) + gated*act(gates)``.

    Args:
        irreps_scalars: scalars to activate.
        act_scalars: one activation per entry of ``irreps_scalars``.
        irreps_gates: gate scalars.
        act_gates: one activation per entry of ``irreps_gates``.
        irreps_gated: irreps to gate; ``irreps_gated.num_irreps`` must equal
            ``irreps_gates.num_irreps``.

    Shapes:
        ``(..., irreps_in.dim) -> (..., irreps_out.dim)``.

    Raises:
        ValueError: if scalars or gates are not scalars, or the number of gates differs
            from the number of gated irreps.

    Example:
        >>> g = Gate("16x0o", [torch.tanh], "32x0o", [torch.tanh], "16x1e+16x1o")
        >>> g.irreps_out
        16x0o+16x1o+16x1e
    """

    def __init__(
        self,
        irreps_scalars,
        act_scalars: Sequence[Optional[Callable]],
        irreps_gates,
        act_gates: Sequence[Optional[Callable]],
        irreps_gated,
    ) -> None:
        super().__init__()
        irreps_scalars = Irreps(irreps_scalars)
        irreps_gates = Irreps(irreps_gates)
        irreps_gated = Irreps(irreps_gated)

        if any(ir.l > 0 for _, ir in irreps_gates):
            raise ValueError(f"Gate scalars must be scalars, got irreps_gates={irreps_gates}")
        if any(ir.l > 0 for _, ir in irreps_scalars):
            raise ValueError(f"Scalars must be scalars, got irreps_scalars={irreps_scalars}")
        if irreps_gates.num_irreps != irreps_gated.num_irreps:
            raise ValueError(
                f"There are {irreps_gated.num_irreps} irreps in irreps_gated={irreps_gated}, "
                f"but {irreps_gates.num_irreps} gate scalars in irreps_gates={irreps_gates}"
            )

        self.sc = Sortcut(irreps_scalars, irreps_gates, irreps_gated)
        self.irreps_scalars, self.irreps_gates, self.irreps_gated = self.sc.irreps_outs
        self._irreps_in = self.sc.irreps_in
        self._dim_in = self._irreps_in.dim  # plain int: forward never touches Irreps

        self.act_scalars = Activation(irreps_scalars, act_scalars)
        self.act_gates = Activation(irreps_gates, act_gates)

        aligned = align_multiplicities(self.irreps_gated, self.act_gates.irreps_out.simplify())
        self._products = [(mul, ir_y.dim) for mul, ir_y, _ in aligned]
        # a scalar gate keeps l and multiplies the parity
        irreps_gated_out = Irreps([(mul, (ir_y.l, ir_y.p * ir_g.p)) for mul, ir_y, ir_g in aligned])
        self._irreps_out = self.act_scalars.irreps_out + irreps_gated_out

    def __repr__(self) -> str:
        return f"{self.__class__.__name__} ({self.irreps_in} -> {self.irreps_out})"

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        # e3nn's checkpoints also hold its weightless `mul` tensor product
        drop_e3nn_tensor_product_keys(state_dict, prefix, "mul")
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @property
    def irreps_in(self) -> Irreps:
        """Input representation (sorted and simplified)."""
        return self._irreps_in

    @property
    def irreps_out(self) -> Irreps:
        """Output representation: activated scalars, then gated irreps."""
        return self._irreps_out

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if features.shape[-1] != self._dim_in:
            raise ShapeError(
                f"Gate: the last dimension of the input is {features.shape[-1]}, but "
                f"irreps_in={self._irreps_in} has dimension {self._dim_in}"
            )
        scalars, gates, gated = self.sc(features)
        scalars = self.act_scalars(scalars)
        if not self._products:
            return scalars
        gates = self.act_gates(gates)
        batch = gated.shape[:-1]
        out = [scalars]
        i_gated = 0
        i_gate = 0
        for mul, d in self._products:
            y = gated[..., i_gated : i_gated + mul * d].reshape(batch + (mul, d))
            g = gates[..., i_gate : i_gate + mul, None]
            out.append((y * g).reshape(batch + (mul * d,)))
            i_gated += mul * d
            i_gate += mul
        return torch.cat(out, dim=-1)


_Sortcut = Sortcut  # e3nn's (private) name
