"""curienn.nn.Linear: e3nn 0.6.0 numbers, weights layout, biases, f_in/f_out, errors, equivariance."""

import pytest
import torch

from curienn.nn import Linear
from curienn.o3 import Irreps, rand_matrix
from curienn.testing import assert_equivariant

import e3nn.o3 as e3nn_o3


def _tol(dtype):
    return {torch.float32: 1e-5, torch.float64: 1e-10}[dtype]


def _close(a, b, tol, what=""):
    assert a.shape == b.shape, (what, a.shape, b.shape)
    scale = max(1.0, b.abs().max().item()) if b.numel() else 1.0
    err = (a - b).abs().max().item() if a.numel() else 0.0
    assert err <= tol * scale, f"{what}: {err}"


def _copy(ours, theirs):
    with torch.no_grad():
        if theirs.weight.numel():
            ours.weight.copy_(theirs.weight)
        if theirs.bias.numel():
            ours.bias.copy_(torch.randn_like(theirs.bias))
            theirs.bias.copy_(ours.bias)


CASES = [
    ("64x0e+64x1o+64x2e", "64x0e+64x1o+64x2e", {}),
    ("3x0e+7x0e+2x1o", "4x0e+1x1o+3x1e", {}),
    ("2x0e+3x1o+0x2e", "3x0e+2x1o+1x2e", {"biases": True}),
    ("2x0e+3x1o+1x0e", "3x0e+2x1o", {"path_normalization": "path", "biases": [True, False]}),
    ("2x0e+3x1o+1x0e", "3x0e+2x1o+1x0o", {"instructions": [(0, 0), (2, 0), (1, 1)]}),
    ("2x0e+3x1o", "3x0e+2x1o", {"f_in": 3, "f_out": 2, "biases": True}),
]


@pytest.mark.parametrize("irreps_in,irreps_out,kw", CASES)
def test_linear_matches_e3nn(irreps_in, irreps_out, kw, dtype):
    theirs = e3nn_o3.Linear(irreps_in, irreps_out, **kw)
    ours = Linear(irreps_in, irreps_out, **kw)
    _copy(ours, theirs)
    assert repr(ours) == repr(theirs)
    assert ours.weight_numel == theirs.weight_numel and ours.bias_numel == theirs.bias_numel
    assert [tuple(i) for i in ours.instructions] == [tuple(i) for i in theirs.instructions]
    assert torch.equal(ours.output_mask, theirs.output_mask)
    f = (kw["f_in"],) if "f_in" in kw else ()
    x = torch.randn(2, 3, *f, ours.irreps_in.dim, requires_grad=True)
    a, b = ours(x), theirs(x)
    _close(a, b, _tol(dtype), "output")
    g = torch.randn_like(a)
    params_o = [x] + [p for p in (ours.weight, ours.bias) if p.requires_grad]
    params_t = [x] + [p for p in (theirs.weight, theirs.bias) if p.requires_grad]
    for u, v in zip(torch.autograd.grad(a, params_o, g), torch.autograd.grad(b, params_t, g)):
        _close(u, v, _tol(dtype), "grad")


@pytest.mark.parametrize("irreps_in,irreps_out,kw", CASES)
def test_linear_is_equivariant(irreps_in, irreps_out, kw, dtype):
    """Random rotations and rotations x inversion (float32 and float64), biases and
    channel axes (f_in/f_out) included; with random weights and biases, not zeros."""
    lin = Linear(irreps_in, irreps_out, **kw)
    with torch.no_grad():
        if lin.bias.numel():
            lin.bias.normal_()
    f = (kw["f_in"],) if "f_in" in kw else ()
    x = torch.randn(3, *f, lin.irreps_in.dim)
    errors = assert_equivariant(lin, [x], [lin.irreps_in], [lin.irreps_out], ntrials=2)
    assert set(errors) == {(0, False), (1, False)}


def test_linear_is_not_equivariant_with_a_wrong_weight_layout(dtype):
    """The check above can fail: mixing the two vectors' components by an
    un-rotated matrix is caught."""
    lin = Linear("2x1o", "2x1o")
    x = torch.randn(5, 6)
    R = rand_matrix()
    D = Irreps("2x1o").D_from_matrix(R)
    broken = lambda v: lin(v)[..., [1, 0, 2, 3, 4, 5]]  # noqa: E731 - swaps x and y of the first vector
    assert not torch.allclose(broken(x @ D.T), broken(x) @ D.T, atol=1e-3)
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(broken, [x], ["2x1o"], ["2x1o"])


def test_linear_per_sample_weights_are_equivariant(dtype):
    lin = Linear("3x0e+2x1o+2x0e", "2x0e+3x1o", shared_weights=False)
    x, w = torch.randn(5, lin.irreps_in.dim), torch.randn(5, lin.weight_numel)
    assert_equivariant(lin, [x, w], [lin.irreps_in, None], [lin.irreps_out])


def test_linear_per_sample_weights(dtype):
    theirs = e3nn_o3.Linear("3x0e+2x1o+2x0e", "2x0e+3x1o", shared_weights=False)
    ours = Linear("3x0e+2x1o+2x0e", "2x0e+3x1o", shared_weights=False)
    assert not ours.internal_weights
    x = torch.randn(5, ours.irreps_in.dim, requires_grad=True)
    w = torch.randn(5, ours.weight_numel, requires_grad=True)
    a, b = ours(x, w), theirs(x, w)
    _close(a, b, _tol(dtype), "output")
    g = torch.randn_like(a)
    for u, v in zip(torch.autograd.grad(a, [x, w], g), torch.autograd.grad(b, [x, w], g)):
        _close(u, v, _tol(dtype), "grad")
    for (i, ins, va), (j, jns, vb) in zip(ours.weight_views(w, yield_instruction=True),
                                          theirs.weight_views(w, yield_instruction=True)):
        assert (i, tuple(ins)) == (j, tuple(jns)) and torch.equal(va, vb)
    assert torch.equal(ours.weight_view_for_instruction(1, w), theirs.weight_view_for_instruction(1, w))


def test_linear_bias_zero_init_and_only_scalars():
    lin = Linear("2x0e+1x1o", "3x0e+2x1o+1x0o", biases=True)
    assert lin.bias_numel == 3 and torch.equal(lin.bias, torch.zeros(3))
    assert [i.i_in for i in lin.instructions][-1] == -1
    with pytest.raises(ValueError, match="bias"):
        Linear("1x1o", "1x1o", biases=[True])


def test_linear_errors():
    lin = Linear("2x0e+1x1o", "3x0e+1x1o")
    with pytest.raises(ValueError, match="last|shape"):
        lin(torch.randn(4, 6))
    with pytest.raises(ValueError, match="weight"):
        lin(torch.randn(4, 5), weight=torch.randn(8))
    with pytest.raises(ValueError, match="same irrep"):
        Linear("1x0e", "1x1o", instructions=[(0, 0)])
    with pytest.raises(ValueError, match="index"):
        Linear("1x0e", "1x0e", instructions=[(1, 0)])
    with pytest.raises(ValueError, match="path_normalization"):
        Linear("1x0e", "1x0e", path_normalization="none")
    ps = Linear("2x0e", "2x0e", shared_weights=False)
    with pytest.raises(ValueError, match="weights must be provided"):
        ps(torch.randn(3, 2))
    with pytest.raises(ValueError, match="broadcast"):
        ps(torch.randn(3, 2), torch.randn(4, 4))


def test_linear_fan_in_normalization():
    """Unit-variance inputs give unit-variance outputs (element normalization)."""
    lin = Linear("32x0e+32x0e+32x1o", "64x0e+32x1o")
    x = torch.randn(4000, lin.irreps_in.dim)
    y = lin(x)
    assert y.pow(2).mean().item() == pytest.approx(1.0, rel=0.1)


def test_linear_empty_and_zero_outputs(dtype):
    lin = Linear("2x0e", "2x1o+0x0e")
    out = lin(torch.randn(3, 2))
    assert out.shape == (3, 6) and torch.equal(out, torch.zeros(3, 6))
    assert torch.equal(lin.output_mask, torch.zeros(6))
    empty = Linear("2x0e", "2x0e")(torch.randn(0, 2))
    assert empty.shape == (0, 2)


def test_linear_double_backward_and_compile(dtype):
    theirs = e3nn_o3.Linear("3x0e+2x1o+2x2e", "2x0e+3x1o+1x2e", biases=True)
    ours = Linear("3x0e+2x1o+2x2e", "2x0e+3x1o+1x2e", biases=True)
    _copy(ours, theirs)
    x = torch.randn(4, ours.irreps_in.dim, requires_grad=True)
    res = []
    for lin in (ours, theirs):
        gx, = torch.autograd.grad(lin(x).pow(3).sum(), x, create_graph=True)
        gw, = torch.autograd.grad(gx.pow(2).sum(), lin.weight)
        res.append((gx.detach(), gw))
    _close(res[0][0], res[1][0], _tol(dtype), "grad x")
    _close(res[0][1], res[1][1], 10 * _tol(dtype), "grad of grad")
    compiled = torch.compile(ours, fullgraph=True, backend="eager")
    _close(compiled(x), ours(x), _tol(dtype), "compiled")
