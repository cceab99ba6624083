"""curienn.nn tensor products against e3nn 0.6.0 (the numerical oracle): outputs, gradients, API fields."""

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import e3nn.o3 as e3nn_o3

from curienn.nn import (  # noqa: E402
    ElementwiseTensorProduct,
    FullTensorProduct,
    FullyConnectedTensorProduct,
    TensorProduct,
    TensorSquare,
)
from curienn.o3 import Irreps  # noqa: E402

MODES = ["uvw", "uvu", "uvv", "uuw", "uuu", "uvuv", "uvu<v", "u<vw"]
NORMS = [(i, p) for i in ("component", "norm", "none") for p in ("element", "path", "none")]


def _mul_ok(mode, has_weight, m1, m2, mo):
    return {
        "uvw": has_weight,
        "uvu": m1 == mo,
        "uvv": m2 == mo,
        "uuw": m1 == m2 and (has_weight or mo == 1),
        "uuu": m1 == m2 == mo,
        "uvuv": m1 * m2 == mo,
        "uvu<v": m1 == m2 and m1 * (m1 - 1) // 2 == mo,
        "u<vw": m1 == m2 and has_weight,
    }[mode]


def _irreps(draw, n_max=3, mul_max=3, l_max=2):
    n = draw(st.integers(1, n_max))
    return [(draw(st.integers(0, mul_max)), (draw(st.integers(0, l_max)), draw(st.sampled_from([-1, 1]))))
            for _ in range(n)]


@st.composite
def tp_case(draw, mode):
    """Random irreps and a random valid instruction list for ``mode``."""
    in1 = _irreps(draw)
    in2 = _irreps(draw)
    # output irreps: every product that exists, with a multiplicity that suits the mode
    out, ins = [], []
    for i1, (m1, (l1, p1)) in enumerate(in1):
        for i2, (m2, (l2, p2)) in enumerate(in2):
            for lo in range(abs(l1 - l2), l1 + l2 + 1):
                if not draw(st.booleans()):
                    continue
                has_weight = True if mode in ("uvw", "u<vw") else draw(st.booleans())
                if mode in ("uuw", "uuu", "uvu<v", "u<vw") and m1 != m2:
                    continue
                mo = {"uvw": draw(st.integers(0, 3)), "uvu": m1, "uvv": m2, "uuw": draw(st.integers(0, 3)) if has_weight else 1,
                      "uuu": m1, "uvuv": m1 * m2, "uvu<v": m1 * (m1 - 1) // 2, "u<vw": draw(st.integers(0, 3))}[mode]
                # sometimes reuse an existing output irrep (several paths into one output)
                same = [k for k, (m, ir) in enumerate(out) if ir == (lo, p1 * p2) and _mul_ok(mode, has_weight, m1, m2, m)]
                if same and draw(st.booleans()):
                    io = same[0]
                else:
                    io = len(out)
                    out.append((mo, (lo, p1 * p2)))
                ins.append((i1, i2, io, mode, has_weight, draw(st.sampled_from([1.0, 0.5, 2.0]))))
    if not out:
        out = [(1, (0, 1))]
    return in1, in2, out, ins


def _tol(dtype):
    return {torch.float32: 1e-5, torch.float64: 1e-10}[dtype]


def _pair(in1, in2, out, ins, **kwargs):
    theirs = e3nn_o3.TensorProduct(in1, in2, out, ins, **kwargs)
    ours = TensorProduct(in1, in2, out, ins, **kwargs)
    if theirs.weight.numel():
        with torch.no_grad():
            ours.weight.copy_(theirs.weight)
    return ours, theirs


def _check_close(a, b, tol, what):
    scale = max(1.0, b.abs().max().item()) if b.numel() else 1.0
    assert a.shape == b.shape, (what, a.shape, b.shape)
    err = (a - b).abs().max().item() if a.numel() else 0.0
    assert err <= tol * scale, f"{what}: max error {err} (scale {scale})"


def _compare(ours, theirs, batch, dtype, per_sample_weight=False):
    tol = _tol(dtype)
    x = torch.randn(*batch, ours.irreps_in1.dim, requires_grad=True)
    y = torch.randn(*batch, ours.irreps_in2.dim, requires_grad=True)
    args = [x, y]
    if per_sample_weight:
        w = torch.randn(*batch, ours.weight_numel, requires_grad=True)
        args.append(w)
    a = ours(*args)
    b = theirs(*args)
    _check_close(a, b, tol, "output")
    if a.numel() == 0 or not (a.requires_grad and b.requires_grad):
        return
    g = torch.randn_like(a)
    params_o = [t for t in args] + ([ours.weight] if ours.weight.requires_grad else [])
    params_t = [t for t in args] + ([theirs.weight] if theirs.weight.requires_grad else [])
    ga = torch.autograd.grad(a, params_o, g, allow_unused=True)
    gb = torch.autograd.grad(b, params_t, g, allow_unused=True)
    for name, u, v in zip(["x", "y", "w", "w"], ga, gb):
        u = torch.zeros_like(v) if u is None and v is not None else u
        v = torch.zeros_like(u) if v is None and u is not None else v
        if u is not None:
            _check_close(u, v, tol, f"grad {name}")


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_modes_match_e3nn(mode, data, dtype):
    in1, in2, out, ins = data.draw(tp_case(mode))
    norm = data.draw(st.sampled_from(NORMS))
    ours, theirs = _pair(in1, in2, out, ins, irrep_normalization=norm[0], path_normalization=norm[1])
    assert [i.path_weight for i in ours.instructions] == pytest.approx([i.path_weight for i in theirs.instructions],
                                                                         rel=1e-12, abs=0)
    assert [tuple(i.path_shape) for i in ours.instructions] == [tuple(i.path_shape) for i in theirs.instructions]
    assert torch.equal(ours.output_mask, theirs.output_mask)
    assert ours.weight_numel == theirs.weight_numel
    _compare(ours, theirs, (5,), dtype)
    if ours.weight_numel:
        ours2, theirs2 = _pair(in1, in2, out, ins, irrep_normalization=norm[0], path_normalization=norm[1],
                               shared_weights=False)
        _compare(ours2, theirs2, (4,), dtype, per_sample_weight=True)


@pytest.mark.parametrize("irreps", [
    ("16x0e+16x1o+16x2e", "0e+1o+2e", "16x0e+16x1o+16x2e"),
    ("2x0e+2x0o+2x1e+1x1o+1x2e+2x2o", "0e+1o+2e+3o", "2x0e+2x0o+1x1e+2x1o+1x2e+2x2o"),
    ("2x0e+3x1o+2x2e", "2x0e+2x1o", "3x0e+2x1o+1x2e+2x1e"),
])
@pytest.mark.parametrize("shared", [True, False])
def test_fully_connected_benchmark_cases(irreps, shared, dtype):
    theirs = e3nn_o3.FullyConnectedTensorProduct(*irreps, shared_weights=shared)
    ours = FullyConnectedTensorProduct(*irreps, shared_weights=shared)
    if shared:
        with torch.no_grad():
            ours.weight.copy_(theirs.weight)
    assert repr(ours) == repr(theirs)
    assert ours.instructions == [tuple(i) for i in theirs.instructions]
    _compare(ours, theirs, (6,), dtype, per_sample_weight=not shared)


def test_broadcasting_batch_dims(dtype):
    irreps = ("2x0e+2x1o", "0e+1o", "2x0e+1x1o+1x1e")
    for shared in (True, False):
        theirs = e3nn_o3.FullyConnectedTensorProduct(*irreps, shared_weights=shared)
        ours = FullyConnectedTensorProduct(*irreps, shared_weights=shared)
        x = torch.randn(3, 1, 8)
        y = torch.randn(1, 4, 4)
        args = (x, y) if shared else (x, y, torch.randn(1, 4, ours.weight_numel))
        if shared:
            with torch.no_grad():
                ours.weight.copy_(theirs.weight)
        a, b = ours(*args), theirs(*args)
        assert a.shape == (3, 4, ours.irreps_out.dim)
        _check_close(a, b, _tol(dtype), "broadcast")


def test_list_weights_and_views(dtype):
    irreps = ("2x0e+2x1o", "0e+1o", "2x0e+1x1o")
    theirs = e3nn_o3.FullyConnectedTensorProduct(*irreps, shared_weights=False)
    ours = FullyConnectedTensorProduct(*irreps, shared_weights=False)
    w = torch.randn(5, ours.weight_numel)
    x, y = torch.randn(5, 8), torch.randn(5, 4)
    views_o = list(ours.weight_views(w, yield_instruction=True))
    views_t = list(theirs.weight_views(w, yield_instruction=True))
    assert [(i, tuple(ins)) for i, ins, _ in views_o] == [(i, tuple(ins)) for i, ins, _ in views_t]
    for (_, _, a), (_, _, b) in zip(views_o, views_t):
        assert torch.equal(a, b)
    assert torch.equal(ours.weight_view_for_instruction(2, w), theirs.weight_view_for_instruction(2, w))
    ws = [v.clone() for _, _, v in views_o]
    _check_close(ours(x, y, ws), theirs(x, y, ws), _tol(dtype), "list weights")
    _check_close(ours(x, y, ws), ours(x, y, w), _tol(dtype), "list vs flat")


def test_right_matches_e3nn(dtype):
    irreps = ("2x0e+2x1o+1x2e", "0e+1o+2e", "2x0e+1x1o+2x2e")
    for shared in (True, False):
        theirs = e3nn_o3.FullyConnectedTensorProduct(*irreps, shared_weights=shared, compile_right=True)
        ours = FullyConnectedTensorProduct(*irreps, shared_weights=shared)
        y = torch.randn(4, 9)
        args = (y,) if shared else (y, torch.randn(4, ours.weight_numel))
        if shared:
            with torch.no_grad():
                ours.weight.copy_(theirs.weight)
        r = ours.right(*args)
        assert r.shape == (4, ours.irreps_in1.dim, ours.irreps_out.dim)
        _check_close(r, theirs.right(*args), _tol(dtype), "right")
        x = torch.randn(4, ours.irreps_in1.dim)
        _check_close(torch.einsum("zi,zik->zk", x, r), ours(x, *args), _tol(dtype), "right applied")


@pytest.mark.parametrize("norm", ["component", "norm"])
def test_full_tensor_product(norm, dtype):
    theirs = e3nn_o3.FullTensorProduct("2x0e+1x1o+1x1o+2e", "0e+2x1e", irrep_normalization=norm)
    ours = FullTensorProduct("2x0e+1x1o+1x1o+2e", "0e+2x1e", irrep_normalization=norm)
    assert ours.irreps_out == Irreps(str(theirs.irreps_out))
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, (5,), dtype)
    f = FullTensorProduct("1o", "1o", filter_ir_out=["0e", "2e"])
    assert str(f.irreps_out) == "1x0e+1x2e"


def test_elementwise_tensor_product(dtype):
    theirs = e3nn_o3.ElementwiseTensorProduct("3x0e+2x1o", "1x1e+4x0o", filter_ir_out=["1e", "1o", "0o", "2o"])
    ours = ElementwiseTensorProduct("3x0e+2x1o", "1x1e+4x0o", filter_ir_out=["1e", "1o", "0o", "2o"])
    assert str(ours.irreps_out) == str(theirs.irreps_out)
    _compare(ours, theirs, (5,), dtype)


@pytest.mark.parametrize("norm", ["component", "norm", "none"])
@pytest.mark.parametrize("irreps_out", [None, "2x0e+3x1e+2x2e+1x0o"])
def test_tensor_square(norm, irreps_out, dtype):
    theirs = e3nn_o3.TensorSquare("3x0e+2x1o+1x2e", irreps_out=irreps_out, irrep_normalization=norm)
    ours = TensorSquare("3x0e+2x1o+1x2e", irreps_out=irreps_out, irrep_normalization=norm)
    assert repr(ours) == repr(theirs)
    assert [i.path_weight for i in ours.instructions] == pytest.approx([i.path_weight for i in theirs.instructions])
    if ours.weight_numel:
        with torch.no_grad():
            ours.weight.copy_(theirs.weight)
    x = torch.randn(5, ours.irreps_in.dim, requires_grad=True)
    a, b = ours(x), theirs(x)
    _check_close(a, b, _tol(dtype), "square")
    ga, = torch.autograd.grad(a.pow(2).sum(), x)
    gb, = torch.autograd.grad(b.pow(2).sum(), x)
    _check_close(ga, gb, _tol(dtype), "square grad")


def test_variances_match_e3nn(dtype):
    kw = dict(in1_var=[1.0, 2.0], in2_var=[0.5], out_var=[3.0, 1.0])
    ins = [(0, 0, 0, "uvw", True), (1, 0, 1, "uvu", True, 2.0), (1, 0, 1, "uvw", True)]
    ours, theirs = _pair("2x0e+2x1o", "1x1o", "3x1o+2x1e", ins, **kw)
    assert [i.path_weight for i in ours.instructions] == pytest.approx([i.path_weight for i in theirs.instructions])
    _compare(ours, theirs, (3,), dtype)


@pytest.mark.parametrize("shared", [False, True])
def test_double_backward_matches_e3nn(shared, dtype):
    """Force training differentiates through the tensor product: grad of a grad."""
    irreps = ("4x0e+4x1o", "0e+1o+2e", "4x0e+4x1o")
    theirs = e3nn_o3.FullyConnectedTensorProduct(*irreps, shared_weights=False)
    ours = FullyConnectedTensorProduct(*irreps, shared_weights=False)
    if shared:  # shared weights given explicitly: same numbers, other execution path
        theirs = e3nn_o3.FullyConnectedTensorProduct(*irreps, internal_weights=False)
        ours = FullyConnectedTensorProduct(*irreps, internal_weights=False)
    x = torch.randn(3, 16)
    w = torch.randn(*(() if shared else (3,)), ours.weight_numel, requires_grad=True)
    res = []
    for tp in (ours, theirs):
        y = torch.randn(3, 9, generator=torch.Generator().manual_seed(1)).requires_grad_()
        e = tp(x, y, w).pow(2).sum()
        gy, = torch.autograd.grad(e, y, create_graph=True)
        gw, = torch.autograd.grad(gy.pow(2).sum(), w)
        res.append((gy.detach(), gw))
    _check_close(res[0][0], res[1][0], _tol(dtype), "grad y")
    _check_close(res[0][1], res[1][1], 10 * _tol(dtype), "grad of grad")


@pytest.mark.parametrize("shared", [True, False])
def test_mixed_modes_sharing_intermediates(shared, dtype):
    """uvw and uvu/uvv/uvuv paths with v = 1 share one Clebsch-Gordan stage; grads must not mix."""
    in1, in2 = "3x0e+3x1o+2x1e", "1x0e+1x1o+2x1o"
    out = "3x0e+3x1o+3x1e+2x1e+3x2e+6x1e"
    ins = [(0, 0, 0, "uvw", True), (1, 1, 0, "uvw", True), (1, 0, 1, "uvw", True), (1, 1, 2, "uvu", True),
           (0, 1, 1, "uvu", False), (2, 0, 3, "uvw", True), (1, 1, 4, "uvw", True), (1, 2, 5, "uvuv", True),
           (2, 0, 3, "uvu", True), (1, 1, 2, "uvw", True)]
    ours, theirs = _pair(in1, in2, out, ins, shared_weights=shared)
    _compare(ours, theirs, (5,), dtype, per_sample_weight=not shared)
