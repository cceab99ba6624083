r"""Gated message-passing stacks and the small networks built on them (e3nn's
``v2106.gate_points_message_passing`` / ``gate_points_networks`` and their ``v2103``
versions).

:class:`MessagePassing` runs ``Gate(PointsConvolution(...))`` for each hidden irreps of a
sequence, then a last :class:`~curienn.models.PointsConvolution` to the output irreps. The
gate of a layer keeps the hidden scalars and the hidden irreps of :math:`l > 0` that the
convolution can produce (some input irrep times some edge irrep contains them), and gates
the latter with ``0e`` (or ``0o`` when only that is reachable) scalars: silu/tanh on
even/odd scalars, sigmoid/tanh on even/odd gates.

:class:`SimpleNetwork` and :class:`NetworkForAGraphWithAttributes` embed a point cloud:
edges within ``max_radius``, spherical harmonics :math:`Y^{0..l_{max}}` of the edges
(component normalization) as edge attributes, the edge length in 10 ``smooth_finite``
functions (``cosine`` in the 2103 versions) times :math:`\sqrt{10}` as edge scalars, and
optionally a sum over the nodes of each graph divided by :math:`\sqrt{n_{nodes}}`.

Numbers equal e3nn 0.6.0's given the same weights (same parameter names).
"""

from __future__ import annotations

from typing import Mapping

import torch

from curienn.io import radius_graph, scatter_sum
from curienn.nn import Gate, soft_one_hot_linspace
from curienn.o3 import Irreps, spherical_harmonics

from ._gate_points import Compose, tp_path_exists
from ._points_convolution import PointsConvolution, PointsConvolution2103

__all__ = [
    "MessagePassing", "MessagePassing2103", "SimpleNetwork", "SimpleNetwork2103",
    "NetworkForAGraphWithAttributes", "NetworkForAGraphWithAttributes2103",
]

_ACT = {1: torch.nn.functional.silu, -1: torch.tanh}
_ACT_GATES = {1: torch.sigmoid, -1: torch.tanh}


def _gate(irreps_node: Irreps, irreps_hidden: Irreps, irreps_edge_attr: Irreps, v2103: bool) -> Gate:
    """The gate of a hidden layer reached from ``irreps_node`` (see the module)."""
    scalars = Irreps([(mul, ir) for mul, ir in irreps_hidden
                      if ir.l == 0 and tp_path_exists(irreps_node, irreps_edge_attr, ir)]).simplify()
    gated = Irreps([(mul, ir) for mul, ir in irreps_hidden
                    if ir.l > 0 and tp_path_exists(irreps_node, irreps_edge_attr, ir)])
    if v2103:
        ir = "0e" if tp_path_exists(irreps_node, irreps_edge_attr, "0e") else "0o"
    elif gated.dim == 0:
        ir = None
    elif tp_path_exists(irreps_node, irreps_edge_attr, "0e"):
        ir = "0e"
    elif tp_path_exists(irreps_node, irreps_edge_attr, "0o"):
        ir = "0o"
    else:
        raise ValueError(f"irreps_node={irreps_node} times irreps_edge_attr={irreps_edge_attr} is unable to produce "
                         f"gates needed for irreps_gated={gated}")
    gates = Irreps([(mul, ir) for mul, _ in gated]).simplify()
    return Gate(scalars, [_ACT[ir.p] for _, ir in scalars], gates, [_ACT_GATES[ir.p] for _, ir in gates], gated)


class _MessagePassingBase(torch.nn.Module):
    def _build(self, sequence, irreps_node_attr, irreps_edge_attr, fc_neurons, num_neighbors, v2103: bool) -> None:
        conv = PointsConvolution2103 if v2103 else PointsConvolution
        self.num_neighbors = num_neighbors
        self.irreps_node_attr = Irreps(irreps_node_attr)
        self.irreps_edge_attr = Irreps(irreps_edge_attr)
        sequence = [Irreps(irreps) for irreps in sequence]
        self.layers = torch.nn.ModuleList()
        irreps_node = sequence[0]
        self.irreps_node_sequence = [irreps_node]
        for hidden in sequence[1:-1]:
            gate = _gate(irreps_node, hidden, self.irreps_edge_attr, v2103)
            self.layers.append(Compose(conv(irreps_node, self.irreps_node_attr, self.irreps_edge_attr, gate.irreps_in,
                                            fc_neurons, num_neighbors), gate))
            irreps_node = gate.irreps_out
            self.irreps_node_sequence.append(irreps_node)
        self.layers.append(conv(irreps_node, self.irreps_node_attr, self.irreps_edge_attr, sequence[-1], fc_neurons,
                                num_neighbors))
        self.irreps_node_sequence.append(sequence[-1])
        self.irreps_node_input, self.irreps_node_output = sequence[0], sequence[-1]

    def forward(self, node_features, node_attr, edge_src, edge_dst, edge_attr, edge_scalars) -> torch.Tensor:
        """``(N, input)``, ``(N, attr)``, ``(E,)``, ``(E,)``, ``(E, edge)``, ``(E, fc_neurons[0])`` -> ``(N, output)``."""
        for layer in self.layers:
            node_features = layer(node_features, node_attr, edge_src, edge_dst, edge_attr, edge_scalars)
        return node_features


class MessagePassing(_MessagePassingBase):
    """Gated point convolutions through ``irreps_node_sequence`` (input, hidden..., output);
    see the module. ``fc_neurons``: input and hidden sizes of the radial networks."""

    def __init__(self, irreps_node_sequence, irreps_node_attr, irreps_edge_attr, fc_neurons, num_neighbors) -> None:
        super().__init__()
        self._build(irreps_node_sequence, irreps_node_attr, irreps_edge_attr, fc_neurons, num_neighbors, False)


class MessagePassing2103(_MessagePassingBase):
    """The v2103 stack: ``layers`` gated :class:`PointsConvolution2103` through
    ``irreps_node_hidden``, then one to ``irreps_node_output``."""

    def __init__(self, irreps_node_input, irreps_node_hidden, irreps_node_output, irreps_node_attr, irreps_edge_attr,
                 layers: int, fc_neurons, num_neighbors) -> None:
        super().__init__()
        sequence = [irreps_node_input] + layers * [irreps_node_hidden] + [irreps_node_output]
        self._build(sequence, irreps_node_attr, irreps_edge_attr, fc_neurons, num_neighbors, True)
        self.irreps_node_hidden = Irreps(irreps_node_hidden)


class _PointCloudNetwork(torch.nn.Module):
    """Graph, edge embedding, message passing and pooling (see the module)."""

    number_of_basis = 10
    _basis = "smooth_finite"

    def _embed(self, data: Mapping[str, torch.Tensor], edge_src, edge_dst):
        edge_vec = data["pos"][edge_src] - data["pos"][edge_dst]
        edge_sh = spherical_harmonics(list(range(self.lmax + 1)), edge_vec, True, normalization="component")
        edge_scalars = soft_one_hot_linspace(edge_vec.norm(dim=1), 0.0, self.max_radius, self.number_of_basis,
                                             basis=self._basis, cutoff=True).mul(self.number_of_basis**0.5)
        return edge_sh, edge_scalars

    def _message_passing(self, irreps_in, irreps_out, mul: int, layers: int, **kwargs) -> _MessagePassingBase:
        """The stack ``irreps_in -> layers x hidden -> irreps_out`` (hidden: ``mul`` copies of
        every ``(l <= lmax, p)``) of this network's version."""
        hidden = Irreps([(mul, (l, p)) for l in range(self.lmax + 1) for p in (-1, 1)])
        kwargs.update(fc_neurons=[self.number_of_basis, 100])
        if self._mp is MessagePassing:
            return MessagePassing([irreps_in] + layers * [hidden] + [irreps_out], **kwargs)
        return MessagePassing2103(irreps_in, hidden, irreps_out, layers=layers, **kwargs)

    def _batch(self, data: Mapping[str, torch.Tensor]) -> torch.Tensor:
        if "batch" in data:
            return data["batch"]
        return data["pos"].new_zeros(data["pos"].shape[0], dtype=torch.long)

    def _pool(self, node_outputs: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
        if self.pool_nodes:
            return scatter_sum(node_outputs, batch, dim_size=int(batch.max()) + 1).div(self.num_nodes**0.5)
        return node_outputs


class SimpleNetwork(_PointCloudNetwork):
    """Point cloud -> features: ``forward({"pos", "x", optional "batch"})``; no node
    attributes (see the module). Hidden irreps ``mul`` copies of every ``(l <= lmax, p)``."""

    _mp = MessagePassing

    def __init__(self, irreps_in, irreps_out, max_radius, num_neighbors, num_nodes, mul=50, layers=3, lmax=2,
                 pool_nodes=True) -> None:
        super().__init__()
        self.lmax, self.max_radius, self.num_nodes, self.pool_nodes = lmax, max_radius, num_nodes, pool_nodes
        self.mp = self._message_passing(irreps_in, irreps_out, mul, layers, irreps_node_attr="0e",
                                        irreps_edge_attr=Irreps.spherical_harmonics(lmax),
                                        num_neighbors=num_neighbors)
        self.irreps_in = self.mp.irreps_node_input
        self.irreps_out = self.mp.irreps_node_output

    def preprocess(self, data: Mapping[str, torch.Tensor]):
        """``(batch, x, edge_src, edge_dst, edge_vec)`` of ``data``."""
        batch = self._batch(data)
        edge_src, edge_dst = radius_graph(data["pos"], self.max_radius, batch)
        return batch, data["x"], edge_src, edge_dst, data["pos"][edge_src] - data["pos"][edge_dst]

    def forward(self, data: Mapping[str, torch.Tensor]) -> torch.Tensor:
        batch, x, edge_src, edge_dst, _ = self.preprocess(data)
        edge_sh, edge_scalars = self._embed(data, edge_src, edge_dst)
        out = self.mp(x, x.new_ones(x.shape[0], 1), edge_src, edge_dst, edge_sh, edge_scalars)
        return self._pool(out, batch)


class SimpleNetwork2103(SimpleNetwork):
    """:class:`SimpleNetwork` of v2103 (:class:`MessagePassing2103`, ``cosine`` edge basis)."""

    _mp = MessagePassing2103
    _basis = "cosine"


class NetworkForAGraphWithAttributes(_PointCloudNetwork):
    """A graph with node and edge attributes: ``forward({"pos", "node_input" (or "x"),
    "node_attr", "edge_attr", optional "edge_index", "batch"})``; the edge attributes are
    ``irreps_edge_attr`` followed by the spherical harmonics of the edges."""

    _mp = MessagePassing

    def __init__(self, irreps_node_input, irreps_node_attr, irreps_edge_attr, irreps_node_output, max_radius,
                 num_neighbors, num_nodes, mul=50, layers=3, lmax=2, pool_nodes=True) -> None:
        super().__init__()
        self.lmax, self.max_radius, self.num_nodes, self.pool_nodes = lmax, max_radius, num_nodes, pool_nodes
        self.irreps_edge_attr = Irreps(irreps_edge_attr)
        self.mp = self._message_passing(irreps_node_input, irreps_node_output, mul, layers,
                                        irreps_node_attr=irreps_node_attr,
                                        irreps_edge_attr=self.irreps_edge_attr + Irreps.spherical_harmonics(lmax),
                                        num_neighbors=num_neighbors)
        self.irreps_node_input = self.mp.irreps_node_input
        self.irreps_node_attr = self.mp.irreps_node_attr
        self.irreps_node_output = self.mp.irreps_node_output

    def preprocess(self, data: Mapping[str, torch.Tensor]):
        """``(batch, node_input, node_attr, edge_attr, edge_src, edge_dst, edge_vec)`` of ``data``."""
        batch = self._batch(data)
        if "edge_index" in data:
            edge_src, edge_dst = data["edge_index"][0], data["edge_index"][1]
        else:
            edge_src, edge_dst = radius_graph(data["pos"], self.max_radius, batch)
        node_input = data["x"] if "x" in data else data["node_input"]
        edge_vec = data["pos"][edge_src] - data["pos"][edge_dst]
        return batch, node_input, data["node_attr"], data["edge_attr"], edge_src, edge_dst, edge_vec

    def forward(self, data: Mapping[str, torch.Tensor]) -> torch.Tensor:
        batch, node_input, node_attr, edge_attr, edge_src, edge_dst, _ = self.preprocess(data)
        edge_sh, edge_scalars = self._embed(data, edge_src, edge_dst)
        edge_attr = torch.cat([edge_attr, edge_sh], dim=1)
        out = self.mp(node_input, node_attr, edge_src, edge_dst, edge_attr, edge_scalars)
        return self._pool(out, batch)


class NetworkForAGraphWithAttributes2103(NetworkForAGraphWithAttributes):
    """:class:`NetworkForAGraphWithAttributes` of v2103 (:class:`MessagePassing2103`,
    ``cosine`` edge basis; the graph must be given as ``edge_index``)."""

    _mp = MessagePassing2103
    _basis = "cosine"
