r"""The point convolution of the gate-points network (e3nn's ``gate_points_2101.Convolution``).

For node features :math:`x_i`, scalar-or-not node attributes :math:`z_i`, edges
:math:`e = (s \to d)` with attributes :math:`a_e` and radial embeddings :math:`b_e`:

.. math::

    s_i &= \mathrm{sc}(x_i \otimes z_i),\qquad
    h_i = \mathrm{lin1}(x_i \otimes z_i),\\
    m_d &= \frac{1}{\sqrt{n_{\mathrm{nb}}}}\sum_{e:\,\mathrm{dst}(e) = d}
           \mathrm{tp}\big(h_{\mathrm{src}(e)} \otimes a_e;\ W = \mathrm{fc}(b_e)\big),\\
    y_i &= \sin\tfrac{\pi}{8}\, s_i + \big(\cos\tfrac{\pi}{8}\,\mu + (1 - \mu)\big)
           \odot \mathrm{lin2}(m_i \otimes z_i),

with :math:`\mu` the output mask of ``sc``. When the node attributes are ``0e``
scalars and the edge attributes one copy per irrep (the usual case), the same numbers
come from a fused path on the ``ir_mul`` block layout (:mod:`curienn.models._blocks`):
``sc``, ``lin1`` and ``lin2`` as one GEMM per irrep, the edge tensor product as
gather, batched matmul, weighting and scatter without layout copies
(:mod:`curienn.models._edge_tp`), the constants folded into the weights.
"""

from __future__ import annotations

import math
from typing import Optional

import torch

from curienn.io import scatter_sum
from curienn.nn import FullyConnectedNet, FullyConnectedTensorProduct, TensorProduct
from curienn.o3 import Irreps

from ._blocks import Blocks, from_blocks, merge_runs, to_blocks
from ._edge_tp import EdgeTP
from ._scalar_tp import ScalarAttrTP

__all__ = ["Convolution"]


class Convolution(torch.nn.Module):
    r"""Equivariant point convolution (see the module docstring for the maths).

    Submodules (names as in e3nn): ``sc`` and ``lin1`` (fully connected tensor
    products with the node attributes), ``fc`` (silu :class:`FullyConnectedNet`
    ``[number_of_basis] + radial_layers * [radial_neurons] + [tp.weight_numel]``),
    ``tp`` (``uvu`` tensor product of the features with the edge attributes,
    per-edge weights from ``fc``; its output ``irreps_mid`` is sorted) and ``lin2``.

    Shapes: ``node_input (N, irreps_in.dim)``, ``node_attr (N, irreps_node_attr.dim)``,
    ``edge_src, edge_dst (E,)``, ``edge_attr (E, irreps_edge_attr.dim)``,
    ``edge_length_embedded (E, number_of_basis)`` -> ``(N, irreps_out.dim)``.
    With ``edge_weight_index`` ``(E,)``, ``edge_length_embedded`` has one row per
    distinct length (``(P, number_of_basis)``) and edge ``e`` uses row
    ``edge_weight_index[e]`` (the radial network then runs on ``P`` rows only).

    :attr:`fused` tells whether the fused path applies (``0e`` node attributes, one copy
    of each edge irrep); :meth:`forward_blocks` is the same map on the ``ir_mul`` block
    layout, which the :class:`Network` keeps between its layers.
    """

    def __init__(
        self,
        irreps_in,
        irreps_node_attr,
        irreps_edge_attr,
        irreps_out,
        number_of_basis: int,
        radial_layers: int,
        radial_neurons: int,
        num_neighbors: float,
    ) -> None:
        super().__init__()
        self.irreps_in = Irreps(irreps_in)
        self.irreps_node_attr = Irreps(irreps_node_attr)
        self.irreps_edge_attr = Irreps(irreps_edge_attr)
        self.irreps_out = Irreps(irreps_out)
        self.num_neighbors = num_neighbors

        self.sc = FullyConnectedTensorProduct(self.irreps_in, self.irreps_node_attr, self.irreps_out)
        self.lin1 = FullyConnectedTensorProduct(self.irreps_in, self.irreps_node_attr, self.irreps_in)

        # one uvu path per (input irrep, edge irrep, output irrep present in irreps_out),
        # in that order; the intermediate irreps are then sorted
        mid = []
        paths = []
        for i_in, (mul, ir_in) in enumerate(self.irreps_in):
            for i_edge, (_, ir_edge) in enumerate(self.irreps_edge_attr):
                for ir_out in ir_in * ir_edge:
                    if ir_out in self.irreps_out:
                        paths.append((i_in, i_edge, len(mid)))
                        mid.append((mul, ir_out))
        irreps_mid, perm, _ = Irreps(mid).sort()
        instructions = [(i1, i2, perm[k], "uvu", True) for i1, i2, k in paths]
        self.irreps_mid = irreps_mid

        tp = TensorProduct(
            self.irreps_in,
            self.irreps_edge_attr,
            irreps_mid,
            instructions,
            internal_weights=False,
            shared_weights=False,
        )
        self.fc = FullyConnectedNet(
            [number_of_basis] + radial_layers * [radial_neurons] + [tp.weight_numel],
            torch.nn.functional.silu,
        )
        self.tp = tp
        self.lin2 = FullyConnectedTensorProduct(irreps_mid, self.irreps_node_attr, self.irreps_out)

        # sin(pi/8) s + (cos(pi/8) mu + 1 - mu) x, mu = sc.output_mask (a constant)
        mask = self.sc.output_mask.detach().clone().to(torch.get_default_dtype())
        self.register_buffer("_c_x", math.cos(math.pi / 8) * mask + (1 - mask), persistent=False)
        self._c_s = math.sin(math.pi / 8)

        # the fused path on blocks (scalar node attributes, one copy of each edge irrep)
        self._fused = (all(ScalarAttrTP.applies(m) for m in (self.sc, self.lin1, self.lin2))
                       and EdgeTP.applies(tp) and self.lin2.irreps_in1 == tp.irreps_out)
        if self._fused:
            has_sc = [bool(mask[sl.start]) if sl.stop > sl.start else False for sl in self.irreps_out.slices()]
            c = math.cos(math.pi / 8)
            self._in_plan = ScalarAttrTP([self.sc, self.lin1], [[self._c_s] * len(has_sc),
                                                                [1.0] * len(self.irreps_in)], self, "_in")
            self._edge_plan = EdgeTP(tp, self, "_edge")
            self._out_plan = ScalarAttrTP([self.lin2], [[(c if h else 1.0) / num_neighbors**0.5 for h in has_sc]],
                                          self, "_out")

    def forward(
        self,
        node_input: torch.Tensor,
        node_attr: torch.Tensor,
        edge_src: torch.Tensor,
        edge_dst: torch.Tensor,
        edge_attr: torch.Tensor,
        edge_length_embedded: torch.Tensor,
        edge_weight_index: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        if self._fused:
            blocks = self.forward_blocks(to_blocks(node_input, self.irreps_in), node_attr, edge_src, edge_dst,
                                         edge_attr, edge_length_embedded, edge_weight_index)
            return from_blocks(blocks, self.irreps_out, node_input)
        weight = self.fc(edge_length_embedded)
        if edge_weight_index is not None:
            weight = weight[edge_weight_index]
        s = self.sc(node_input, node_attr)
        x = self.lin1(node_input, node_attr)
        edge_features = self.tp(x[edge_src], edge_attr, weight)
        x = scatter_sum(edge_features, edge_dst, dim_size=x.shape[0]).div(self.num_neighbors**0.5)
        x = self.lin2(x, node_attr)
        return self._c_s * s + self._c_x.to(x.dtype) * x

    def forward_blocks(
        self,
        x: Blocks,
        node_attr: Optional[torch.Tensor],
        edge_src: torch.Tensor,
        edge_dst: torch.Tensor,
        edge_attr: torch.Tensor,
        edge_length_embedded: Optional[torch.Tensor],
        edge_weight_index: Optional[torch.Tensor] = None,
        *,
        weight: Optional[torch.Tensor] = None,
    ) -> Blocks:
        """:meth:`forward` on the block layout (:mod:`curienn.models._blocks`), when
        ``fused`` (scalar node attributes; ``node_attr=None`` means the constant 1).
        ``weight``, when the caller has computed it, is ``fc(edge_length_embedded)`` with its
        columns in the order :attr:`edge_weight_order`."""
        if not self._fused:
            raise RuntimeError("forward_blocks needs scalar node attributes and one copy of each edge irrep")
        if node_attr is None and self.irreps_node_attr.dim != 1:
            raise ValueError(f"node_attr=None means the constant 1, but irreps_node_attr={self.irreps_node_attr}")
        n = next(b for b in x if b is not None).shape[0]
        ordered = weight is not None
        if weight is None:
            weight = self.fc(edge_length_embedded)
        s, h = self._in_plan(self, (self.sc, self.lin1), merge_runs(x, self.irreps_in), node_attr)
        m = self._edge_plan(self, h, edge_attr, weight, edge_src, edge_dst, n, edge_weight_index, ordered)
        y = self._out_plan(self, (self.lin2,), m, node_attr)[0]
        out = []
        for a, b, (mul, ir) in zip(s, y, self.irreps_out):
            if a is None and b is None:
                out.append(edge_attr.new_zeros(n, ir.dim, mul))
            else:
                out.append(b if a is None else a if b is None else a + b)
        return out

    @property
    def edge_weight_order(self) -> Optional[torch.Tensor]:
        """When :attr:`fused`, the columns of ``fc``'s output in the order the fused edge product
        reads them (a permutation of ``range(tp.weight_numel)``; see :meth:`forward_blocks`)."""
        return self._edge_order if self._fused else None

    @property
    def fused(self) -> bool:
        """Whether :meth:`forward` takes the fused path (scalar ``0e`` node attributes and one
        copy of each edge irrep)."""
        return self._fused
