r"""The radial networks of all convolutions of a network, evaluated together.

Every convolution of the gate-points :class:`~curienn.models.Network` has its own radial
network (a :class:`~curienn.nn.FullyConnectedNet`), and all of them read the same edge
length embedding :math:`b`. Layer :math:`k` of a network is

.. math:: x \mapsto a_k\, f\!\left(x\, W_k / \sqrt{h_k v_k}\right), \qquad
          a_k = c_f \sqrt{v'_k}

(:math:`c_f` the second-moment constant of the activation, :math:`v_k, v'_k` the input
and output variances; the last layer has no activation and divides by
:math:`\sqrt{h_k v_k / v'_k}` instead). Evaluated together:

* the first layers of all networks are one GEMM, :math:`b\, [W^{(1)}_0 s^{(1)}_0 | W^{(2)}_0
  s^{(2)}_0 | \dots]`, followed by one activation over all columns (when the
  activations are the same function);
* the output factor :math:`a_k` of each layer is folded into the weights of the next
  layer (a product of the ``(h_k, h_{k+1})`` weights instead of the ``(P, h_{k+1})``
  activations), so each hidden layer is one GEMM and one activation.

The weights are read from the modules at every call (they follow training and
``load_state_dict``); the numbers are those of the modules, up to rounding.
"""

from __future__ import annotations

from typing import Callable, List, Optional, Sequence

import torch

from curienn.nn import FullyConnectedNet

__all__ = ["RadialBank"]


def _layers(net: FullyConnectedNet) -> list:
    return [getattr(net, f"layer{i}") for i in range(len(net.hs) - 1)]


def _act(layer) -> tuple:
    """``(f, a)``: the plain activation function and its output factor (``(None, 1)`` for none)."""
    act = layer.act
    if act is None:
        return None, 1.0
    cst = 1.0 if getattr(act, "_is_id", False) else float(act.cst)
    return act.f, cst * layer.var_out**0.5


class RadialBank:
    """The radial networks ``nets`` (same input size) as one plan; ``__call__(nets, emb)``
    returns their outputs, in order."""

    @staticmethod
    def applies(nets: Sequence[torch.nn.Module]) -> bool:
        """Whether ``nets`` are plain :class:`FullyConnectedNet` s with at least one layer and
        the same input size, whose activations are :class:`~curienn.nn.normalize2mom` s."""
        if not nets or any(type(net) is not FullyConnectedNet or len(net.hs) < 2 for net in nets):
            return False
        if len({net.hs[0] for net in nets}) != 1:
            return False
        return all(layer.act is None or (hasattr(layer.act, "f") and hasattr(layer.act, "cst"))
                   for net in nets for layer in _layers(net))

    def __init__(self, nets: Sequence[FullyConnectedNet]) -> None:
        self.sizes = [net.hs[1] for net in nets]
        firsts = [_act(_layers(net)[0])[0] for net in nets]
        # one activation over all first layers when they share it (``None``: apply per network)
        self.shared_act: Optional[Callable] = firsts[0] if all(f is firsts[0] for f in firsts) else None

    @staticmethod
    def _scale(layer) -> float:
        if layer.act is None:
            return (layer.h_in * layer.var_in / layer.var_out) ** -0.5
        return (layer.h_in * layer.var_in) ** -0.5

    def __call__(self, nets: Sequence[FullyConnectedNet], emb: torch.Tensor,
                 orders: Optional[Sequence[Optional[torch.Tensor]]] = None) -> List[torch.Tensor]:
        """``emb (P, hs[0])`` -> per network ``(P, hs[-1])``, with the output columns of network
        ``i`` permuted by ``orders[i]`` (a permutation of the last layer's weight columns)."""
        if orders is None:
            orders = [None] * len(nets)
        all_layers = [_layers(net) for net in nets]
        w0 = [(layers[0].weight if order is None or len(layers) > 1 else layers[0].weight.index_select(1, order))
              * self._scale(layers[0]) for layers, order in zip(all_layers, orders)]
        z = emb @ (torch.cat(w0, dim=1) if len(w0) > 1 else w0[0])
        if self.shared_act is not None:
            z = self.shared_act(z)
        zs = z.split(self.sizes, dim=1) if len(self.sizes) > 1 else [z]
        out = []
        for layers, x, order in zip(all_layers, zs, orders):
            f, a = _act(layers[0])
            if self.shared_act is None and f is not None:
                x = f(x)
            for i, layer in enumerate(layers[1:]):
                weight = layer.weight if order is None or i < len(layers) - 2 else layer.weight.index_select(1, order)
                x = x @ (weight * (self._scale(layer) * a))
                f, a = _act(layer)
                if f is not None:
                    x = f(x)
            out.append(x if a == 1.0 else x * a)
        return out
