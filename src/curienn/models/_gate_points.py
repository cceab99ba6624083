r"""The gate-points point-convolution network (e3nn's ``gate_points_2101.Network``).

Numbers equal e3nn 0.6.0's ``e3nn.nn.models.gate_points_2101.Network`` given the
same weights, and its ``state_dict`` loads into ours through
:func:`load_e3nn_network_state_dict`. Additions: periodic boundary conditions
(``cell``/``pbc`` in the input dict) and precomputed graphs.

The network, for node features :math:`x_i` (``irreps_in``, or a constant 1),
node attributes :math:`z_i` (``irreps_node_attr``, or a constant 1) and edges
:math:`e = (s \to d)` with vector :math:`\vec r_e = x_s - x_d\,(+ S_e C)`:

* edge attributes :math:`a_e = c(r_e/r_{\max})\, Y(\hat r_e)` with the smooth
  cutoff :math:`c` and component-normalized spherical harmonics :math:`Y`
  (``irreps_edge_attr``);
* radial embedding :math:`b_e = \sqrt{n_b}\,\mathrm{gauss}(r_e)`, ``number_of_basis``
  Gaussians on :math:`[0, r_{\max}]`;
* each :class:`Convolution` mixes the features of the neighbours through a tensor
  product with :math:`a_e` weighted by a radial network of :math:`b_e` (its maths in
  :mod:`curienn.models._convolution`);
* ``layers`` times ``Gate(Convolution(...))``, then a last :class:`Convolution` to
  ``irreps_out``; with ``reduce_output`` the node outputs are summed per graph
  and divided by :math:`\sqrt{n_{\mathrm{nodes}}}`.

When every convolution qualifies (``0e`` node attributes, one copy of each edge irrep:
the usual case), the node features stay between layers in the ``ir_mul`` block layout
of :mod:`curienn.models._blocks` and the convolutions take their fused path; e3nn's
layout is produced only for the output. The numbers are the same.
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional

import torch

from curienn.io import (
    edge_vectors,
    periodic_radius_graph,
    radius_graph,
    scatter_sum,
    undirected_pairs,
)
from curienn.nn import Gate, smooth_cutoff, soft_one_hot_linspace
from curienn.o3 import InvalidArgumentError, Irrep, Irreps, spherical_harmonics

from ._blocks import BlockGate, from_blocks, to_blocks
from ._convolution import Convolution
from ._radial_bank import RadialBank

__all__ = [
    "Convolution",
    "Compose",
    "Network",
    "tp_path_exists",
    "load_e3nn_network_state_dict",
]


def tp_path_exists(irreps_in1, irreps_in2, ir_out) -> bool:
    """Whether some ``ir1 x ir2`` of the two inputs contains the irrep ``ir_out``."""
    irreps_in1 = Irreps(irreps_in1).simplify()
    irreps_in2 = Irreps(irreps_in2).simplify()
    ir_out = Irrep(ir_out)
    return any(ir_out in ir1 * ir2 for _, ir1 in irreps_in1 for _, ir2 in irreps_in2)


class Compose(torch.nn.Module):
    """``second(first(*inputs))``; ``irreps_in`` of ``first``, ``irreps_out`` of ``second``
    (``None`` where they have none)."""

    def __init__(self, first: torch.nn.Module, second: torch.nn.Module) -> None:
        super().__init__()
        self.first = first
        self.second = second
        self.irreps_in = getattr(first, "irreps_in", None)
        self.irreps_out = getattr(second, "irreps_out", None)

    def forward(self, *inputs):
        return self.second(self.first(*inputs))


_ACT = {1: torch.nn.functional.silu, -1: torch.tanh}
_ACT_GATES = {1: torch.sigmoid, -1: torch.tanh}


class Network(torch.nn.Module):
    r"""Gate-points equivariant network (e3nn's ``gate_points_2101.Network``).

    Args:
        irreps_in: node input features, or ``None`` (a constant ``1`` per node).
        irreps_hidden: hidden features (the scalars and gated irreps kept per layer).
        irreps_out: output features.
        irreps_node_attr: node attributes (e.g. one-hot species), or ``None`` (``0e``, constant 1).
        irreps_edge_attr: spherical harmonics of the edges, e.g. ``Irreps.spherical_harmonics(3)``.
        layers: number of gated convolutions (a last plain convolution follows).
        max_radius: cutoff radius of the graph and of the smooth edge cutoff.
        number_of_basis: Gaussians embedding the edge lengths.
        radial_layers: hidden layers of the radial networks.
        radial_neurons: width of those layers.
        num_neighbors: typical number of neighbours (messages are divided by its square root).
        num_nodes: typical number of nodes per graph (the readout is divided by its square root).
        reduce_output: sum the node outputs of each graph.

    ``forward(data)`` reads a dict:

    * ``pos`` ``(N, 3)``, required; ``x`` ``(N, irreps_in.dim)``; ``z``
      ``(N, irreps_node_attr.dim)``; ``batch`` ``(N,)`` graph index of each node;
    * periodic boundary conditions: ``cell`` ``(3, 3)`` or ``(num_graphs, 3, 3)``
      (lattice vectors as rows) and ``pbc`` (bool, ``(3,)`` or ``(num_graphs, 3)``;
      default ``True`` when a cell is given);
    * or a precomputed graph: ``edge_src``, ``edge_dst`` ``(E,)`` and either
      ``edge_vec`` ``(E, 3)`` or ``edge_shift`` ``(E, 3)`` with ``cell``.

    The edge vector of an edge ``src -> dst`` is ``pos[src] - pos[dst] + edge_shift @ cell``
    (see :mod:`curienn.io._graph`). Returns ``(num_graphs, irreps_out.dim)`` with
    ``reduce_output`` (``num_graphs = batch.max() + 1``), else ``(N, irreps_out.dim)``.

    Example:
        >>> net = Network(irreps_in="3x0e+2x1o", irreps_hidden="5x0e+5x0o+5x1e+5x1o",
        ...               irreps_out="2x0o+2x1o+2x2e", irreps_node_attr=None,
        ...               irreps_edge_attr="0e+1o+2e+3o", layers=3, max_radius=2.0,
        ...               number_of_basis=10, radial_layers=2, radial_neurons=100,
        ...               num_neighbors=5, num_nodes=5)
        >>> data = {"pos": torch.randn(5, 3), "x": torch.randn(5, 9)}
        >>> net(data).shape
        torch.Size([1, 18])
        >>> cell = 3.0 * torch.eye(3)  # a periodic crystal with 5 atoms per cell
        >>> net({**data, "cell": cell, "pbc": torch.tensor([True, True, True])}).shape
        torch.Size([1, 18])
    """

    def __init__(
        self,
        irreps_in: Optional[Irreps],
        irreps_hidden: Irreps,
        irreps_out: Irreps,
        irreps_node_attr: Optional[Irreps],
        irreps_edge_attr: Irreps,
        layers: int,
        max_radius: float,
        number_of_basis: int,
        radial_layers: int,
        radial_neurons: int,
        num_neighbors: float,
        num_nodes: float,
        reduce_output: bool = True,
    ) -> None:
        super().__init__()
        if not max_radius > 0:
            raise ValueError(f"max_radius must be positive, got {max_radius}")
        if layers < 0:
            raise ValueError(f"layers must be >= 0, got {layers}")
        if number_of_basis < 2:
            raise ValueError(f"number_of_basis must be >= 2, got {number_of_basis}")
        self.max_radius = max_radius
        self.number_of_basis = number_of_basis
        self.num_neighbors = num_neighbors
        self.num_nodes = num_nodes
        self.reduce_output = reduce_output

        self.irreps_in = Irreps(irreps_in) if irreps_in is not None else None
        self.irreps_hidden = Irreps(irreps_hidden)
        self.irreps_out = Irreps(irreps_out)
        self.irreps_node_attr = Irreps(irreps_node_attr) if irreps_node_attr is not None else Irreps("0e")
        self.irreps_edge_attr = Irreps(irreps_edge_attr)
        self.input_has_node_in = irreps_in is not None
        self.input_has_node_attr = irreps_node_attr is not None
        for mul, ir in self.irreps_edge_attr:
            if ir.p != (-1) ** ir.l:
                raise ValueError(
                    f"irreps_edge_attr={self.irreps_edge_attr} must be spherical harmonics "
                    f"(parity (-1)^l); {ir} is not"
                )

        irreps = self.irreps_in if self.irreps_in is not None else Irreps("0e")
        self.layers = torch.nn.ModuleList()
        for _ in range(layers):
            scalars = Irreps([
                (mul, ir) for mul, ir in self.irreps_hidden
                if ir.l == 0 and tp_path_exists(irreps, self.irreps_edge_attr, ir)
            ])
            gated = Irreps([
                (mul, ir) for mul, ir in self.irreps_hidden
                if ir.l > 0 and tp_path_exists(irreps, self.irreps_edge_attr, ir)
            ])
            ir_gate = "0e" if tp_path_exists(irreps, self.irreps_edge_attr, "0e") else "0o"
            gates = Irreps([(mul, ir_gate) for mul, _ in gated])
            gate = Gate(
                scalars, [_ACT[ir.p] for _, ir in scalars],
                gates, [_ACT_GATES[ir.p] for _, ir in gates],
                gated,
            )
            conv = Convolution(
                irreps, self.irreps_node_attr, self.irreps_edge_attr, gate.irreps_in,
                number_of_basis, radial_layers, radial_neurons, num_neighbors,
            )
            irreps = gate.irreps_out
            self.layers.append(Compose(conv, gate))
        self.layers.append(
            Convolution(
                irreps, self.irreps_node_attr, self.irreps_edge_attr, self.irreps_out,
                number_of_basis, radial_layers, radial_neurons, num_neighbors,
            )
        )
        # the fused path (all convolutions fused, gates on blocks): plans of the gates
        self._gate_plans: Optional[list] = None
        if self.layers[-1].fused and all(
                layer.first.fused and BlockGate.applies(layer.second) for layer in self.layers[:-1]):
            self._gate_plans = [BlockGate(layer.second) for layer in self.layers[:-1]]
        # the fused path's convolutions, their radial networks (one bank when they allow it) and
        # the column order each fused edge product reads; plain lists, the modules stay in layers
        self._convs: list = []
        self._radial_plan: Optional[RadialBank] = None
        if self._gate_plans is not None:
            self._convs = [layer.first for layer in self.layers[:-1]] + [self.layers[-1]]
            fcs = [conv.fc for conv in self._convs]
            self._radial_plan = RadialBank(fcs) if RadialBank.applies(fcs) else None

    # -- graph ---------------------------------------------------------------------

    def build_graph(self, data: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """``batch``, ``edge_src``, ``edge_dst`` and ``edge_vec`` for ``data`` (see :meth:`forward`),
        plus ``edge_pair``/``pair_representative`` (:func:`curienn.io._graph.undirected_pairs`)
        when the vectors are computed here.

        Differentiable with respect to ``pos`` and ``cell`` (the neighbour search
        itself is not, and need not be).
        """
        pos = data["pos"]
        if not isinstance(pos, torch.Tensor) or pos.dim() != 2 or pos.shape[1] != 3:
            shape = tuple(pos.shape) if isinstance(pos, torch.Tensor) else type(pos).__name__
            raise ValueError(f"data['pos'] must have shape (N, 3), got {shape}")
        if not torch.compiler.is_compiling() and pos.device.type != "meta":  # (meta tensors hold no data)
            finite = torch.isfinite(pos).all(dim=1)
            if not bool(finite.all()):
                bad = (~finite).nonzero().flatten()[:10].tolist()
                raise ValueError(f"data['pos'] has non-finite (NaN or inf) coordinates for node(s) {bad}")
        batch = data.get("batch")
        if batch is None:
            batch = pos.new_zeros(pos.shape[0], dtype=torch.long)
        cell = data.get("cell")
        if cell is not None:
            cell = cell.to(pos.dtype)
        pairs = True  # reversed edges have exactly opposite vectors
        shift = None
        if "edge_src" in data or "edge_dst" in data:
            edge_src, edge_dst = data["edge_src"], data["edge_dst"]
            if "edge_vec" in data:
                edge_vec = data["edge_vec"]
                pairs = False  # no guarantee on given vectors
            else:
                shift = data.get("edge_shift")
                edge_vec = edge_vectors(pos, edge_src, edge_dst, shift, cell, batch)
        else:
            pbc = data.get("pbc", True if cell is not None else False)
            if cell is not None and bool(torch.as_tensor(pbc).any()):
                edge_src, edge_dst, shift = periodic_radius_graph(pos, self.max_radius, cell, pbc, batch)
                edge_vec = edge_vectors(pos, edge_src, edge_dst, shift, cell, batch)
            else:
                edge_src, edge_dst = radius_graph(pos, self.max_radius, batch)
                edge_vec = pos[edge_src] - pos[edge_dst]
        graph = {"batch": batch, "edge_src": edge_src, "edge_dst": edge_dst, "edge_vec": edge_vec}
        if pairs:
            graph["edge_pair"], graph["pair_representative"] = undirected_pairs(edge_src, edge_dst, shift)
        return graph

    def _node_inputs(self, data: Mapping[str, torch.Tensor], pos: torch.Tensor):
        n = pos.shape[0]
        if self.input_has_node_in and "x" in data:
            x = data["x"]
            if x.shape != (n, self.irreps_in.dim):
                raise ValueError(f"data['x'] must have shape ({n}, {self.irreps_in.dim}) for irreps_in={self.irreps_in}, got {tuple(x.shape)}")
        elif self.input_has_node_in:
            raise InvalidArgumentError(f"the network has irreps_in={self.irreps_in} but data has no 'x'")
        else:
            x = pos.new_ones((n, 1))
        if self.input_has_node_attr and "z" in data:
            z = data["z"]
            if z.shape != (n, self.irreps_node_attr.dim):
                raise ValueError(f"data['z'] must have shape ({n}, {self.irreps_node_attr.dim}) for irreps_node_attr={self.irreps_node_attr}, got {tuple(z.shape)}")
        elif self.input_has_node_attr:
            raise InvalidArgumentError(f"the network has irreps_node_attr={self.irreps_node_attr} but data has no 'z'")
        else:
            z = pos.new_ones((n, 1))
        return x, z

    def forward(self, data: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """Evaluate the network on ``data`` (keys in the class docstring)."""
        graph = self.build_graph(data)
        pos = data["pos"]
        batch, edge_src, edge_dst, edge_vec = graph["batch"], graph["edge_src"], graph["edge_dst"], graph["edge_vec"]

        edge_sh = spherical_harmonics(self.irreps_edge_attr, edge_vec, True, normalization="component")
        edge_length = edge_vec.norm(dim=1)
        # the radial part depends on the length only: one evaluation per pair of
        # reversed edges (their lengths are bitwise equal, and so are their gradients)
        edge_pair = graph.get("edge_pair")
        length = edge_length if edge_pair is None else edge_length[graph["pair_representative"]]
        edge_length_embedded = soft_one_hot_linspace(
            length, 0.0, self.max_radius, self.number_of_basis, basis="gaussian", cutoff=False
        ).mul(self.number_of_basis**0.5)
        edge_attr = smooth_cutoff(edge_length / self.max_radius)[:, None] * edge_sh

        x, z = self._node_inputs(data, pos)
        if self._gate_plans is not None:  # the fused path: node features stay in the block layout
            blocks = to_blocks(x, self.irreps_in if self.irreps_in is not None else Irreps("0e"))
            z_blocks = z if self.input_has_node_attr else None  # None: the constant 1
            convs = self._convs
            weights = (self._radial_plan([conv.fc for conv in convs], edge_length_embedded,
                                         [conv.edge_weight_order for conv in convs])
                       if self._radial_plan is not None else [None] * len(convs))
            for conv, plan, layer, weight in zip(convs, self._gate_plans + [None], self.layers, weights):
                blocks = conv.forward_blocks(blocks, z_blocks, edge_src, edge_dst, edge_attr,
                                             edge_length_embedded, edge_pair, weight=weight)
                if plan is not None:
                    blocks = plan(layer.second, blocks)
            x = from_blocks(blocks, self.irreps_out, x)
        else:
            for layer in self.layers:
                x = layer(x, z, edge_src, edge_dst, edge_attr, edge_length_embedded, edge_pair)

        if self.reduce_output:
            num_graphs = int(batch.max()) + 1 if batch.numel() else 0
            return scatter_sum(x, batch, dim_size=num_graphs).div(self.num_nodes**0.5)
        return x


def _is_derived_e3nn_key(key: str, value: torch.Tensor) -> bool:
    """Keys of an e3nn state_dict that hold no trainable information."""
    last = key.rsplit(".", 1)[-1]
    if "._compiled_main" in key or last.startswith("_w3j"):
        return True  # Clebsch-Gordan buffers of e3nn's generated code
    if last == "output_mask":
        return True  # a function of the irreps
    if value.numel() == 0:
        return True  # empty weights (e.g. Gate's ElementwiseTensorProduct "mul", tp.weight)
    return False


def load_e3nn_network_state_dict(
    module: torch.nn.Module, state_dict: Mapping[str, torch.Tensor], strict: bool = True
) -> None:
    """Load the ``state_dict`` of an e3nn ``gate_points_2101.Network`` (or any module
    with the same parameter names) into ``module``.

    e3nn's state_dict also holds derived buffers (``output_mask``, the ``_w3j_*``
    buffers of its generated code, the empty weights of ``Gate.mul`` and of ``tp``);
    they are skipped. Every other key must match one of ours in name and shape,
    and with ``strict`` every parameter of ``module`` must be given.

    Raises:
        ValueError: an unexpected key, a shape mismatch, or (``strict``) a missing key.
    """
    ours = module.state_dict()
    load = {}
    for key, value in state_dict.items():
        if key in ours and ours[key].shape == value.shape and not key.endswith("output_mask"):
            load[key] = value
        elif _is_derived_e3nn_key(key, value):
            continue
        elif key in ours:
            raise ValueError(f"{key}: shape {tuple(value.shape)} in the state_dict, {tuple(ours[key].shape)} here")
        else:
            raise ValueError(f"unexpected key {key!r} in the state_dict")
    missing = [k for k in ours if k not in load and ours[k].numel() > 0 and not _is_buffer(module, k)]
    if strict and missing:
        raise ValueError(f"missing keys in the state_dict: {missing}")
    module.load_state_dict(load, strict=False)


def _is_buffer(module: torch.nn.Module, key: str) -> bool:
    names = dict(module.named_buffers())
    return key in names

