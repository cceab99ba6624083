"""The self-tests that e3nn's model modules carry at module level (``test()``,
``test_simple_network()``, ...), run on the curienn models: each builds the module with
e3nn's example arguments, calls it and checks the output shape (and, for the message
passing, equivariance)."""

import torch

from curienn.io import radius_graph
from curienn.models import (
    LowPassFilter,
    MessagePassing,
    MessagePassing2103,
    NetworkForAGraphWithAttributes,
    NetworkForAGraphWithAttributes2103,
    PointsInOutConvolution,
    SimpleNetwork,
    SimpleNetwork2103,
    VoxelConvolution,
    VoxelConvolution2103,
)
from curienn.nn import soft_one_hot_linspace
from curienn.o3 import Irreps, spherical_harmonics
from curienn.testing import assert_equivariant


def _voxels(conv, filt) -> None:
    x = torch.randn(2, 4, 12, 12, 12)
    assert conv(x).shape == (2, conv.irreps_out.dim, 12, 12, 12)
    assert filt(x).shape == (2, 4, 12, 12, 12)


def voxel_convolution_2103_test() -> None:
    """``v2103.voxel_convolution.test``."""
    _voxels(VoxelConvolution2103("0e + 1e", "0e + 1e + 1o + 2e + 2o", Irreps.spherical_harmonics(lmax=3), 5),
            LowPassFilter(2.0))


def voxel_convolution_test() -> None:
    """``v2104.voxel_convolution.test``."""
    _voxels(VoxelConvolution("0e + 1e", "0e + 1e + 1o + 2e + 2o", Irreps.spherical_harmonics(lmax=3), diameter=5,
                             num_radial_basis=5, steps=(1, 1, 1)), LowPassFilter(2.0))


def _message_passing(mp) -> None:
    n = 4
    pos = torch.randn(n, 3)
    edge_src, edge_dst = radius_graph(pos, 3.0)
    attr_l = [ir.l for _, ir in mp.irreps_edge_attr]
    edge_attr = spherical_harmonics(attr_l, pos[edge_src] - pos[edge_dst], normalize=True, normalization="component")
    args = [mp.irreps_node_input.randn(n, -1), mp.irreps_node_attr.randn(n, -1), edge_src, edge_dst, edge_attr,
            torch.randn(edge_src.shape[0], 2)]
    assert mp(*args).shape == (n, mp.irreps_node_output.dim)
    assert_equivariant(mp, args_in=args, irreps_in=[mp.irreps_node_input, mp.irreps_node_attr, None, None,
                                                    mp.irreps_edge_attr, None], irreps_out=[mp.irreps_node_output])


def message_passing_test() -> None:
    """``v2106.gate_points_message_passing.test``."""
    _message_passing(MessagePassing(["0e", "0e + 1e", "0e + 1e", "0e + 1e", "1e"], irreps_node_attr="0e + 1e",
                                    irreps_edge_attr="0e + 1e", fc_neurons=[2, 100], num_neighbors=3.0))


def message_passing_2103_test() -> None:
    """``v2103.gate_points_message_passing.test``."""
    _message_passing(MessagePassing2103("0e", "0e + 1e", "1e", irreps_node_attr="0e + 1e", irreps_edge_attr="0e + 1e",
                                        layers=3, fc_neurons=[2, 100], num_neighbors=3.0))


def _simple(cls) -> None:
    net = cls("3x0e + 2x1o", "4x0e + 1x1o", max_radius=2.0, num_neighbors=3.0, num_nodes=5.0)
    assert net({"pos": torch.randn(5, 3), "x": net.irreps_in.randn(5, -1)}).shape == (1, net.irreps_out.dim)


def _with_attributes(cls) -> None:
    net = cls("3x0e + 2x1o", "4x0e + 1x1o", "1e", "3x0o + 1e", max_radius=2.0, num_neighbors=3.0, num_nodes=5.0)
    out = net({"pos": torch.randn(3, 3), "edge_index": torch.tensor([[0, 1, 2], [1, 2, 0]]),
               "node_input": net.irreps_node_input.randn(3, -1), "node_attr": net.irreps_node_attr.randn(3, -1),
               "edge_attr": net.irreps_edge_attr.randn(3, -1)})
    assert out.shape == (1, net.irreps_node_output.dim)


def simple_network_test() -> None:
    """``v2106.gate_points_networks.test_simple_network``."""
    _simple(SimpleNetwork)


def simple_network_2103_test() -> None:
    """``v2103.gate_points_networks.test_simple_network``."""
    _simple(SimpleNetwork2103)


def network_for_a_graph_with_attributes_test() -> None:
    """``v2106.gate_points_networks.test_network_for_a_graph_with_attributes``."""
    _with_attributes(NetworkForAGraphWithAttributes)


def network_for_a_graph_with_attributes_2103_test() -> None:
    """``v2103.gate_points_networks.test_network_for_a_graph_with_attributes``."""
    _with_attributes(NetworkForAGraphWithAttributes2103)


def conv_points_in_out_test() -> None:
    """``v2103.conv_points_in_out.test``."""
    conv = PointsInOutConvolution(irreps_node_input="0e + 1e", irreps_node_output="0e + 1e",
                                  irreps_node_attr_input="2x0e", irreps_node_attr_output="3x0e",
                                  irreps_edge_attr="0e + 1e", num_edge_scalar_attr=4, radial_layers=1,
                                  radial_neurons=50, num_neighbors=3.0)
    pos_in, pos_out = torch.randn(5, 3), torch.randn(2, 3)
    close = torch.cdist(pos_out, pos_in) < 2.0  # (out, in)
    edge_dst, edge_src = close.nonzero().T
    edge_vec = pos_in[edge_src] - pos_out[edge_dst]
    edge_attr = spherical_harmonics([0, 1], edge_vec, True)
    edge_scalar_attr = soft_one_hot_linspace(edge_vec.norm(dim=1), 0.0, 2.0, 4, basis="smooth_finite", cutoff=True)
    out = conv(torch.randn(5, 4), torch.randn(5, 2), torch.randn(2, 3), edge_src, edge_dst, edge_attr, edge_scalar_attr)
    assert out.shape == (2, 4)
