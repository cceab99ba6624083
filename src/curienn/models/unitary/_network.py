r"""``UnitaryNetwork``: Ma & Chan's feedforward unitary-equivariant network.

``x_{k+1} = σ_{k+1}(x_k W_k + e_k b_k)`` for ``k = 0 .. L-1``; hidden layers
use ``activation`` (default softsign with residue ``a = 0.01``, Eq. 14), the
output layer ``output_activation`` (default identity, Eq. 15). Input
``(..., n + m, widths[0])``, output ``(..., n + m, widths[-1])``.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ._activation import IdentityActivation, SoftsignResidual
from ._layer import UnitaryLinear
from ._norm import squared_norm

__all__ = ["UnitaryNetwork", "ARGON_WIDTHS"]

#: node counts of the paper's argon network (6 relative vectors in, 4 forces out)
ARGON_WIDTHS = (6, 50, 90, 100, 80, 50, 4)


class UnitaryNetwork(nn.Module):
    r"""A stack of :class:`UnitaryLinear` layers with norm-gated activations.

    Parameters
    ----------
    widths:
        ``[M_0, M_1, ..., M_L]``, at least two entries (default: the paper's
        ``[6, 50, 90, 100, 80, 50, 4]``).
    n, n_scalars, complex, eps:
        passed to every :class:`UnitaryLinear`.
    activation:
        hidden activation module (shared, parameter-free); default
        ``SoftsignResidual(a)``.
    a:
        residue of the default activation.
    output_activation:
        activation of the last layer; default identity.
    """

    def __init__(
        self,
        widths: Sequence[int] = ARGON_WIDTHS,
        n: int = 3,
        n_scalars: int = 0,
        complex: bool = False,
        activation: nn.Module | None = None,
        a: float = 0.01,
        output_activation: nn.Module | None = None,
        eps: float = 0.0,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        widths = [int(w) for w in widths]
        if len(widths) < 2 or min(widths) < 1:
            raise ValueError(f"widths must list at least two positive sizes, got {widths!r}")
        self.widths = widths
        self.n, self.n_scalars, self.complex = int(n), int(n_scalars), bool(complex)
        self.layers = nn.ModuleList(
            UnitaryLinear(i, o, n=n, n_scalars=n_scalars, complex=complex, eps=eps, dtype=dtype)
            for i, o in zip(widths[:-1], widths[1:])
        )
        self.activation = activation if activation is not None else SoftsignResidual(a)
        self.output_activation = output_activation if output_activation is not None else IdentityActivation()

    def _fused(self) -> bool:
        return (type(self.activation) is SoftsignResidual and self.n_scalars == 0
                and all(layer.eps == 0 for layer in self.layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.layers) - 1
        if not self._fused():
            for k, layer in enumerate(self.layers):
                x = layer(x)
                x = self.activation(x) if k < last else self.output_activation(x)
            return x
        # Fast path for the softsign activation, whose gate 1/(1+r) + a is > 0: the next
        # layer's unit vectors are those of y, so one norm serves both the activation and
        # the normalisation: r = |y|, x = (1/(1+r) + a) y, e = y / r (e = 0 where y = 0).
        a = self.activation.a
        e = None
        for k, layer in enumerate(self.layers):
            y = layer(x, e)
            if k == last:
                return self.output_activation(y)
            sq = squared_norm(y)
            zero = sq <= 0
            inv = torch.rsqrt(sq.masked_fill(zero, 1.0)).masked_fill(zero, 0.0)
            r = sq * inv
            if y.is_complex():
                inv = inv.to(y.dtype)
                x = y * (1.0 / (1.0 + r) + a).to(y.dtype)
            else:
                x = y * (1.0 / (1.0 + r) + a)
            e = y * inv
        return x

    def extra_repr(self) -> str:
        return f"widths={self.widths}"
