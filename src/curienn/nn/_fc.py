"""Fully connected network of scalars, with e3nn's variance-preserving scaling.

Numbers and ``state_dict`` keys equal ``e3nn.nn.FullyConnectedNet`` (e3nn 0.6.0).
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import torch

from ..o3 import ShapeError
from ._activation import normalize2mom

__all__ = ["FullyConnectedNet"]


class _Layer(torch.nn.Module):
    r"""One layer :math:`x \mapsto \sqrt{v_{out}}\, \phi\big(x W / \sqrt{h_{in} v_{in}}\big)`.

    Without activation the layer is :math:`x W / \sqrt{h_{in} v_{in} / v_{out}}`.
    ``weight`` has shape ``(h_in, h_out)`` and starts from ``randn``; there is no bias.
    """

    def __init__(
        self, h_in: int, h_out: int, act: Optional[Callable], var_in: float, var_out: float
    ) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(h_in, h_out))
        self.act = act
        self.h_in = h_in
        self.h_out = h_out
        self.var_in = var_in
        self.var_out = var_out

    def __repr__(self) -> str:
        act = self.act
        if hasattr(act, "__name__"):
            act = act.__name__
        elif isinstance(act, torch.nn.Module):
            act = act.__class__.__name__
        return f"Layer({self.h_in}->{self.h_out}, act={act})"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., h_in) -> (..., h_out)``."""
        if self.act is None:
            return x @ (self.weight / (self.h_in * self.var_in / self.var_out) ** 0.5)
        x = x @ (self.weight / (self.h_in * self.var_in) ** 0.5)
        return self.act(x) * self.var_out**0.5


class FullyConnectedNet(torch.nn.Sequential):
    r"""Fully connected network without biases, normalized to keep unit variance.

    Layer :math:`k` maps :math:`h_k \to h_{k+1}` as

    .. math::

        x \mapsto \sqrt{v_{out}}\; \phi\!\left(\frac{x W_k}{\sqrt{h_k\, v_{in}}}\right),

    with :math:`W_k` of shape ``(h_k, h_{k+1})`` drawn from :math:`\mathcal N(0, 1)`,
    :math:`\phi` the activation rescaled by :class:`normalize2mom` so that
    :math:`\mathbb E[\phi(z)^2] = 1` for :math:`z \sim \mathcal N(0,1)`,
    :math:`v_{in}` = ``variance_in`` for the first layer and 1 after, and
    :math:`v_{out}` = ``variance_out`` for the last layer and 1 before. The last layer
    has no activation unless ``out_act``. Submodules are named ``layer0``,
    ``layer1``, ... each with a parameter ``weight``.

    Args:
        hs: input, hidden and output sizes :math:`h_0, \dots, h_n`.
        act: activation function :math:`\phi` (or ``None`` for a linear network).
        variance_in: variance of the input.
        variance_out: variance wanted at the output.
        out_act: whether the last layer has the activation too.

    Shapes:
        ``(..., hs[0]) -> (..., hs[-1])``.

    Example:
        >>> net = FullyConnectedNet([3, 16, 2], torch.nn.functional.silu)
        >>> net(torch.randn(5, 3)).shape
        torch.Size([5, 2])
    """

    def __init__(
        self,
        hs: Sequence[int],
        act: Optional[Callable] = None,
        variance_in: float = 1,
        variance_out: float = 1,
        out_act: bool = False,
    ) -> None:
        super().__init__()
        self.hs = list(hs)
        for h in self.hs:
            if isinstance(h, bool) or not isinstance(h, int) or h < 0:
                raise ValueError(f"hs must be non-negative ints, got hs={self.hs!r}")
        if act is not None:
            act = normalize2mom(act)

        var_in = variance_in
        for i, (h1, h2) in enumerate(zip(self.hs, self.hs[1:])):
            last = i == len(self.hs) - 2
            var_out = variance_out if last else 1
            layer_act = act if (out_act or not last) else None
            setattr(self, f"layer{i}", _Layer(h1, h2, layer_act, var_in, var_out))
            var_in = var_out

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}{self.hs}"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.hs and (x.dim() == 0 or x.shape[-1] != self.hs[0]):
            raise ShapeError(f"{self!r}: the input has shape {tuple(x.shape)}, expected (..., {self.hs[0]})")
        return super().forward(x)
