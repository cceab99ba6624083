"""The gate-points Network: equal to e3nn's gate_points_2101.Network, E(3)-equivariant,
periodic (supercell invariance), precomputed graphs, state_dict loading."""

import numpy as np
import pytest
import torch

from curienn.io._graph import batch_graphs, periodic_radius_graph, radius_graph
from curienn.models._gate_points import Network, load_e3nn_network_state_dict
from curienn.o3 import Irreps, rand_matrix

KW = dict(
    irreps_in="3x0e+2x1o",
    irreps_hidden="5x0e+5x0o+5x1e+5x1o",
    irreps_out="2x0o+2x1o+2x2e",
    irreps_node_attr="2x0e",
    irreps_edge_attr="0e+1o+2e+3o",
    layers=2,
    max_radius=1.6,
    number_of_basis=6,
    radial_layers=1,
    radial_neurons=16,
    num_neighbors=4.0,
    num_nodes=10.0,
)


def _data(n=12, graphs=2, scale=2.0):
    pos = torch.randn(n, 3) * scale / 2
    batch = torch.arange(graphs).repeat_interleave(n // graphs)
    return {
        "pos": pos,
        "x": Irreps(KW["irreps_in"]).randn(n, -1),
        "z": torch.randn(n, 2),
        "batch": batch,
    }


def _exact_radius_graph(pos, r_max, batch):
    """e3nn's radius_graph, but with exact distances: torch.cdist uses a matmul
    formula for more than 25 points whose diagonal is ~1e-7, not 0, so e3nn's own
    version randomly keeps self-edges."""
    return radius_graph(pos, r_max, batch)


_E3NN_NETS = {}


def _kwargs(variant):
    if variant == "no_inputs":
        return {**KW, "irreps_in": None, "irreps_node_attr": None, "reduce_output": False, "layers": 1}
    return dict(KW)


@pytest.fixture
def e3nn_network(monkeypatch, dtype):
    """e3nn's Network for a variant, built once (its construction takes seconds)."""
    import e3nn.nn.models.gate_points_2101 as gp
    monkeypatch.setattr(gp, "radius_graph", _exact_radius_graph)

    def get(variant):
        # built in each dtype: e3nn's generated code keeps some constants in the
        # dtype it was built in, so .to(dtype) is not enough for 1e-10
        if (variant, dtype) not in _E3NN_NETS:
            _E3NN_NETS[variant, dtype] = gp.Network(**_kwargs(variant))
        return _E3NN_NETS[variant, dtype]

    return get


@pytest.mark.parametrize("variant", ["full", "no_inputs"])
def test_equals_e3nn(dtype, e3nn_network, variant):
    kw = _kwargs(variant)
    data = _data(n=40)
    if variant == "no_inputs":
        data = {"pos": data["pos"], "batch": data["batch"]}
    theirs = e3nn_network(variant)
    ours = Network(**kw)
    load_e3nn_network_state_dict(ours, theirs.state_dict())
    ref = theirs(data)
    out = ours(data)
    assert out.dtype == dtype and out.shape == ref.shape
    assert ref.abs().max() > 1e-2  # not trivially zero
    rtol = {torch.float32: 1e-5, torch.float64: 1e-10}[dtype]
    assert (out - ref).abs().max() <= rtol * ref.abs().max()
    # gradients with respect to positions agree too
    if variant == "full":
        pos = data["pos"].clone().requires_grad_()
        g_ref, = torch.autograd.grad(theirs({**data, "pos": pos}).pow(2).sum(), pos)
        pos = data["pos"].clone().requires_grad_()
        g_out, = torch.autograd.grad(ours({**data, "pos": pos}).pow(2).sum(), pos)
        assert (g_out - g_ref).abs().max() <= 10 * rtol * g_ref.abs().max()


@pytest.mark.parametrize("dtype", [torch.float64], indirect=True, ids=["f64"])
def test_module_names_match_e3nn(e3nn_network, dtype):
    theirs = e3nn_network("full")
    ours = Network(**KW)
    their_params = {k: v.shape for k, v in theirs.named_parameters() if v.numel() > 0}
    our_params = {k: v.shape for k, v in ours.named_parameters() if v.numel() > 0}
    assert their_params == our_params
    # direct load_state_dict also works once e3nn's derived buffers are dropped
    sd = {k: v for k, v in theirs.state_dict().items() if k in our_params}
    ours.load_state_dict(sd, strict=False)
    with pytest.raises(ValueError, match="unexpected key"):
        load_e3nn_network_state_dict(ours, {**theirs.state_dict(), "foo.weight": torch.ones(3)})
    with pytest.raises(ValueError, match="missing"):
        load_e3nn_network_state_dict(ours, {"layers.0.first.sc.weight": theirs.state_dict()["layers.0.first.sc.weight"]})


def _transform(R):
    """Input/output transforms for an O(3) element R (det +-1)."""
    D_in = Irreps(KW["irreps_in"]).D_from_matrix(R)
    D_out = Irreps(KW["irreps_out"]).D_from_matrix(R)
    return D_in, D_out


@pytest.mark.parametrize("reduce_output", [True, False])
def test_equivariance_rotation_inversion_translation(dtype, tol, reduce_output):
    net = Network(**{**KW, "reduce_output": reduce_output})
    data = _data(n=30)
    out = net(data)
    for sign in (1, -1):
        R = sign * rand_matrix()
        D_in, D_out = _transform(R)
        t = torch.randn(3)
        moved = {**data, "pos": data["pos"] @ R.T + t, "x": data["x"] @ D_in.T}
        out2 = net(moved)
        assert (out2 - out @ D_out.T).abs().max() < 20 * tol * max(1.0, out.abs().max())
    # the output is not trivially invariant (odd parity parts change sign)
    assert (out @ _transform(-torch.eye(3))[1].T - out).abs().max() > 1e-3


def test_assert_equivariant_cartesian_points(dtype):
    from curienn.testing import assert_equivariant

    net = Network(**{**KW, "reduce_output": False})
    d = _data(n=16, graphs=1)
    z = d["z"]

    def f(pos, x):
        return net({"pos": pos, "x": x, "z": z})

    errors = assert_equivariant(
        f, args_in=[d["pos"], d["x"]], irreps_in=["cartesian_points", KW["irreps_in"]], irreps_out=[KW["irreps_out"]]
    )
    # rotations, rotations x inversion, and translations were tried
    assert {k for k, _ in errors} == {0, 1} and any(t for _, t in errors)


def test_permutation_equivariance(dtype, tol):
    net = Network(**{**KW, "reduce_output": False})
    data = _data(n=20, graphs=1)
    perm = torch.randperm(20)
    out = net(data)
    out_p = net({k: v[perm] for k, v in data.items()})
    assert (out_p - out[perm]).abs().max() < 10 * tol * max(1.0, out.abs().max())


def test_batching_equals_separate_graphs(dtype, tol):
    net = Network(**KW)
    d = _data(n=20, graphs=2)
    out = net(d)
    for g in range(2):
        m = d["batch"] == g
        single = {k: v[m] for k, v in d.items() if k != "batch"}
        assert (net(single)[0] - out[g]).abs().max() < 10 * tol * max(1.0, out.abs().max())


def _crystal(dtype):
    from ase.build import bulk

    prim = bulk("NaCl", "rocksalt", a=2.4)  # nearest neighbours at 1.2 < max_radius
    prim.positions[1] += [0.05, -0.03, 0.02]  # break the symmetry a little
    return prim


def _crystal_data(atoms, dtype):
    n = len(atoms)
    z = torch.zeros(n, 2, dtype=dtype)
    z[torch.arange(n), torch.as_tensor(atoms.get_atomic_numbers() == 17, dtype=torch.long)] = 1.0
    x = torch.zeros(n, Irreps(KW["irreps_in"]).dim, dtype=dtype)
    x[:, 0] = 1.0
    return {
        "pos": torch.as_tensor(atoms.get_positions(), dtype=dtype),
        "cell": torch.as_tensor(np.asarray(atoms.get_cell()), dtype=dtype),
        "pbc": torch.tensor([True, True, True]),
        "x": x,
        "z": z,
    }


def test_periodic_supercell_same_per_atom_output(dtype, tol):
    prim = _crystal(dtype)
    sup = prim.repeat((2, 2, 2))
    net = Network(**{**KW, "reduce_output": False})
    out_p = net(_crystal_data(prim, dtype))
    out_s = net(_crystal_data(sup, dtype))
    assert out_p.abs().max() > 1e-3
    # ase's repeat puts the copies of atom k at k, k + n, k + 2n, ...
    ref = out_p.repeat(8, 1)
    assert (out_s - ref).abs().max() < 20 * tol * max(1.0, out_p.abs().max())


def test_periodic_equivariance_and_lattice_translation(dtype, tol):
    atoms = _crystal(dtype).repeat((2, 1, 1))
    data = _crystal_data(atoms, dtype)
    net = Network(**{**KW, "reduce_output": False})
    out = net(data)
    scale = max(1.0, out.abs().max())
    # translating one atom by a lattice vector, or all atoms by anything, changes nothing
    pos = data["pos"].clone()
    pos[1] += data["cell"][0] - data["cell"][2]
    pos += torch.randn(3)
    assert (net({**data, "pos": pos}) - out).abs().max() < 20 * tol * scale
    # rotating/inverting the crystal (cell included) rotates the output
    for sign in (1, -1):
        R = sign * rand_matrix()
        D_in, D_out = _transform(R)
        moved = {**data, "pos": data["pos"] @ R.T, "cell": data["cell"] @ R.T, "x": data["x"] @ D_in.T}
        assert (net(moved) - out @ D_out.T).abs().max() < 20 * tol * scale


def test_periodic_with_vacuum_equals_finite(dtype, tol):
    net = Network(**KW)
    d = _data(n=10, graphs=1, scale=1.0)
    d.pop("batch")
    finite = net(d)
    cell = torch.eye(3) * 20.0
    assert (net({**d, "cell": cell}) - finite).abs().max() < 10 * tol * max(1.0, finite.abs().max())
    # cell given but pbc False: finite graph
    assert torch.equal(net({**d, "cell": cell * 0.1, "pbc": torch.tensor(False)}), finite)


def test_precomputed_graph(dtype, tol):
    net = Network(**{**KW, "reduce_output": False})
    atoms = _crystal(dtype)
    data = _crystal_data(atoms, dtype)
    out = net(data)
    src, dst, shift = periodic_radius_graph(data["pos"], KW["max_radius"], data["cell"])
    pre = {k: v for k, v in data.items() if k != "pbc"}
    pre.update(edge_src=src, edge_dst=dst, edge_shift=shift)
    assert (net(pre) - out).abs().max() < 10 * tol * max(1.0, out.abs().max())
    vec = data["pos"][src] - data["pos"][dst] + shift @ data["cell"]
    pre = {"pos": data["pos"], "x": data["x"], "z": data["z"], "edge_src": src, "edge_dst": dst, "edge_vec": vec}
    assert (net(pre) - out).abs().max() < 10 * tol * max(1.0, out.abs().max())
    # gradients (forces, stress) are the same with the radial network evaluated once
    # per pair of reversed edges (internal graph) or once per edge (given edge_vec)
    pos = data["pos"].clone().requires_grad_()
    cell = data["cell"].clone().requires_grad_()
    g1 = torch.autograd.grad(net({**data, "pos": pos, "cell": cell}).pow(2).sum(), (pos, cell))
    vec = pos[src] - pos[dst] + shift @ cell
    g2 = torch.autograd.grad(net({**pre, "pos": pos, "edge_vec": vec}).pow(2).sum(), (pos, cell))
    for a, b in zip(g1, g2):
        assert (a - b).abs().max() < 20 * tol * max(1.0, b.abs().max())


def test_batched_periodic(dtype, tol):
    net = Network(**KW)
    a = _crystal(dtype)
    b = a.repeat((1, 2, 1))
    b.rattle(0.02, seed=1)
    da, db = _crystal_data(a, dtype), _crystal_data(b, dtype)
    out = net(batch_graphs([da, db]))
    assert out.shape == (2, Irreps(KW["irreps_out"]).dim)
    assert (out[0] - net(da)[0]).abs().max() < 10 * tol * max(1.0, out.abs().max())
    assert (out[1] - net(db)[0]).abs().max() < 10 * tol * max(1.0, out.abs().max())


def test_bad_inputs():
    net = Network(**KW)
    d = _data(n=6, graphs=1)
    d["pos"][4, 2] = float("nan")
    with pytest.raises(ValueError, match=r"node\(s\) \[4\]"):
        net(d)
    d = _data(n=6, graphs=1)
    with pytest.raises(ValueError, match="data\\['x'\\]"):
        net({**d, "x": torch.zeros(6, 3)})
    with pytest.raises(ValueError, match="no 'z'"):
        net({k: v for k, v in d.items() if k != "z"})
    with pytest.raises(ValueError, match="max_radius"):
        Network(**{**KW, "max_radius": 0.0})
    with pytest.raises(ValueError, match="spherical harmonics"):
        Network(**{**KW, "irreps_edge_attr": "0e+1e"})


def test_smooth_at_cutoff(dtype):
    """An atom crossing max_radius changes the output continuously (and with it the forces)."""
    net = Network(**{**KW, "irreps_in": None, "irreps_node_attr": None})
    r = KW["max_radius"]
    outs = []
    for d in (r - 1e-4, r + 1e-4):
        pos = torch.tensor([[0.0, 0.0, 0.0], [0.0, 0.0, 0.8], [d, 0.3, 0.0]]).requires_grad_()
        out = net({"pos": pos})
        force, = torch.autograd.grad(out.sum(), pos)
        outs.append((out.detach(), force))
    (o1, f1), (o2, f2) = outs
    assert (o1 - o2).abs().max() < 1e-3 * max(1.0, o1.abs().max())
    assert (f1 - f2).abs().max() < 1e-2 * max(1.0, f1.abs().max())
    assert o1.abs().max() > 1e-3


def test_second_derivatives_for_force_training(dtype):
    """Training on forces needs d/dW of d/dpos: double backward works."""
    net = Network(**KW)
    d = _data(n=10, graphs=1)
    pos = d["pos"].clone().requires_grad_()
    energy = net({**d, "pos": pos}).pow(2).sum()  # an invariant of the outputs
    force, = torch.autograd.grad(energy, pos, create_graph=True)
    force.pow(2).sum().backward()
    grads = [p.grad for p in net.parameters() if p.numel() > 0]
    assert all(g is not None for g in grads)
    assert sum(g.abs().sum() for g in grads) > 0
