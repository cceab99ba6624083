"""curienn.nn.TensorProduct: errors, equivariance, normalization, torch.compile, edge cases."""

import pytest
import torch

from curienn.nn import FullyConnectedTensorProduct, Linear, TensorProduct, TensorSquare
from curienn.o3 import Irreps
from curienn.testing import assert_equivariant

FC = ("4x0e+3x1o+2x2e", "0e+1o+2e", "3x0e+2x1o+2x2e+1x1e")


def _all_modes_tp(**kw):
    """A tensor product using every connection mode at least once (two paths share output 0)."""
    in1, in2 = "2x0e+3x1o", "1x0e+2x1e+3x1o"
    specs = [  # (i_in1, i_in2, output irrep, mode, has_weight)
        (0, 0, "2x0e", "uvw", True), (1, 1, "3x1o", "uvu", True), (1, 1, "3x0o", "uvu", False),
        (0, 1, "2x1e", "uvv", True), (1, 2, "2x2e", "uuw", True), (1, 2, "1x0e", "uuw", False),
        (1, 2, "3x1e", "uuu", True), (1, 2, "3x2e", "uuu", False), (0, 1, "4x1e", "uvuv", True),
        (1, 2, "3x1e", "uvu<v", True),
    ]
    ins = [(i1, i2, k, mode, w) for k, (i1, i2, _, mode, w) in enumerate(specs)]
    ins.append((1, 2, 0, "u<vw", True))
    return TensorProduct(in1, in2, "+".join(s[2] for s in specs), ins, **kw)


def test_all_modes_equivariant(dtype):
    tp = _all_modes_tp()
    assert_equivariant(tp)


def test_per_sample_weights_equivariant(dtype):
    tp = FullyConnectedTensorProduct(*FC, shared_weights=False)
    args = [Irreps(FC[0]).randn(4, -1), Irreps(FC[1]).randn(4, -1), torch.randn(4, tp.weight_numel)]
    assert_equivariant(tp, args_in=args, irreps_in=[FC[0], FC[1], None], irreps_out=[FC[2]])


def test_square_equivariant(dtype):
    assert_equivariant(TensorSquare("2x0e+2x1o+1x2e"))
    assert_equivariant(TensorSquare("2x0e+2x1o+1x2e", irreps_out="3x0e+2x1e+2x2e"))


def test_output_second_moment_is_one():
    """Component-normalized inputs give component-normalized outputs (Monte-Carlo, per output irrep)."""
    torch.manual_seed(1)
    tp = FullyConnectedTensorProduct("16x0e+16x1o+16x2e", "0e+1o+2e", "16x0e+16x1o+16x2e")
    x = tp.irreps_in1.randn(2000, -1)
    y = tp.irreps_in2.randn(2000, -1)
    out = tp(x, y)
    for s in tp.irreps_out.slices():
        assert out[:, s].pow(2).mean().item() == pytest.approx(1.0, rel=0.25)


def test_bilinear_and_right(dtype, tol):
    tp = _all_modes_tp()
    x1, x2 = torch.randn(2, 3, tp.irreps_in1.dim), torch.randn(3, tp.irreps_in1.dim)
    y = torch.randn(3, tp.irreps_in2.dim)
    lhs = tp(2 * x1[0] - x2, y)
    rhs = 2 * tp(x1[0], y) - tp(x2, y)
    assert torch.allclose(lhs, rhs, atol=10 * tol * max(1, rhs.abs().max().item()))
    r = tp.right(y)
    assert r.shape == (3, tp.irreps_in1.dim, tp.irreps_out.dim)
    assert torch.allclose(torch.einsum("zi,zik->zk", x2, r), tp(x2, y), atol=10 * tol * max(1, r.abs().max().item()))


def test_shape_errors():
    tp = FullyConnectedTensorProduct(*FC)
    x, y = torch.randn(5, 23), torch.randn(5, 9)
    with pytest.raises(ValueError, match="x has shape"):
        tp(torch.randn(5, 22), y)
    with pytest.raises(ValueError, match="y has shape"):
        tp(x, torch.randn(5, 8))
    with pytest.raises(ValueError, match="do not broadcast"):
        tp(x, torch.randn(4, 9))
    with pytest.raises(ValueError, match="weight has shape"):
        tp(x, y, torch.randn(tp.weight_numel + 1))
    ps = FullyConnectedTensorProduct(*FC, shared_weights=False)
    with pytest.raises(ValueError, match="weight has shape"):
        ps(x, y, torch.randn(5, ps.weight_numel - 1))
    with pytest.raises(ValueError, match="do not broadcast"):
        ps(x, y, torch.randn(3, ps.weight_numel))
    with pytest.raises(ValueError, match="must be provided"):
        ps(x, y)
    with pytest.raises(ValueError, match="weight tensors"):
        ps(x, y, [torch.randn(5, 4)])


def test_construction_errors():
    with pytest.raises(ValueError, match="parity"):
        TensorProduct("1x1o", "1x1o", "1x1o", [(0, 0, 0, "uvw", True)])
    with pytest.raises(ValueError, match="triangle"):
        TensorProduct("1x1o", "1x1o", "1x3e", [(0, 0, 0, "uvw", True)])
    with pytest.raises(ValueError, match="unknown connection mode"):
        TensorProduct("1x0e", "1x0e", "1x0e", [(0, 0, 0, "uxw", True)])
    with pytest.raises(ValueError, match="mul_in1 == mul_out"):
        TensorProduct("2x0e", "1x0e", "3x0e", [(0, 0, 0, "uvu", True)])
    with pytest.raises(ValueError, match="has_weight"):
        TensorProduct("2x0e", "1x0e", "3x0e", [(0, 0, 0, "uvw", False)])
    with pytest.raises(ValueError, match="valid index"):
        TensorProduct("2x0e", "1x0e", "3x0e", [(1, 0, 0, "uvw", True)])
    with pytest.raises(ValueError, match="irrep_normalization"):
        FullyConnectedTensorProduct(*FC, irrep_normalization="unit")
    with pytest.raises(ValueError, match="path_normalization"):
        FullyConnectedTensorProduct(*FC, path_normalization="unit")
    with pytest.raises(ValueError, match="in1_var"):
        FullyConnectedTensorProduct(*FC, in1_var=[1.0])
    with pytest.raises(ValueError, match="internal_weights"):
        FullyConnectedTensorProduct(*FC, internal_weights=True, shared_weights=False)


def test_empty_batch_and_empty_irreps(dtype):
    tp = FullyConnectedTensorProduct(*FC)
    assert tp(torch.randn(0, 23), torch.randn(0, 9)).shape == (0, 22)
    tp0 = FullyConnectedTensorProduct("2x0e", "1x1o", "2x0e")  # no allowed path
    out = tp0(torch.randn(3, 2), torch.randn(3, 3))
    assert tp0.weight_numel == 0 and torch.equal(out, torch.zeros(3, 2))
    assert torch.equal(tp0.output_mask, torch.zeros(2))
    z = FullyConnectedTensorProduct("0x0e+2x1o", "1o", "0x1o+2x0e")
    assert z(torch.randn(2, 6), torch.randn(2, 3)).shape == (2, 2)


def test_state_dict_round_trip():
    a = FullyConnectedTensorProduct(*FC)
    b = FullyConnectedTensorProduct(*FC)
    b.load_state_dict(a.state_dict())
    x, y = torch.randn(3, 23), torch.randn(3, 9)
    assert torch.equal(a(x, y), b(x, y))
    assert set(a.state_dict()) == {"weight", "output_mask"}


def test_load_e3nn_state_dict(dtype, tol):
    import e3nn.o3 as e3nn_o3
    from curienn.nn import load_e3nn_state_dict

    irreps = ("2x0e+2x1o", "0e+1o", "2x0e+1x1o+1x2e")
    theirs = e3nn_o3.FullyConnectedTensorProduct(*irreps)
    ours = FullyConnectedTensorProduct(*irreps)
    sd = theirs.state_dict()
    assert any("_compiled_main" in k for k in sd)
    load_e3nn_state_dict(ours, sd)
    x, y = torch.randn(4, 8), torch.randn(4, 4)
    assert torch.allclose(ours(x, y), theirs(x, y), atol=tol * 10)
    lt, lo = e3nn_o3.Linear("3x0e+2x1o", "2x0e+2x1o", biases=True), Linear("3x0e+2x1o", "2x0e+2x1o", biases=True)
    with torch.no_grad():
        lt.bias.normal_()
    load_e3nn_state_dict(lo, lt.state_dict())
    x = torch.randn(4, 9)
    assert torch.allclose(lo(x), lt(x), atol=tol * 10)
    with pytest.raises(ValueError, match="weight"):
        load_e3nn_state_dict(FullyConnectedTensorProduct("1x0e", "1x0e", "1x0e"), sd)


def test_torch_compile_fullgraph():
    """Eager-backend Dynamo with fullgraph=True: no graph break (Linear: tests/nn/test_linear.py)."""
    tp = FullyConnectedTensorProduct("3x0e+2x1o", "0e+1o", "2x0e+2x1o", shared_weights=False)
    x, y, w = torch.randn(5, 9), torch.randn(5, 4), torch.randn(5, tp.weight_numel)
    w.requires_grad_()
    compiled = torch.compile(tp, fullgraph=True, backend="eager")
    out = compiled(x, y, w)
    assert torch.allclose(out, tp(x, y, w), atol=1e-6)
    g1, = torch.autograd.grad(out.pow(2).sum(), w)
    g2, = torch.autograd.grad(tp(x, y, w).pow(2).sum(), w)
    assert torch.allclose(g1, g2, atol=1e-5)
    shared = FullyConnectedTensorProduct("3x0e+2x1o", "0e+1o", "2x0e+2x1o")
    assert torch.allclose(torch.compile(shared, fullgraph=True, backend="eager")(x, y), shared(x, y), atol=1e-6)


def test_dtype_and_device_move():
    tp = FullyConnectedTensorProduct(*FC)
    tp64 = tp.to(torch.float64)
    out = tp64(torch.randn(2, 23, dtype=torch.float64), torch.randn(2, 9, dtype=torch.float64))
    assert out.dtype == torch.float64


def test_construction_is_cheap():
    import time

    t = time.perf_counter()
    FullyConnectedTensorProduct("32x0e+32x0o+32x1e+32x1o+32x2e+32x2o", "0e+1o+2e+3o",
                                "32x0e+32x0o+32x1e+32x1o+32x2e+32x2o")
    assert time.perf_counter() - t < 1.0  # typically ~10 ms; generous for loaded CI machines


@pytest.mark.parametrize("shared", [True, False])
def test_batch_chunks_equal_one_call(dtype, monkeypatch, shared):
    """A CPU batch split into chunks (at least 1,024 samples each) gives the one-call numbers
    and gradients (inputs and weights)."""
    import curienn.nn._tp_plan as plan

    tp = FullyConnectedTensorProduct(*FC, shared_weights=shared)
    n = 2500
    args = [Irreps(FC[0]).randn(n, -1), Irreps(FC[1]).randn(n, -1)]
    if not shared:
        args.append(torch.randn(n, tp.weight_numel))
    results = []
    for chunk_bytes in (1 << 40, 1):  # one call; chunks of 1,024 samples (3 chunks)
        monkeypatch.setattr(plan, "_CHUNK_BYTES", chunk_bytes)
        assert tp._plan.chunk_size(args[0]) == (None if chunk_bytes > 1 else 1024)
        xs = [a.clone().requires_grad_() for a in args]
        out = tp(*xs)
        grads = torch.autograd.grad(out.pow(2).sum(), xs + list(tp.parameters()))
        results.append((out.detach(), grads))
    tol = {torch.float32: 1e-5, torch.float64: 1e-12}[dtype]
    torch.testing.assert_close(results[1][0], results[0][0], rtol=tol, atol=tol)
    assert results[0][0].abs().max() > 0.1
    for g_chunks, g_one in zip(results[1][1], results[0][1]):
        torch.testing.assert_close(g_chunks, g_one, rtol=tol, atol=tol * g_one.abs().max().item())
