r"""The gate-points network whose radial networks also see the scalar node attributes
(e3nn's ``gate_points_2102.Network``).

Identical to :class:`~curienn.models.Network` (``gate_points_2101``) except for the input of
the radial networks of every :class:`~curienn.models.Convolution`: instead of the embedded
edge length :math:`b_e` alone it is the edge feature

.. math:: f_e = \big(b_e,\ z^{0e}_{\mathrm{src}(e)},\ z^{0e}_{\mathrm{dst}(e)}\big),

with :math:`z^{0e}` the ``0e`` part of the node attributes, so the filters can depend on the
species of both ends (``number_of_basis + 2 * irreps_node_attr.count("0e")`` features).
Numbers equal e3nn 0.6.0's given the same weights (:func:`load_e3nn_network_state_dict`).
"""

from __future__ import annotations

from typing import Mapping, Optional

import torch

from curienn.io import scatter_sum
from curienn.nn import ExtractIr, smooth_cutoff, soft_one_hot_linspace
from curienn.o3 import InvalidArgumentError, Irreps, spherical_harmonics

from ._gate_points import Convolution, Network

__all__ = ["Network2102", "Convolution2102"]


class Convolution2102(Convolution):
    """:class:`~curienn.models.Convolution` whose radial network takes
    ``number_of_edge_features`` inputs (e3nn's ``gate_points_2102.Convolution``: the same
    module, with that argument name)."""

    def __init__(self, irreps_in, irreps_node_attr, irreps_edge_attr, irreps_out, number_of_edge_features: int,
                 radial_layers: int, radial_neurons: int, num_neighbors: float) -> None:
        super().__init__(irreps_in, irreps_node_attr, irreps_edge_attr, irreps_out, number_of_edge_features,
                         radial_layers, radial_neurons, num_neighbors)


class Network2102(Network):
    r"""Gate-points network with node-attribute-aware radial networks (see the module).

    Same arguments, ``forward(data)`` and periodic/precomputed-graph options as
    :class:`~curienn.models.Network`; the convolutions' radial networks take
    ``number_of_basis + 2 * irreps_node_attr.count("0e")`` inputs.

    Attributes:
        ext_z: :class:`~curienn.nn.ExtractIr` of the ``0e`` node attributes.
    """

    def __init__(self, irreps_in: Optional[Irreps], irreps_hidden: Irreps, irreps_out: Irreps,
                 irreps_node_attr: Optional[Irreps], irreps_edge_attr: Irreps, layers: int, max_radius: float,
                 number_of_basis: int, radial_layers: int, radial_neurons: int, num_neighbors: float,
                 num_nodes: float, reduce_output: bool = True) -> None:
        if number_of_basis < 2:
            raise InvalidArgumentError(f"number_of_basis must be >= 2, got {number_of_basis}")
        node_attr = Irreps(irreps_node_attr) if irreps_node_attr is not None else Irreps("0e")
        number_of_edge_features = number_of_basis + 2 * node_attr.count("0e")
        # the parent builds the convolutions with number_of_edge_features radial inputs
        super().__init__(irreps_in, irreps_hidden, irreps_out, irreps_node_attr, irreps_edge_attr, layers,
                         max_radius, number_of_edge_features, radial_layers, radial_neurons, num_neighbors,
                         num_nodes, reduce_output)
        self.number_of_basis = number_of_basis
        self.number_of_edge_features = number_of_edge_features
        self.ext_z = ExtractIr(self.irreps_node_attr, "0e")

    def forward(self, data: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """Evaluate the network on ``data`` (keys as :meth:`Network.forward`)."""
        graph = self.build_graph(data)
        batch, edge_src, edge_dst, edge_vec = graph["batch"], graph["edge_src"], graph["edge_dst"], graph["edge_vec"]
        edge_sh = spherical_harmonics(self.irreps_edge_attr, edge_vec, True, normalization="component")
        edge_length = edge_vec.norm(dim=1)
        edge_length_embedded = soft_one_hot_linspace(
            edge_length, 0.0, self.max_radius, self.number_of_basis, basis="gaussian", cutoff=False
        ).mul(self.number_of_basis**0.5)
        edge_attr = smooth_cutoff(edge_length / self.max_radius)[:, None] * edge_sh

        x, z = self._node_inputs(data, data["pos"])
        scalar_z = self.ext_z(z)
        edge_features = torch.cat([edge_length_embedded, scalar_z[edge_src], scalar_z[edge_dst]], dim=1)
        for layer in self.layers:
            x = layer(x, z, edge_src, edge_dst, edge_attr, edge_features)

        if self.reduce_output:
            num_graphs = int(batch.max()) + 1 if batch.numel() else 0
            return scatter_sum(x, batch, dim_size=num_graphs).div(self.num_nodes**0.5)
        return x
