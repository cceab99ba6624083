"""The fused convolution path (ir_mul blocks, one GEMM per irrep, chunked edge tensor
product) against the module-by-module path in e3nn's layout, whose numbers equal e3nn
(tests/models/test_gate_points.py): outputs, first derivatives and the double backward
of force training, several configurations; and its own O(3) equivariance."""

import pytest
import torch

import curienn.models._edge_tp as edge_tp
from curienn.models import Convolution, Network
from curienn.o3 import Irreps, rand_matrix
from curienn.testing import assert_equivariant

BASE = dict(irreps_in="3x0e+2x1o", irreps_hidden="5x0e+5x0o+5x1e+5x1o", irreps_out="2x0o+2x1o+2x2e",
            irreps_node_attr="2x0e", irreps_edge_attr="0e+1o+2e+3o", layers=2, max_radius=1.6,
            number_of_basis=6, radial_layers=1, radial_neurons=16, num_neighbors=4.0, num_nodes=10.0)

CONFIGS = {
    "talk": {},
    # no node inputs nor attributes (constant 1), lmax 1 edges
    "constants": dict(irreps_in=None, irreps_node_attr=None, irreps_edge_attr="0e+1o", layers=1),
    # unequal multiplicities (several units of the edge product), split node attributes, l = 2 hidden,
    # two hidden radial layers (the radial bank folds each layer's output factor into the next)
    "mixed": dict(irreps_hidden="4x0e+2x0o+3x1o+2x1e+2x2e", irreps_node_attr="1x0e+2x0e",
                  irreps_edge_attr="0e+1o+2e", irreps_out="1x0e+1x1o", radial_layers=2),
    # no hidden radial layer: the bank permutes the columns of the only layer
    "linear-radial": dict(radial_layers=0, layers=1),
}


def _reference(net: Network) -> Network:
    """The same network forced onto the module-by-module path (e3nn's layout)."""
    net._gate_plans = None
    for layer in net.layers:
        (layer.first if hasattr(layer, "first") else layer)._fused = False
    return net


def _pair(config):
    kw = {**BASE, **CONFIGS[config]}
    fused = Network(**kw)
    ref = Network(**kw)
    ref.load_state_dict(fused.state_dict())
    assert fused._gate_plans is not None and all(
        (layer.first if hasattr(layer, "first") else layer).fused for layer in fused.layers)
    return fused, _reference(ref), kw


def _data(kw, n=24, graphs=2):
    data = {"pos": torch.randn(n, 3), "batch": torch.arange(graphs).repeat_interleave(n // graphs)}
    if kw["irreps_in"] is not None:
        data["x"] = Irreps(kw["irreps_in"]).randn(n, -1)
    if kw["irreps_node_attr"] is not None:
        data["z"] = torch.randn(n, Irreps(kw["irreps_node_attr"]).dim)
    return data


@pytest.mark.parametrize("config", list(CONFIGS))
def test_fused_equals_reference(dtype, config):
    fused, ref, kw = _pair(config)
    data = _data(kw)
    rtol = {torch.float32: 2e-5, torch.float64: 1e-11}[dtype]

    def close(a, b, scale=1.0):
        assert (a - b).abs().max() <= scale * rtol * max(b.abs().max(), 1e-3), (a - b).abs().max()

    outs, grads = [], []
    for net in (fused, ref):
        pos = data["pos"].clone().requires_grad_()
        out = net({**data, "pos": pos})
        # force training: the loss holds the gradient with respect to the positions
        force, = torch.autograd.grad(out.pow(2).sum(), pos, create_graph=True)
        loss = force.pow(2).sum() + out.pow(2).sum()
        loss.backward()
        outs.append((out.detach(), force.detach()))
        grads.append([p.grad.clone() for p in net.parameters()])
    close(outs[0][0], outs[1][0])
    close(outs[0][1], outs[1][1], 10)
    assert outs[1][0].abs().max() > 1e-3 and outs[1][1].abs().max() > 1e-4
    for g_fused, g_ref in zip(*grads):
        close(g_fused, g_ref, 50)


def test_chunked_edges_equal_one_chunk(dtype, monkeypatch):
    """Many small edge chunks (as for large graphs) give the one-chunk numbers and gradients."""
    fused, _, kw = _pair("mixed")
    data = _data(kw, n=40)
    pos = data["pos"].clone().requires_grad_()
    one = fused({**data, "pos": pos})
    g_one, = torch.autograd.grad(one.sum(), pos)
    monkeypatch.setattr(edge_tp, "_CHUNK_BYTES", 1)
    monkeypatch.setattr(edge_tp, "_chunk_size", lambda like, row: 7)
    pos = data["pos"].clone().requires_grad_()
    many = fused({**data, "pos": pos})
    g_many, = torch.autograd.grad(many.sum(), pos)
    tol = {torch.float32: 1e-5, torch.float64: 1e-12}[dtype]
    assert (one - many).abs().max() <= tol * one.abs().max()
    assert (g_one - g_many).abs().max() <= 10 * tol * g_one.abs().max()


@pytest.mark.parametrize("config", ["talk", "mixed"])
def test_fused_network_equivariant(dtype, tol, config):
    fused, _, kw = _pair(config)
    kw_out = Irreps(kw["irreps_out"])
    data = _data(kw, n=30)
    out = fused(data)
    for sign in (1, -1):
        R = sign * rand_matrix()
        moved = {**data, "pos": data["pos"] @ R.T + torch.randn(3)}
        if "x" in data:
            moved["x"] = data["x"] @ Irreps(kw["irreps_in"]).D_from_matrix(R).T
        assert (fused(moved) - out @ kw_out.D_from_matrix(R).T).abs().max() < 20 * tol * max(1.0, out.abs().max())


def test_fused_convolution_equivariant(dtype):
    conv = Convolution("3x0e+2x1o+1x2e", "2x0e", "0e+1o+2e", "4x0e+2x1o+1x1e+1x2e", 4, 1, 8, 3.0)
    assert conv.fused
    n, e = 7, 20
    src, dst = torch.randint(0, n, (e,)), torch.randint(0, n, (e,))
    z, emb = torch.randn(n, 2), torch.randn(e, 4)
    assert_equivariant(lambda x, y: conv(x, z, src, dst, y, emb),
                       [Irreps("3x0e+2x1o+1x2e").randn(n, -1), Irreps("0e+1o+2e").randn(e, -1)],
                       irreps_in=["3x0e+2x1o+1x2e", "0e+1o+2e"], irreps_out=["4x0e+2x1o+1x1e+1x2e"])


def test_fused_convolution_equals_modules(dtype):
    """Convolution.forward on its own (public layout in and out) equals the module path."""
    conv = Convolution("3x0e+2x1o+1x2e", "2x0e", "0e+1o+2e", "4x0e+2x1o+1x1e+1x2e", 4, 1, 8, 3.0)
    n, e = 7, 20
    args = (Irreps("3x0e+2x1o+1x2e").randn(n, -1), torch.randn(n, 2), torch.randint(0, n, (e,)),
            torch.randint(0, n, (e,)), Irreps("0e+1o+2e").randn(e, -1), torch.randn(e // 2, 4),
            torch.arange(e) // 2)
    fused = conv(*args)
    conv._fused = False
    ref = conv(*args)
    tol = {torch.float32: 1e-5, torch.float64: 1e-12}[dtype]
    assert (fused - ref).abs().max() <= tol * ref.abs().max() and ref.abs().max() > 1e-2


def test_not_fused_for_vector_node_attributes():
    """Node attributes with l > 0 take the module path (and still work)."""
    net = Network(**{**BASE, "irreps_node_attr": "1x0e+1x1o", "layers": 1})
    assert net._gate_plans is None and not net.layers[0].first.fused
    data = {"pos": torch.randn(8, 3), "x": Irreps("3x0e+2x1o").randn(8, -1), "z": torch.randn(8, 4)}
    assert net(data).shape == (1, Irreps(BASE["irreps_out"]).dim)
