"""The module battery (NequIP-style): every public ``torch.nn.Module`` of
``curienn.nn`` and ``curienn.models`` runs through the same checks --

* equivariance under random rotations and rotations x inversion (and translations
  of point inputs), built and run in float32 and in float64;
* second derivatives: the Hessian-vector product by double backward equals the
  finite difference of the gradient (float64);
* ``torch.compile`` (whole graph, ``fullgraph=True``) gives the eager numbers (a module
  whose forward runs inside a bigger compiled case is checked there: ``compiled_in``);
* e3nn 0.6.0's numbers, where e3nn has the same module: e3nn's weights are loaded
  into ours (:func:`curienn.nn.load_e3nn_state_dict`) and the outputs compared.

A new module needs an entry in ``CASES`` (``test_every_module_has_a_case`` fails
otherwise). Modules acting on ``(..., 3, M)`` column vectors (``models.unitary``)
are wrapped so that the vectors sit on the last axis as ``Mx1o``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable, Optional

import pytest
import torch

import curienn.models
import curienn.nn
from curienn import models, nn, o3
from curienn.models import unitary
from curienn.testing import assert_double_backward, assert_equivariant, assert_torch_compile

import e3nn.math as e3nn_math
import e3nn.nn as e3nn_nn
import e3nn.nn.models.gate_points_2101 as e3nn_gp
import e3nn.nn.models.gate_points_2102 as e3nn_gp2102
import e3nn.nn.models.v2103.voxel_convolution as e3nn_voxel2103
import e3nn.nn.models.v2104.voxel_convolution as e3nn_voxel2104
import e3nn.nn.models.v2106.gate_points_message_passing as e3nn_mp2106
import e3nn.nn.models.v2106.gate_points_networks as e3nn_net2106
import e3nn.nn.models.v2106.points_convolution as e3nn_pc2106
import e3nn.o3 as e3nn_o3
import e3nn.o3.experimental as e3nn_o3x
from e3nn.nn._gate import _Sortcut as E3nnSortcut

N = 4  # batch / points
MODULE = "module"  # irreps_out: the module's own ``irreps_out``


@dataclass
class Case:
    """``make()`` builds the module (under the current default dtype); ``call(m, *args)``
    runs it; ``args()`` draws the inputs; ``irreps_in``/``irreps_out``: specs for
    :func:`assert_equivariant` (``"cartesian_points"``, irreps or ``None``);
    ``peer()``: the e3nn module with the same constructor, if any."""

    make: Callable[[], torch.nn.Module]
    args: Callable[[], list]
    irreps_in: list
    irreps_out: list
    call: Callable = field(default=lambda m, *a: m(*a))
    peer: Optional[Callable[[], torch.nn.Module]] = None
    covers: tuple = ()  # extra public classes this case exercises
    equivariance: Optional[Callable] = None  # a custom check ``(module, args)`` (voxel grids)
    compiled_in: Optional[str] = None  # its forward runs inside that case's compiled (whole) graph
    no_whole_graph: str = ""  # why torch.compile cannot capture it whole (then its parts are compiled)
    load: Callable = field(default=lambda ours, theirs: nn.load_e3nn_state_dict(ours, theirs.state_dict()))


def _x(irreps):
    return lambda: [o3.Irreps(irreps).randn(N, -1)]


def _xy(i1, i2):
    return lambda: [o3.Irreps(i1).randn(N, -1), o3.Irreps(i2).randn(N, -1)]


def _cols(module_fn, m_in):
    """A ``(..., 3, M)`` module as a function of ``(..., M*3)`` with irreps ``Mx1o``."""
    return Case(module_fn, _x(f"{m_in}x1o"), [f"{m_in}x1o"], [None],
                call=lambda m, x: m(x.reshape(N, -1, 3).transpose(-1, -2)).transpose(-1, -2).reshape(N, -1))


def _unitary_case(module_fn, m_in, m_out):
    case = _cols(module_fn, m_in)
    case.irreps_out = [f"{m_out}x1o"]
    return case


TP_INSTRUCTIONS = [(0, 0, 0, "uvw", True), (1, 1, 0, "uvw", True), (1, 0, 1, "uvu", True), (1, 1, 2, "uvu", True)]
# small on purpose: tracing for torch.compile costs time per operation
GP_KW = dict(irreps_in="2x0e+1x1o", irreps_hidden="2x0e+1x0o+1x1e+1x1o", irreps_out="1x0e+1x1o",
             irreps_node_attr=None, irreps_edge_attr="1x0e+1x1o", layers=1, max_radius=3.0,
             number_of_basis=4, radial_layers=1, radial_neurons=8, num_neighbors=3.0, num_nodes=4.0,
             reduce_output=False)
CONV_KW = dict(irreps_in="2x0e+1x1o", irreps_node_attr="1x0e", irreps_edge_attr="1x0e+1x1o",
               irreps_out="1x0e+2x1o", number_of_basis=4, radial_layers=1, radial_neurons=8, num_neighbors=3.0)
GP2102_KW = {**GP_KW, "irreps_node_attr": "2x0e"}
PC_ARGS = ("2x0e+1x1o", "1x0e", "1x0e+1x1o", "1x0e+1x1o+1x1e", [3, 8], 3.0)
MP_KW = dict(irreps_node_sequence=["2x0e+1x1o", "2x0e+1x1o", "1x0e+1x1o"], irreps_node_attr="1x0e",
             irreps_edge_attr="1x0e+1x1o", fc_neurons=[3, 8], num_neighbors=3.0)
NET_KW = dict(max_radius=3.0, num_neighbors=3.0, num_nodes=4.0, mul=2, layers=1, lmax=1)
GRAPH_ARGS = ("2x0e+1x1o", "1x0e", "1x1e", "1x0e+1x1o")
_SRC, _DST = zip(*[(i, j) for i in range(N) for j in range(N) if i != j])
EDGES = (torch.tensor(_SRC), torch.tensor(_DST))


def _conv_args():
    return [o3.Irreps("2x0e+1x1o").randn(N, -1), torch.ones(N, 1), o3.Irreps("1x0e+1x1o").randn(N * 3, -1),
            torch.rand(N * 3, 4)]


def _network_state(ours, theirs):
    models.load_e3nn_network_state_dict(ours, theirs.state_dict())


def _graph_call(keys):
    """``module(dict)`` with the complete graph of ``N`` points given as edges."""
    def call(m, pos, *values):
        return m({"pos": pos, **dict(zip(keys, values)), "edge_src": EDGES[0], "edge_dst": EDGES[1],
                  "edge_index": torch.stack(EDGES)})
    return call


def _edge_args(*node_irreps, edge_irreps="1x0e+1x1o", scalars=3):
    """Node features, ``edge_src``/``edge_dst`` of the complete graph, edge attributes and scalars."""
    def make():
        nodes = [o3.Irreps(i).randn(N, -1) if i != "ones" else torch.ones(N, 1) for i in node_irreps]
        return [*nodes, o3.Irreps(edge_irreps).randn(len(EDGES[0]), -1), torch.rand(len(EDGES[0]), scalars)]
    return make


def _with_edges(m, *args):
    """``m(nodes..., edge_src, edge_dst, edge_attr, edge_scalars)`` from ``(nodes..., edge_attr, edge_scalars)``."""
    return m(*args[:-2], *EDGES, *args[-2:])


def _random_alpha(module):
    """The v2106 convolutions start as self-connections (``alpha = 0``): make the messages count."""
    with torch.no_grad():
        for m in module.modules():
            if hasattr(m, "alpha"):
                m.alpha.weight.normal_()
    return module


def _signed_permutation_grid(x, R):
    """``y(r) = x(R^T r)`` on a centred cubic grid (``R`` a signed permutation matrix)."""
    n = x.shape[-1]
    c = torch.arange(n) - n // 2
    grid = torch.stack(torch.meshgrid(c, c, c, indexing="ij"), -1)
    src = (grid.to(R.dtype) @ R).round().long() + n // 2
    return x[..., src[..., 0], src[..., 1], src[..., 2]]


def _voxel_equivariance(irreps_in, irreps_out):
    """Equivariance on a cubic grid: the rotations and inversions that map it onto itself
    (a quarter turn, the inversion, their product, a three-fold axis)."""
    def check(module, x):
        dt = x.dtype
        quarter = torch.tensor([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=dt)
        threefold = torch.tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=dt)
        i_in, i_out = o3.Irreps(irreps_in or module.irreps_in), o3.Irreps(irreps_out or module.irreps_out)
        for R in (quarter, -torch.eye(3, dtype=dt), -quarter, threefold):
            def act(t, irreps):
                return torch.einsum("ij,bjxyz->bixyz", irreps.D_from_matrix(R), _signed_permutation_grid(t, R))
            tol = 1e-4 if dt == torch.float32 else 1e-10
            torch.testing.assert_close(module(act(x, i_in)), act(module(x), i_out), atol=tol, rtol=tol)
    return check


def _voxels(channels):
    return lambda: [torch.randn(1, channels, 5, 5, 5)]


def _sortcut():
    return nn.Sortcut("1x1o", "2x0e")


def _dropout():
    d = nn.Dropout("2x0e+1x1o+1x2e", p=0.5)
    return d.train()


def _seeded(m, x):
    torch.manual_seed(1)  # the same masks for the input and its rotated copy
    return m(x)


CASES = {
    "TensorProduct": Case(lambda: nn.TensorProduct("2x0e+1x1o", "1x0e+1x1o", "2x0e+1x1o+1x1e", TP_INSTRUCTIONS),
                          _xy("2x0e+1x1o", "1x0e+1x1o"), ["2x0e+1x1o", "1x0e+1x1o"], ["2x0e+1x1o+1x1e"],
                          peer=lambda: e3nn_o3.TensorProduct("2x0e+1x1o", "1x0e+1x1o", "2x0e+1x1o+1x1e",
                                                             TP_INSTRUCTIONS)),
    "FullyConnectedTensorProduct": Case(
        lambda: nn.FullyConnectedTensorProduct("2x0e+2x1o+1x2e", "1x0e+1x1o", "2x0e+2x1o+1x1e"),
        _xy("2x0e+2x1o+1x2e", "1x0e+1x1o"), ["2x0e+2x1o+1x2e", "1x0e+1x1o"], ["2x0e+2x1o+1x1e"],
        peer=lambda: e3nn_o3.FullyConnectedTensorProduct("2x0e+2x1o+1x2e", "1x0e+1x1o", "2x0e+2x1o+1x1e")),
    "FullTensorProduct": Case(lambda: nn.FullTensorProduct("2x0e+1x1o", "1x1o+1x2e"), _xy("2x0e+1x1o", "1x1o+1x2e"),
                              ["2x0e+1x1o", "1x1o+1x2e"], [MODULE],
                              peer=lambda: e3nn_o3.FullTensorProduct("2x0e+1x1o", "1x1o+1x2e")),
    "ElementwiseTensorProduct": Case(lambda: nn.ElementwiseTensorProduct("2x0e+1x1o", "2x1o+1x1e"),
                                     _xy("2x0e+1x1o", "2x1o+1x1e"), ["2x0e+1x1o", "2x1o+1x1e"], [MODULE],
                                     peer=lambda: e3nn_o3.ElementwiseTensorProduct("2x0e+1x1o", "2x1o+1x1e")),
    "TensorSquare": Case(lambda: nn.TensorSquare("2x0e+1x1o", "1x0e+1x1e+1x2e"), _x("2x0e+1x1o"), ["2x0e+1x1o"],
                         ["1x0e+1x1e+1x2e"], peer=lambda: e3nn_o3.TensorSquare("2x0e+1x1o", "1x0e+1x1e+1x2e")),
    "Linear": Case(lambda: nn.Linear("2x0e+3x1o+1x2e", "3x0e+1x1o+2x2e"), _x("2x0e+3x1o+1x2e"), ["2x0e+3x1o+1x2e"],
                   ["3x0e+1x1o+2x2e"], peer=lambda: e3nn_o3.Linear("2x0e+3x1o+1x2e", "3x0e+1x1o+2x2e")),
    "Norm": Case(lambda: nn.Norm("2x1o+1x2e"), _x("2x1o+1x2e"), ["2x1o+1x2e"], ["3x0e"],
                 peer=lambda: e3nn_o3.Norm("2x1o+1x2e")),
    "Activation": Case(lambda: nn.Activation("2x0e+1x0o", [torch.tanh, torch.tanh]), _x("2x0e+1x0o"),
                       ["2x0e+1x0o"], ["2x0e+1x0o"],
                       peer=lambda: e3nn_nn.Activation("2x0e+1x0o", [torch.tanh, torch.tanh])),
    "normalize2mom": Case(lambda: nn.normalize2mom(torch.tanh), _x("3x0e"), ["3x0e"], ["3x0e"],
                          peer=lambda: e3nn_math.normalize2mom(torch.tanh)),
    "NormActivation": Case(lambda: nn.NormActivation("2x1o+1x2e", torch.sigmoid), _x("2x1o+1x2e"), ["2x1o+1x2e"],
                           ["2x1o+1x2e"], peer=lambda: e3nn_nn.NormActivation("2x1o+1x2e", torch.sigmoid)),
    "Gate": Case(lambda: nn.Gate("2x0e", [torch.tanh], "2x0e", [torch.sigmoid], "1x1o+1x2e"),
                 _x("2x0e+2x0e+1x1o+1x2e"), ["2x0e+2x0e+1x1o+1x2e"], ["2x0e+1x1o+1x2e"],
                 peer=lambda: e3nn_nn.Gate("2x0e", [torch.tanh], "2x0e", [torch.sigmoid], "1x1o+1x2e")),
    "Sortcut": Case(_sortcut, _x("2x0e+1x1o"), ["2x0e+1x1o"], ["1x1o", "2x0e"],
                    peer=lambda: E3nnSortcut("1x1o", "2x0e")),
    "FullyConnectedNet": Case(lambda: nn.FullyConnectedNet([4, 8, 3], torch.tanh), _x("4x0e"), ["4x0e"], ["3x0e"],
                              peer=lambda: e3nn_nn.FullyConnectedNet([4, 8, 3], torch.tanh)),
    "BatchNorm": Case(lambda: nn.BatchNorm("2x0e+1x1o+1x2e"), _x("2x0e+1x1o+1x2e"), ["2x0e+1x1o+1x2e"],
                      ["2x0e+1x1o+1x2e"], peer=lambda: e3nn_nn.BatchNorm("2x0e+1x1o+1x2e")),
    "Extract": Case(lambda: nn.Extract("2x0e+1x1o+1x2e", ["1x1o", "2x0e"], [(1,), (0,)]), _x("2x0e+1x1o+1x2e"),
                    ["2x0e+1x1o+1x2e"], ["1x1o", "2x0e"],
                    peer=lambda: e3nn_nn.Extract("2x0e+1x1o+1x2e", ["1x1o", "2x0e"], [(1,), (0,)])),
    "ExtractIr": Case(lambda: nn.ExtractIr("2x0e+1x1o+1x2e", "1o"), _x("2x0e+1x1o+1x2e"), ["2x0e+1x1o+1x2e"],
                      ["1x1o"], peer=lambda: e3nn_nn.ExtractIr("2x0e+1x1o+1x2e", "1o")),
    "Identity": Case(lambda: nn.Identity("2x0e+1x1o", "2x0e+1x1o"), _x("2x0e+1x1o"), ["2x0e+1x1o"], ["2x0e+1x1o"],
                     peer=lambda: e3nn_nn.Identity("2x0e+1x1o", "2x0e+1x1o")),
    "Dropout": Case(_dropout, _x("2x0e+1x1o+1x2e"), ["2x0e+1x1o+1x2e"], ["2x0e+1x1o+1x2e"], call=_seeded,
                    peer=lambda: e3nn_nn.Dropout("2x0e+1x1o+1x2e", p=0.5).train()),
    "Network": Case(lambda: models.Network(**GP_KW), lambda: [torch.randn(N, 3), o3.Irreps("2x0e+1x1o").randn(N, -1)],
                    ["cartesian_points", "2x0e+1x1o"], ["1x0e+1x1o"],
                    call=_graph_call(["x"]), peer=lambda: e3nn_gp.Network(**GP_KW), load=_network_state),
    "Convolution": Case(lambda: models.Convolution(**CONV_KW), _conv_args, ["2x0e+1x1o", "1x0e", "1x0e+1x1o", None],
                        ["1x0e+2x1o"], call=lambda m, x, z, sh, emb: m(x, z, *EDGES, sh, emb), compiled_in="Network",
                        peer=lambda: e3nn_gp.Convolution(**CONV_KW)),
    "Compose": Case(lambda: models.Compose(nn.Linear("2x0e+1x1o", "3x0e+1x1o"),
                                           nn.Gate("2x0e", [torch.tanh], "1x0e", [torch.sigmoid], "1x1o")),
                    _x("2x0e+1x1o"), ["2x0e+1x1o"], ["2x0e+1x1o"]),
    "Network2102": Case(lambda: models.Network2102(**GP2102_KW),
                        lambda: [torch.randn(N, 3), o3.Irreps("2x0e+1x1o").randn(N, -1), torch.rand(N, 2)],
                        ["cartesian_points", "2x0e+1x1o", "2x0e"], ["1x0e+1x1o"], call=_graph_call(["x", "z"]),
                        peer=lambda: e3nn_gp2102.Network(**GP2102_KW), load=_network_state),
    "Convolution2102": Case(lambda: models.Convolution2102("2x0e", "0e", "0e+1o", "0e+1o", number_of_edge_features=6,
                                                           radial_layers=1, radial_neurons=4, num_neighbors=2.0),
                            _edge_args("2x0e", "ones", edge_irreps="0e+1o", scalars=6), ["2x0e", "0e", "0e+1o", None],
                            ["0e+1o"], call=_with_edges, load=_network_state, compiled_in="Network2102",
                            peer=lambda: e3nn_gp2102.Convolution("2x0e", "0e", "0e+1o", "0e+1o",
                                                                 number_of_edge_features=6, radial_layers=1,
                                                                 radial_neurons=4, num_neighbors=2.0)),
    "PointsConvolution": Case(lambda: _random_alpha(models.PointsConvolution(*PC_ARGS)),
                              _edge_args("2x0e+1x1o", "ones"), ["2x0e+1x1o", "1x0e", "1x0e+1x1o", None],
                              ["1x0e+1x1o+1x1e"], call=_with_edges, load=_network_state,
                              compiled_in="NetworkForAGraphWithAttributes",
                              peer=lambda: e3nn_pc2106.Convolution(*PC_ARGS)),
    "PointsConvolution2103": Case(lambda: models.PointsConvolution2103(*PC_ARGS), _edge_args("2x0e+1x1o", "ones"),
                                  ["2x0e+1x1o", "1x0e", "1x0e+1x1o", None], ["1x0e+1x1o+1x1e"], call=_with_edges),
    "PointsInOutConvolution": Case(
        lambda: models.PointsInOutConvolution("0e+1e", "0e+1e", "2x0e", "3x0e", "0e+1e", num_edge_scalar_attr=4,
                                              radial_layers=1, radial_neurons=8, num_neighbors=3.0),
        lambda: [o3.Irreps("0e+1e").randn(N, -1), torch.rand(N, 2), torch.rand(2, 3),
                 o3.Irreps("0e+1e").randn(4, -1), torch.rand(4, 4)],
        ["0e+1e", "2x0e", "3x0e", "0e+1e", None], ["0e+1e"],
        call=lambda m, x, zi, zo, ea, es: m(x, zi, zo, torch.tensor([0, 1, 3, 2]), torch.tensor([0, 0, 1, 1]), ea, es)),
    "MessagePassing": Case(lambda: _random_alpha(models.MessagePassing(**MP_KW)), _edge_args("2x0e+1x1o", "ones"),
                           ["2x0e+1x1o", "1x0e", "1x0e+1x1o", None], ["1x0e+1x1o"], call=_with_edges,
                           load=_network_state, compiled_in="NetworkForAGraphWithAttributes",
                           peer=lambda: e3nn_mp2106.MessagePassing(**MP_KW)),
    "MessagePassing2103": Case(lambda: models.MessagePassing2103("2x0e+1x1o", "2x0e+1x1o", "1x0e+1x1o", "1x0e",
                                                                 "1x0e+1x1o", layers=1, fc_neurons=[3, 8],
                                                                 num_neighbors=3.0),
                               _edge_args("2x0e+1x1o", "ones"), ["2x0e+1x1o", "1x0e", "1x0e+1x1o", None],
                               ["1x0e+1x1o"], call=_with_edges, compiled_in="NetworkForAGraphWithAttributes"),
    "SimpleNetwork": Case(lambda: models.SimpleNetwork("2x0e+1x1o", "1x0e+1x1o", **NET_KW),
                          lambda: [torch.randn(N, 3), o3.Irreps("2x0e+1x1o").randn(N, -1)],
                          ["cartesian_points", "2x0e+1x1o"], ["1x0e+1x1o"],
                          call=lambda m, pos, x: m({"pos": pos, "x": x}), load=_network_state,
                          no_whole_graph="its forward searches the radius graph (data-dependent shapes) and takes no "
                                         "edges; its message passing and edge embedding are compiled as "
                                         "MessagePassing and NetworkForAGraphWithAttributes",
                          peer=lambda: e3nn_net2106.SimpleNetwork("2x0e+1x1o", "1x0e+1x1o", **NET_KW)),
    "SimpleNetwork2103": Case(lambda: models.SimpleNetwork2103("2x0e+1x1o", "1x0e+1x1o", **NET_KW),
                              lambda: [torch.randn(N, 3), o3.Irreps("2x0e+1x1o").randn(N, -1)],
                              ["cartesian_points", "2x0e+1x1o"], ["1x0e+1x1o"],
                              call=lambda m, pos, x: m({"pos": pos, "x": x}),
                              no_whole_graph="as SimpleNetwork; its message passing (the forward of MessagePassing) "
                                             "and PointsConvolution2103 are compiled"),
    "NetworkForAGraphWithAttributes": Case(
        lambda: models.NetworkForAGraphWithAttributes(*GRAPH_ARGS, **NET_KW),
        lambda: [torch.randn(N, 3), o3.Irreps("2x0e+1x1o").randn(N, -1), torch.rand(N, 1),
                 o3.Irreps("1x1e").randn(len(EDGES[0]), -1)],
        ["cartesian_points", "2x0e+1x1o", "1x0e", "1x1e"], ["1x0e+1x1o"],
        call=_graph_call(["node_input", "node_attr", "edge_attr"]), load=_network_state,
        peer=lambda: e3nn_net2106.NetworkForAGraphWithAttributes(*GRAPH_ARGS, **NET_KW)),
    "NetworkForAGraphWithAttributes2103": Case(
        lambda: models.NetworkForAGraphWithAttributes2103(*GRAPH_ARGS, **NET_KW),
        lambda: [torch.randn(N, 3), o3.Irreps("2x0e+1x1o").randn(N, -1), torch.rand(N, 1),
                 o3.Irreps("1x1e").randn(len(EDGES[0]), -1)],
        ["cartesian_points", "2x0e+1x1o", "1x0e", "1x1e"], ["1x0e+1x1o"],
        call=_graph_call(["node_input", "node_attr", "edge_attr"]), compiled_in="NetworkForAGraphWithAttributes"),
    "VoxelConvolution": Case(lambda: models.VoxelConvolution("0e+1o", "0e+1o+1e+2e", "0e+1o+2e", 3.2, 3),
                             _voxels(4), [], [], equivariance=_voxel_equivariance(None, None), load=_network_state,
                             peer=lambda: e3nn_voxel2104.Convolution("0e+1o", "0e+1o+1e+2e",
                                                                     e3nn_o3.Irreps("0e+1o+2e"), 3.2, 3)),
    "VoxelConvolution2103": Case(lambda: models.VoxelConvolution2103("0e+1e", "0e+1e+1o+2e", "0e+1o+2e", size=3),
                                 _voxels(4), [], [], equivariance=_voxel_equivariance(None, None),
                                 load=_network_state,
                                 peer=lambda: e3nn_voxel2103.Convolution("0e+1e", "0e+1e+1o+2e",
                                                                         e3nn_o3.Irreps("0e+1o+2e"), size=3)),
    "LowPassFilter": Case(lambda: models.LowPassFilter(scale=2.0), _voxels(3), [], [],
                          equivariance=_voxel_equivariance("3x0e", "3x0e"),
                          peer=lambda: e3nn_voxel2104.LowPassFilter(scale=2.0)),
    "FullTensorProductv2": Case(lambda: nn.FullTensorProductv2("2x0e+1o+2e", "0o+1e"), _xy("2x0e+1o+2e", "0o+1e"),
                                ["2x0e+1o+2e", "0o+1e"], [MODULE],
                                peer=lambda: e3nn_o3x.FullTensorProductv2(e3nn_o3.Irreps("2x0e+1o+2e"),
                                                                          e3nn_o3.Irreps("0o+1e"))),
    "ElementwiseTensorProductv2": Case(lambda: nn.ElementwiseTensorProductv2("3x0e+1o", "1o+2x1e+0e"),
                                       _xy("3x0e+1o", "1o+2x1e+0e"), ["3x0e+1o", "1o+2x1e+0e"], [MODULE],
                                       peer=lambda: e3nn_o3x.ElementwiseTensorProductv2(e3nn_o3.Irreps("3x0e+1o"),
                                                                                        e3nn_o3.Irreps("1o+2x1e+0e"))),
    "UnitaryLinear": _unitary_case(lambda: unitary.UnitaryLinear(3, 5), 3, 5),
    "UnitaryNetwork": _unitary_case(lambda: unitary.UnitaryNetwork([3, 6, 2]), 3, 2),
    "NormGate": _unitary_case(lambda: unitary.NormGate(torch.sigmoid), 3, 3),
    "SoftsignResidual": _unitary_case(lambda: unitary.SoftsignResidual(0.05), 3, 3),
    "VectorLeakyReLU": _unitary_case(lambda: unitary.VectorLeakyReLU(), 3, 3),
    "IdentityActivation": _unitary_case(lambda: unitary.IdentityActivation(), 3, 3),
    "VectorDescriptor": Case(lambda: unitary.VectorDescriptor([1.0, 2.0], [1.0, 0.5], cutoff=4.0),
                             lambda: [torch.randn(N, 3)], ["cartesian_points"], ["2x1o"],
                             call=lambda m, pos: m(pos).transpose(-1, -2).reshape(N, -1)),
}


def _public_modules():
    found = set()
    for pkg in (curienn.nn, curienn.models, curienn.models.unitary):
        for name in pkg.__all__:
            obj = getattr(pkg, name)
            if inspect.isclass(obj) and issubclass(obj, torch.nn.Module):
                found.add(obj.__name__)
    return found


def test_every_module_has_a_case():
    missing = _public_modules() - set(CASES) - {c for case in CASES.values() for c in case.covers}
    assert not missing, f"public modules without a battery case (add them to CASES): {sorted(missing)}"


def _run(case, module, args):
    return lambda *a: case.call(module, *a)


@pytest.mark.parametrize("name", sorted(CASES))
def test_equivariant(name, dtype):
    case = CASES[name]
    module = case.make()
    args = case.args()
    assert all(a.dtype == dtype for a in args if a.is_floating_point())
    if case.equivariance is not None:
        case.equivariance(module, *args)
        return
    irreps_out = [module.irreps_out if s == MODULE else s for s in case.irreps_out]
    errors = assert_equivariant(_run(case, module, args), args, case.irreps_in, irreps_out)
    assert (1, False) in errors or (1, True) in errors  # inversions were tested


@pytest.mark.parametrize("name", sorted(CASES))
def test_double_backward(name):
    torch.set_default_dtype(torch.float64)
    case = CASES[name]
    module = case.make()
    assert_double_backward(_run(case, module, None), case.args(), rtol=1e-5)


class _Call(torch.nn.Module):
    """A case's call as a module (what :func:`assert_torch_compile` compiles)."""

    def __init__(self, case: Case, module: torch.nn.Module) -> None:
        super().__init__()
        self.case, self.module = case, module

    def forward(self, *args):
        return self.case.call(self.module, *args)


def test_every_forward_is_compiled_somewhere():
    """A case compiled inside another one (``compiled_in``) has its ``forward`` code in
    that case's module (the same class or one with the same ``forward``), which is
    compiled whole; a module that cannot be captured whole says why and names compiled
    cases for its parts."""
    for name, case in CASES.items():
        if case.compiled_in:
            host = CASES[case.compiled_in]
            assert host.compiled_in is None and not host.no_whole_graph, name
            forward = type(case.make()).forward
            assert any(type(m).forward is forward for m in host.make().modules()), name
        if case.no_whole_graph:
            assert any(n in case.no_whole_graph and not CASES[n].no_whole_graph for n in CASES), name
    simple = CASES["SimpleNetwork"].make()
    assert isinstance(simple.mp, models.MessagePassing)
    assert type(simple)._embed is models.NetworkForAGraphWithAttributes._embed


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.compiled_in is None and not c.no_whole_graph))
def test_compiles(name):
    """The whole graph is captured (``fullgraph=True``; the ``"eager"`` backend, to keep
    the suite fast) and gives the eager numbers."""
    case = CASES[name]
    module = case.make()
    if name in ("BatchNorm", "Dropout"):
        module.eval()  # running statistics / random masks: compiled and eager calls would differ
    assert_torch_compile(_Call(case, module) if name != "Dropout" else module, *case.args(), backend="eager")
    if name == "Dropout":  # and in training mode the graph is captured too
        assert_torch_compile(module.train(), *case.args(), backend="eager")


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.peer is not None))
def test_e3nn_numbers(name):
    torch.set_default_dtype(torch.float64)
    case = CASES[name]
    ours, theirs = case.make(), case.peer()
    case.load(ours, theirs)
    args = case.args()
    a, b = case.call(ours, *args), case.call(theirs, *args)
    a, b = (list(a), list(b)) if isinstance(a, (tuple, list)) else ([a], [b])
    for u, v in zip(a, b):
        assert u.shape == v.shape
        torch.testing.assert_close(u, v, atol=1e-10, rtol=1e-9)
