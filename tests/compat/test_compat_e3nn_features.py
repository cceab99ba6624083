"""The features that the compat tree gained for e3nn 0.6.0's whole API, against e3nn itself:

* with the same weights (copied from e3nn's modules) the outputs agree to 1e-10 in float64
  (S2/SO(3) grids and activations, the angular spherical harmonics, the experimental tensor
  products, every reference model, the permutation and linear-algebra helpers);
* they are equivariant under rotations *and* inversions, in float32 and float64 (exactly,
  or to the band limit of the grid for the S2/SO(3) activations).
"""

import importlib
import random
import sys
import types

import pytest
import torch

import e3nn.math
import e3nn.nn
import e3nn.o3
import e3nn.o3.experimental

import curienn.compat.e3nn as ours
from curienn.models import load_e3nn_network_state_dict
from curienn.testing import assert_equivariant

ATOL = 1e-10


@pytest.fixture
def f64():
    torch.set_default_dtype(torch.float64)
    return torch.float64


def _close(got, want):
    torch.testing.assert_close(got, want.to(got.dtype), atol=ATOL, rtol=ATOL)


def _load(ours_module, theirs_module):
    load_e3nn_network_state_dict(ours_module, theirs_module.state_dict())


def _models(version, name):
    return (importlib.import_module(f"e3nn.nn.models.{version}.{name}"),
            importlib.import_module(f"curienn.compat.e3nn.nn.models.{version}.{name}"))


# ------------------------------------------------------------- angular harmonics, grids


@pytest.mark.parametrize("normalization", ["integral", "component", "norm"])
def test_spherical_harmonics_alpha_beta_module(f64, normalization):
    a, b = torch.rand(5, 3) * 6.3, torch.rand(5, 3) * 3.2
    for l in (3, [0, 1, 2, 5], "2x1o+3e"):
        theirs = e3nn.o3.SphericalHarmonicsAlphaBeta(e3nn.o3.Irreps(l) if isinstance(l, str) else l, normalization)
        got = ours.o3.SphericalHarmonicsAlphaBeta(ours.o3.Irreps(l) if isinstance(l, str) else l, normalization)
        _close(got(a, b), theirs(a, b))
    # and it is the spherical harmonics of the point R_y(a) R_x(b) e_y
    xyz = ours.o3.angles_to_xyz(a, b)
    ls = [0, 1, 2, 5]
    _close(ours.o3.SphericalHarmonicsAlphaBeta(ls, normalization)(a, b),
           ours.o3.spherical_harmonics(ls, xyz, False, normalization=normalization))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_spherical_harmonics_alpha_beta_equivariant(dtype):
    torch.set_default_dtype(dtype)
    sh = ours.o3.SphericalHarmonicsAlphaBeta([0, 1, 2, 3], "component")

    def f(x):  # the harmonics of a direction, through its angles
        return sh(*ours.o3.xyz_to_angles(x))

    assert_equivariant(f, irreps_in="1o", irreps_out="0e+1o+2e+3o")


def test_legendre_and_alpha_factors(f64):
    z, y = torch.randn(7), torch.randn(7)  # any (z, y): a polynomial, not only on the circle
    for ls in ([0, 1, 2], [3, 7, 12]):
        got, want = ours.o3.Legendre(ls)(z, y), e3nn.o3.Legendre(ls)(z, y)
        torch.testing.assert_close(got, want, atol=ATOL * want.abs().max(), rtol=ATOL)
    alpha = torch.rand(4, 2) * 7
    _close(ours.o3.spherical_harmonics_alpha(5, alpha), e3nn.o3.spherical_harmonics_alpha(5, alpha))


def test_s2_grid_fourier_helpers(f64):
    for got, want in zip(ours.o3.spherical_harmonics_s2_grid(4, 10, 11), e3nn.o3.spherical_harmonics_s2_grid(4, 10, 11)):
        _close(got, want)
    x = torch.randn(3, 13)
    _close(ours.o3.rfft(x, 5), e3nn.o3.rfft(x, 5))
    c = torch.randn(3, 9)
    _close(ours.o3.irfft(c, 13), e3nn.o3.irfft(c, 13))
    # rfft is the adjoint of irfft: <rfft(f), c> = <f, irfft(c)>
    f = torch.randn(13)
    _close((ours.o3.rfft(f, 4) * c[0]).sum(), (f * ours.o3.irfft(c[0], 13)).sum())


def test_so3_grid(f64):
    theirs, got = e3nn.o3.SO3Grid(2, 3), ours.o3.SO3Grid(2, 3)
    for name in ("D", "qw", "alpha", "beta", "gamma"):
        _close(getattr(got, name), getattr(theirs, name))
    x = torch.randn(2, 35)
    _close(got.to_grid(x), theirs.to_grid(x))
    _close(got.from_grid(got.to_grid(x)), x)  # exact below the band limit
    with pytest.raises(AssertionError):
        ours.o3.SO3Grid(2, 3, normalization="norm")


@pytest.mark.parametrize("irreps, kwargs", [
    ("0e+1o+2e", dict(act=torch.tanh, res=10)),
    ("0e+1e+2e", dict(act=torch.nn.functional.silu, res=(10, 13), lmax_out=3)),
    ("0o+1e+2o", dict(act=torch.tanh, res=10)),  # odd signal, odd act
    ("0o+1o+2o", dict(act=torch.abs, res=12, normalization="norm")),  # odd signal, even act
])
def test_s2_activation(f64, irreps, kwargs):
    theirs = e3nn.nn.S2Activation(irreps, **kwargs)
    got = ours.nn.S2Activation(irreps, **kwargs)
    assert got.irreps_out == theirs.irreps_out
    x = torch.randn(4, got.irreps_in.dim)
    _close(got(x), theirs(x))


def test_s2_activation_errors_match_e3nn():
    for irreps in ("2x0e+1o", "0e+2e", "0e+1e+2o"):
        with pytest.raises(AssertionError):
            ours.nn.S2Activation(irreps, torch.tanh, 10)
        with pytest.raises(AssertionError):
            e3nn.nn.S2Activation(irreps, torch.tanh, 10)
    with pytest.raises(ValueError, match="neither even nor odd"):
        ours.nn.S2Activation("0o+1e", torch.exp, 10)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_s2_activation_equivariant(dtype):
    torch.set_default_dtype(dtype)
    # the signal (lmax 2) and tanh of it, projected on lmax_out = 2 on a fine grid: equivariant
    # up to the aliasing of the grid
    m = ours.nn.S2Activation("0e+1o+2e", torch.tanh, 40)
    assert_equivariant(m, tolerance=1e-3)
    m = ours.nn.S2Activation("0o+1e+2o", torch.tanh, 40)  # odd: the inversion flips the sign
    assert_equivariant(m, tolerance=1e-3)


def test_so3_activation(f64):
    theirs = e3nn.nn.SO3Activation(1, 2, torch.tanh, 4)
    got = ours.nn.SO3Activation(1, 2, torch.tanh, 4)
    x = torch.randn(3, 10)
    _close(got(x), theirs(x))
    identity = ours.nn.SO3Activation(3, 3, lambda t: t, 5)
    x = torch.randn(2, 84)
    _close(identity(x), x * identity.act.cst)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_so3_activation_equivariant(dtype):
    torch.set_default_dtype(dtype)
    irreps = ours.o3.Irreps([(2 * l + 1, (l, 1)) for l in range(3)])
    m = ours.nn.SO3Activation(2, 2, torch.tanh, 6)
    assert_equivariant(m, irreps_in=irreps, irreps_out=irreps, tolerance=0.04)  # e3nn's tolerance
    linear = ours.nn.SO3Activation(2, 2, lambda t: 2 * t, 4)  # no aliasing: exact
    assert_equivariant(linear, irreps_in=irreps, irreps_out=irreps)


# ------------------------------------------------------------- experimental tensor products


@pytest.mark.parametrize("in1, in2, kwargs", [
    ("2x0e+1o+2x2e", "1e+0o+3x1o", {}),
    ("1o+0e", "2e+1o", dict(filter_ir_out=["0e", "1o", "2e"])),
    ("1o+0e+1o", "2e+1o", dict(irrep_normalization="norm")),
])
def test_full_tensor_product_v2(f64, in1, in2, kwargs):
    theirs_kwargs = dict(kwargs)
    if "filter_ir_out" in kwargs:
        theirs_kwargs["filter_ir_out"] = [e3nn.o3.Irrep(ir) for ir in kwargs["filter_ir_out"]]
    theirs = e3nn.o3.experimental.FullTensorProductv2(e3nn.o3.Irreps(in1), e3nn.o3.Irreps(in2), **theirs_kwargs)
    got = ours.o3.experimental.FullTensorProductv2(in1, in2, **kwargs)
    assert got.irreps_out == theirs.irreps_out
    assert sorted(got.state_dict()) == sorted(theirs.state_dict())
    x, y = torch.randn(3, 1, got.irreps_in1.dim), torch.randn(4, got.irreps_in2.dim)  # broadcasting
    _close(got(x, y), theirs(x, y))


@pytest.mark.parametrize("in1, in2", [("3x0e+1o", "1o+2x1e+0e"), ("2x1o+2e", "1e+1o+0o")])
def test_elementwise_tensor_product_v2(f64, in1, in2):
    theirs = e3nn.o3.experimental.ElementwiseTensorProductv2(e3nn.o3.Irreps(in1), e3nn.o3.Irreps(in2))
    got = ours.o3.experimental.ElementwiseTensorProductv2(in1, in2)
    assert got.irreps_out == theirs.irreps_out
    x, y = torch.randn(5, got.irreps_in1.dim), torch.randn(5, got.irreps_in2.dim)
    _close(got(x, y), theirs(x, y))
    with pytest.raises(ValueError):
        ours.o3.experimental.ElementwiseTensorProductv2("2x1o", "1o")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_experimental_tensor_products_equivariant(dtype):
    torch.set_default_dtype(dtype)
    full = ours.o3.FullTensorProductv2("2x0e+1o+2e", "0o+1e")
    assert_equivariant(full, irreps_in=[full.irreps_in1, full.irreps_in2], irreps_out=full.irreps_out)
    # equal to the v1 product up to the order of the outputs
    v1 = ours.o3.FullTensorProduct("2x0e+1o+2e", "0o+1e")
    x, y = full.irreps_in1.randn(3, -1), full.irreps_in2.randn(3, -1)
    assert torch.allclose(full(x, y).sort(-1).values, v1(x, y).sort(-1).values, atol=1e-5)
    elementwise = ours.o3.experimental.ElementwiseTensorProductv2("3x0e+1o", "1o+2x1e+0e")
    assert_equivariant(elementwise, irreps_in=[elementwise.irreps_in1, elementwise.irreps_in2],
                       irreps_out=elementwise.irreps_out)


# ------------------------------------------------------------- math


def test_perm_utilities_equal_e3nn(f64):
    mine, theirs = ours.math.perm, e3nn.math.perm
    for n in range(1, 5):
        for i in range(24 if n == 4 else 6):
            p = theirs.from_int(i, n)
            assert mine.from_int(i, n) == p and mine.to_int(p) == theirs.to_int(p) == i % len(theirs.group(n))
            assert mine.inverse(p) == theirs.inverse(p) and mine.sign(p) == theirs.sign(p)
            assert mine.to_cycles(p) == theirs.to_cycles(p)
            assert torch.equal(mine.natural_representation(p), theirs.natural_representation(p))
            if n > 1:
                _close(mine.standard_representation(p), theirs.standard_representation(p))
    g = mine.group(4)
    assert g == theirs.group(4) and mine.is_group(g) and not mine.is_group({(1, 0, 2)})
    assert mine.germinate({(1, 0, 2, 3), (0, 2, 3, 1)}) == theirs.germinate({(1, 0, 2, 3), (0, 2, 3, 1)})
    # representations are homomorphisms: D(p1 p2) = D(p1) D(p2)
    p1, p2 = (1, 2, 0, 3), (3, 0, 2, 1)
    _close(mine.standard_representation(mine.compose(p1, p2)),
           mine.standard_representation(p1) @ mine.standard_representation(p2))
    random.seed(5)
    a = mine.rand(6)
    random.seed(5)
    assert a == theirs.rand(6)
    with pytest.raises(AssertionError):
        mine.compose((0, 1), (0, 1, 2))


def test_linalg_and_formula_helpers_equal_e3nn(f64):
    x = torch.randn(5, 4)
    x[3] = x[0] - 2 * x[1]  # a dependent row is dropped
    for got, want in zip(ours.math.orthonormalize(x), e3nn.math.orthonormalize(x)):
        _close(got, want)
    basis, _ = e3nn.math.orthonormalize(torch.randn(2, 5))
    _close(ours.math.complete_basis(basis), e3nn.math.complete_basis(basis))
    m = [torch.randn(3, 2, 2), torch.randn(3, 1, 3)]
    assert torch.equal(ours.math.direct_sum(*m), e3nn.math.direct_sum(*m))
    for formula, dims in [("ij=-ji", dict(i=3)), ("ijk=jik=ikj", dict(i=2)), ("ijkl=jikl=klij", dict(i=3)),
                          ("ij", dict(i=2, j=3))]:
        assert ours.math.germinate_formulas(formula) == e3nn.math.germinate_formulas(formula)
        got_q, got_orbits = ours.math.reduce_permutation(*ours.math.germinate_formulas(formula), **dict(dims))
        want_q, want_orbits = e3nn.math.reduce_permutation(*e3nn.math.germinate_formulas(formula), **dict(dims))
        assert torch.equal(got_q, want_q) and got_orbits == want_orbits
    assert ours.math.reduce_permutation(*ours.math.germinate_formulas("ijkl=jikl=klij"), i=3)[0].shape[0] == 21
    with pytest.raises(RuntimeError):
        ours.math.germinate_formulas("ij=ik")
    with pytest.raises(RuntimeError):
        ours.math.reduce_permutation(*ours.math.germinate_formulas("ij"), i=2)


# ------------------------------------------------------------- models


GP_KW = dict(irreps_in="2x0e+1o", irreps_hidden="4x0e+2x0o+2x1o+2x1e", irreps_out="0e+1o", irreps_node_attr="2x0e+1o",
             irreps_edge_attr="0e+1o+2e", layers=1, max_radius=2.5, number_of_basis=4, radial_layers=1,
             radial_neurons=8, num_neighbors=3.0, num_nodes=6.0)


def _graph_data(n=8):
    return {"pos": torch.randn(n, 3), "x": torch.randn(n, 5), "z": torch.randn(n, 5),
            "batch": torch.arange(2).repeat_interleave(n // 2)}


def test_gate_points_2102(f64):
    theirs_mod = importlib.import_module("e3nn.nn.models.gate_points_2102")
    ours_mod = importlib.import_module("curienn.compat.e3nn.nn.models.gate_points_2102")
    theirs, got = theirs_mod.Network(**GP_KW), ours_mod.Network(**GP_KW)
    _load(got, theirs)
    data = _graph_data()
    _close(got(data), theirs(data))
    conv_t = theirs_mod.Convolution("2x0e", "0e", "0e+1o", "0e+1o", number_of_edge_features=6, radial_layers=1,
                                    radial_neurons=4, num_neighbors=2.0)
    conv_o = ours_mod.Convolution("2x0e", "0e", "0e+1o", "0e+1o", number_of_edge_features=6, radial_layers=1,
                                  radial_neurons=4, num_neighbors=2.0)
    _load(conv_o, conv_t)
    x, z, edge_attr, feat = torch.randn(4, 2), torch.ones(4, 1), torch.randn(5, 4), torch.randn(5, 6)
    src, dst = torch.tensor([0, 1, 2, 3, 0]), torch.tensor([1, 2, 3, 0, 2])
    _close(conv_o(x, z, src, dst, edge_attr, feat), conv_t(x, z, src, dst, edge_attr, feat))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gate_points_2102_equivariant(dtype):
    torch.set_default_dtype(dtype)
    net = ours.nn.models.gate_points_2102.Network(**GP_KW)
    data = _graph_data()

    def f(pos, x, z):
        return net({"pos": pos, "x": x, "z": z, "batch": data["batch"]})

    assert_equivariant(f, args_in=[data["pos"], data["x"], data["z"]],
                       irreps_in=["cartesian_points", net.irreps_in, net.irreps_node_attr], irreps_out=[net.irreps_out])


def _compare_point_networks(version):
    theirs_mod, ours_mod = _models(version, "gate_points_networks")
    kw = dict(max_radius=2.0, num_neighbors=3.0, num_nodes=5.0, mul=3, layers=1)
    theirs, got = theirs_mod.SimpleNetwork("3x0e+2x1o", "4x0e+1x1o", **kw), ours_mod.SimpleNetwork("3x0e+2x1o", "4x0e+1x1o", **kw)
    _load(got, theirs)
    data = {"pos": torch.randn(6, 3), "x": torch.randn(6, 9)}
    _close(got(data), theirs(data))
    args = ("3x0e + 2x1o", "4x0e + 1x1o", "1e", "3x0o + 1e")
    theirs = theirs_mod.NetworkForAGraphWithAttributes(*args, **kw)
    got = ours_mod.NetworkForAGraphWithAttributes(*args, **kw)
    _load(got, theirs)
    data = {"pos": torch.randn(4, 3), "node_input": torch.randn(4, 9), "node_attr": torch.randn(4, 7),
            "edge_attr": torch.randn(4, 3), "edge_index": torch.tensor([[0, 1, 2, 3], [1, 2, 0, 0]])}
    _close(got(data), theirs(data))


def test_v2106_models(f64):
    _compare_point_networks("v2106")


def test_v2106_points_convolution_starts_as_self_connection(f64):
    theirs_mod, ours_mod = _models("v2106", "points_convolution")
    theirs = theirs_mod.Convolution("2x0e+1o", "0e", "0e+1o", "0e+1o+1e", [3, 8], 2.0)
    got = ours_mod.Convolution("2x0e+1o", "0e", "0e+1o", "0e+1o+1e", [3, 8], 2.0)
    _load(got, theirs)
    args = [torch.randn(4, 5), torch.ones(4, 1), torch.tensor([0, 1, 2]), torch.tensor([1, 2, 3]), torch.randn(3, 4),
            torch.randn(3, 3)]
    _close(got(*args), theirs(*args))
    assert float(got.alpha.weight.detach().abs().max()) == 0.0
    for bad in [("0o", "0e", "0e", "1o"), ("1o", "0e", "0e", "1o")]:  # no path to the output / no scalar
        with pytest.raises(AssertionError):
            theirs_mod.Convolution(*bad, [3, 8], 2.0)
        with pytest.raises(AssertionError):
            ours_mod.Convolution(*bad, [3, 8], 2.0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_v2106_message_passing_equivariant(dtype):
    torch.set_default_dtype(dtype)
    mp = ours.nn.models.v2106.gate_points_message_passing.MessagePassing(
        ["0e", "0e+1e", "0e+1o", "1e"], irreps_node_attr="0e+1e", irreps_edge_attr="0e+1o", fc_neurons=[2, 8],
        num_neighbors=3.0)
    with torch.no_grad():  # the mixing factors start at zero: make them matter
        for layer in mp.layers:
            conv = getattr(layer, "first", layer)
            conv.alpha.weight.normal_()
    pos = torch.randn(5, 3)
    src, dst = ours.nn.models.v2106.gate_points_message_passing.radius_graph(pos, 3.0)
    edge_attr = ours.o3.spherical_harmonics([0, 1], pos[src] - pos[dst], True, normalization="component")
    args = [torch.randn(5, 1), mp.irreps_node_attr.randn(5, -1), src, dst, edge_attr, torch.randn(src.shape[0], 2)]
    assert_equivariant(mp, args_in=args, irreps_in=[mp.irreps_node_input, mp.irreps_node_attr, None, None,
                                                    mp.irreps_edge_attr, None], irreps_out=[mp.irreps_node_output])


@pytest.mark.parametrize("version, conv_kwargs", [
    ("v2103", dict(size=3)),
    ("v2104", dict(diameter=3.2, num_radial_basis=3)),
])
def test_voxel_convolutions(f64, version, conv_kwargs):
    theirs_mod, ours_mod = _models(version, "voxel_convolution")
    args = ("0e + 1e", "0e + 1e + 1o + 2e", e3nn.o3.Irreps.spherical_harmonics(2))
    theirs, got = theirs_mod.Convolution(*args, **conv_kwargs), ours_mod.Convolution(*args, **conv_kwargs)
    _load(got, theirs)
    x = torch.randn(2, 4, 5, 5, 5)
    _close(got(x), theirs(x))
    for kwargs in (dict(scale=2.0), dict(scale=3.0, stride=2), dict(scale=2.0, stride=2, transposed=True)):
        _close(ours_mod.LowPassFilter(**kwargs)(x), theirs_mod.LowPassFilter(**kwargs)(x))


def _signed_permutation_grid(x, R):
    """``y(r) = x(R^T r)`` on a centred cubic grid (``R`` a signed permutation matrix)."""
    n = x.shape[-1]
    c = torch.arange(n) - n // 2
    grid = torch.stack(torch.meshgrid(c, c, c, indexing="ij"), -1)  # (n, n, n, 3)
    src = (grid.to(R.dtype) @ R).round().long() + n // 2  # rows of grid times R = (R^T r)^T
    return x[..., src[..., 0], src[..., 1], src[..., 2]]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_voxel_convolution_equivariant_under_lattice_rotations_and_inversion(dtype):
    torch.set_default_dtype(dtype)
    conv = ours.nn.models.v2104.voxel_convolution.Convolution("0e + 1o", "0e + 1o + 1e + 2e",
                                                              ours.o3.Irreps.spherical_harmonics(2), 3.2, 3)
    x = torch.randn(1, 4, 7, 7, 7)
    rot_z = torch.tensor([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=dtype)
    for R in (rot_z, -torch.eye(3, dtype=dtype), -rot_z):
        def act(t, irreps):
            t = _signed_permutation_grid(t, R)
            return torch.einsum("ij,bjxyz->bixyz", irreps.D_from_matrix(R), t)

        tol = 1e-4 if dtype == torch.float32 else 1e-10
        torch.testing.assert_close(conv(act(x, conv.irreps_in)), act(conv(x), conv.irreps_out), atol=tol, rtol=tol)


@pytest.fixture
def fake_pyg(monkeypatch):
    """Minimal torch_scatter / torch_cluster / torch_geometric, so that e3nn's v2103 point
    models (which import them) can be built as the oracle."""
    scatter_mod = types.ModuleType("torch_scatter")

    def scatter(src, index, dim=-1, out=None, dim_size=None, reduce="sum"):
        assert dim == 0 and reduce == "sum"
        size = int(index.max()) + 1 if dim_size is None else dim_size
        return src.new_zeros((size,) + src.shape[1:]).index_add(0, index, src)

    scatter_mod.scatter = scatter
    cluster_mod = types.ModuleType("torch_cluster")

    def radius_graph(x, r, batch=None, loop=False, max_num_neighbors=32):
        return ours.nn.models.gate_points_2101.radius_graph(x, r, batch)

    cluster_mod.radius_graph = radius_graph
    geometric = types.ModuleType("torch_geometric")
    geometric.data = types.ModuleType("torch_geometric.data")
    geometric.data.Data = dict
    for name, module in [("torch_scatter", scatter_mod), ("torch_cluster", cluster_mod),
                         ("torch_geometric", geometric), ("torch_geometric.data", geometric.data)]:
        monkeypatch.setitem(sys.modules, name, module)
    for name in ["points_convolution", "gate_points_message_passing", "gate_points_networks", "conv_points_in_out"]:
        monkeypatch.delitem(sys.modules, f"e3nn.nn.models.v2103.{name}", raising=False)


def test_v2103_point_models(f64, fake_pyg):
    _compare_point_networks("v2103")
    theirs_mod, ours_mod = _models("v2103", "conv_points_in_out")
    kw = dict(irreps_node_input="0e + 1e", irreps_node_output="0e + 1e", irreps_node_attr_input="2x0e",
              irreps_node_attr_output="3x0e", irreps_edge_attr="0e + 1e", num_edge_scalar_attr=4, radial_layers=1,
              radial_neurons=8, num_neighbors=3.0)
    theirs, got = theirs_mod.Convolution(**kw), ours_mod.Convolution(**kw)
    _load(got, theirs)
    args = [torch.randn(5, 4), torch.randn(5, 2), torch.randn(2, 3), torch.tensor([0, 1, 4, 3]),
            torch.tensor([0, 0, 1, 1]), torch.randn(4, 4), torch.randn(4, 4)]
    _close(got(*args), theirs(*args))


@pytest.mark.parametrize("module, name", [
    ("v2103.voxel_convolution", "test"), ("v2104.voxel_convolution", "test"),
    ("v2106.gate_points_message_passing", "test"), ("v2103.gate_points_message_passing", "test"),
    ("v2106.gate_points_networks", "test_simple_network"),
    ("v2106.gate_points_networks", "test_network_for_a_graph_with_attributes"),
    ("v2103.gate_points_networks", "test_network_for_a_graph_with_attributes"),
    ("v2103.conv_points_in_out", "test"),
])
def test_module_level_self_tests_of_e3nn_run(module, name):
    getattr(importlib.import_module(f"curienn.compat.e3nn.nn.models.{module}"), name)()
