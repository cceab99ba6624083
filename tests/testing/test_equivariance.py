"""The shipped test kit: it passes equivariant functions and catches the others."""

import e3nn.o3 as e3
import e3nn.util.test as e3test
import pytest
import torch

from curienn.o3 import Irreps
from curienn.testing import (
    FLOAT_TOLERANCE,
    assert_equivariant,
    assert_normalized,
    equivariance_error,
    format_equivariance_error,
    random_irreps,
)


def cross_and_dot(x, y):
    """(1o, 1o) -> (1e, 0e): equivariant."""
    return torch.cross(x, y, dim=-1), (x * y).sum(-1, keepdim=True)


def square(x):
    """1o -> 1o componentwise square: not equivariant."""
    return x**2


class Scale(torch.nn.Module):
    """A module carrying its irreps, multiplying each irrep copy by a weight."""

    def __init__(self, irreps):
        super().__init__()
        self.irreps_in = self.irreps_out = Irreps(irreps)
        self.weight = torch.nn.Parameter(torch.randn(self.irreps_in.num_irreps))

    def forward(self, x):
        chunks = []
        i = 0
        for sl, (mul, ir) in zip(self.irreps_in.slices(), self.irreps_in):
            w = self.weight[i : i + mul, None]
            chunks.append((x[..., sl].reshape(*x.shape[:-1], mul, ir.dim) * w).reshape(*x.shape[:-1], -1))
            i += mul
        return torch.cat(chunks, dim=-1)


class Mix(torch.nn.Module):
    """mul_in x 1o -> mul_out x 1o, y_u = scale * sum_v W_uv x_v / sqrt(mul_in)."""

    def __init__(self, mul_in, mul_out):
        super().__init__()
        self.irreps_in, self.irreps_out = Irreps(f"{mul_in}x1o"), Irreps(f"{mul_out}x1o")
        self.weight = torch.nn.Parameter(torch.randn(mul_in, mul_out))
        self.scale = 1.0

    def forward(self, x):
        x = x.reshape(*x.shape[:-1], -1, 3)
        y = (x.transpose(-1, -2) @ self.weight).transpose(-1, -2) * self.scale / self.weight.shape[0] ** 0.5
        return y.reshape(*y.shape[:-2], -1)


class TwoInputs(torch.nn.Module):
    irreps_in1 = Irreps("1o")
    irreps_in2 = Irreps("1o")
    irreps_out = Irreps("1e")

    def forward(self, x, y):
        return torch.cross(x, y, dim=-1)


def test_passes_equivariant(dtype):
    errors = assert_equivariant(cross_and_dot, irreps_in=["1o", "1o"], irreps_out=["1e", "0e"])
    assert set(errors) == {(0, False), (1, False)}
    for e in errors.values():
        assert e.shape == (2,) and (e < FLOAT_TOLERANCE[dtype]).all()
    assert_equivariant(Scale("2x0e+3x1o+0x2e+2e+1e"))
    assert_equivariant(TwoInputs())


def test_catches_non_equivariant(dtype):
    with pytest.raises(AssertionError, match="output 0 under rotation"):
        assert_equivariant(square, irreps_in="1o", irreps_out="1o")
    # the wrong output only is named
    with pytest.raises(AssertionError) as info:
        assert_equivariant(lambda x, y: (cross_and_dot(x, y)[0], x[..., :1]), irreps_in=["1o", "1o"], irreps_out=["1e", "0e"])
    assert "output 1" in str(info.value) and "output 0 under" not in str(info.value)


def test_catches_parity_only(dtype):
    """A cross product declared as a polar vector is right for rotations, wrong under inversion."""
    f = TwoInputs()
    with pytest.raises(AssertionError, match="inversion") as info:
        assert_equivariant(f, irreps_out="1o")
    assert "output 0 under rotation:" not in str(info.value)
    errors = assert_equivariant(f, irreps_out="1o", do_parity=False)
    assert set(errors) == {(0, False)}
    # a scalar declared as pseudoscalar
    with pytest.raises(AssertionError, match="inversion"):
        assert_equivariant(lambda x: x.norm(dim=-1, keepdim=True), irreps_in="1o", irreps_out="0o")


def test_same_verdicts_as_e3nn(dtype):
    xs = [torch.randn(5, 3), torch.randn(5, 3)]
    ours = assert_equivariant(cross_and_dot, xs, ["1o", "1o"], ["1e", "0e"])
    ref = e3test.assert_equivariant(cross_and_dot, xs, [e3.Irreps("1o")] * 2, [e3.Irreps("1e"), e3.Irreps("0e")])
    assert set(ours) == set(ref)
    for f in [square, lambda x: x.flip(-1)]:
        with pytest.raises(AssertionError):
            assert_equivariant(f, [xs[0]], "1o", "1o")
        with pytest.raises(AssertionError):
            e3test.assert_equivariant(f, [xs[0]], [e3.Irreps("1o")], [e3.Irreps("1o")])


def test_cartesian_points(dtype):
    centroid = lambda p: p.mean(0, keepdim=True)  # noqa: E731
    errors = assert_equivariant(centroid, irreps_in="cartesian_points", irreps_out="cartesian_points")
    assert set(errors) == {(0, False), (0, True), (1, False), (1, True)}
    # relative vectors are polar vectors, invariant under translation
    assert_equivariant(lambda p: p[1:] - p[:1], irreps_in="cartesian_points", irreps_out="1o")
    # the norm of an absolute position is not translation invariant
    absnorm = lambda p: p.norm(dim=-1, keepdim=True)  # noqa: E731
    with pytest.raises(AssertionError, match="translation") as info:
        assert_equivariant(absnorm, irreps_in="cartesian_points", irreps_out="0e")
    assert "output 0 under rotation:" not in str(info.value)
    assert_equivariant(absnorm, irreps_in="cartesian_points", irreps_out="0e", do_translation=False)


def test_none_arguments(dtype):
    """None leaves an argument (a weight) or an output (a count) untouched."""
    w = torch.randn(4, 1)
    x = torch.randn(4, 3)
    assert_equivariant(lambda x, w: w * x, [x, w], ["1o", None], "1o")
    assert_equivariant(lambda x: (x, torch.tensor([x.shape[0]])), [x], "1o", ["1o", None])
    with pytest.raises(AssertionError):
        assert_equivariant(lambda x: (x, x[:, :1]), [x], "1o", ["1o", None])
    with pytest.raises(ValueError, match="None"):
        assert_equivariant(lambda x, w: w * x, irreps_in=["1o", None], irreps_out="1o")


def test_default_tolerance_follows_dtype(dtype):
    """An error of ~1e-6 is float32 noise but a bug in float64."""
    f = lambda x: x + 1e-6 * x.norm(dim=-1, keepdim=True) * x.flip(-1)  # noqa: E731
    if dtype == torch.float32:
        errors = assert_equivariant(f, irreps_in="1o", irreps_out="1o")
        assert max(e.max() for e in errors.values()) > 1e-8  # the error is really there
    else:
        with pytest.raises(AssertionError, match="tolerance 1e-09"):
            assert_equivariant(f, irreps_in="1o", irreps_out="1o")
        assert_equivariant(f, irreps_in="1o", irreps_out="1o", tolerance=1e-4)


def test_large_outputs_relative(dtype):
    assert_equivariant(lambda x: 1e6 * x, irreps_in="2x1o+2e", irreps_out="2x1o+2e")


def test_nan_fails(dtype):
    with pytest.raises(AssertionError, match="nan|inf"):
        assert_equivariant(lambda x: x * float("nan"), irreps_in="1o", irreps_out="1o")


def test_equivariance_error_and_format(dtype):
    errors = equivariance_error(square, irreps_in="1o", irreps_out="1o", ntrials=3)
    assert errors[(0, False)].dtype == torch.float64 and errors[(0, False)].shape == (1,)
    assert errors[(0, False)].item() > 1e-2
    text = format_equivariance_error(errors)
    assert "rotation x inversion: output 0" in text
    errors = equivariance_error(square, irreps_in="1o", irreps_out="1o", do_parity=False)
    assert set(errors) == {(0, False)}


def test_bad_specs(dtype):
    with pytest.raises(ValueError, match="irreps_in"):
        assert_equivariant(square)
    with pytest.raises(ValueError, match="dim"):
        assert_equivariant(square, [torch.randn(2, 5)], "1o", "1o")
    with pytest.raises(ValueError, match="2z"):
        assert_equivariant(square, irreps_in="2z", irreps_out="1o")
    with pytest.raises(ValueError, match="outputs"):
        assert_equivariant(cross_and_dot, irreps_in=["1o", "1o"], irreps_out="1e")


def test_assert_normalized():
    sums = assert_normalized(lambda x: x, irreps_in="2x1o+0e", irreps_out="2x1o+0e", n_input=4000)
    assert sums[0].shape == (7,)
    sums = assert_normalized(lambda x: x, irreps_in="2x1o+0e", irreps_out="2x1o+0e", normalization="norm", n_input=100)
    assert sums[0].shape == (3,) and torch.allclose(sums[0], torch.ones(3, dtype=torch.float64))
    with pytest.raises(AssertionError, match="output 0"):
        assert_normalized(lambda x: 2 * x, irreps_in="1o", irreps_out="1o", n_input=2000)
    # a module whose weights are redrawn from N(0, 1): y = W x / sqrt(32) is normalized; weights restored
    m = Mix(32, 4)
    before = m.weight.detach().clone()
    sums = assert_normalized(m, n_input=64, n_weight=20, atol=0.25)
    assert sums[0].shape == (12,)
    assert torch.equal(m.weight.detach(), before)
    m.scale = 2.0  # now it is not
    with pytest.raises(AssertionError, match="second moment"):
        assert_normalized(m, n_input=64, n_weight=20, atol=0.25)
    with pytest.raises(ValueError, match="normalization"):
        assert_normalized(m, normalization="xyz")


def test_random_irreps():
    import random

    random.seed(0)
    many = random_irreps(50, lmax=3, mul_max=2, len_max=3)
    assert len(many) == 50
    parsed = [Irreps(x) for x in many]
    assert all(len(x) <= 3 and all(mul <= 2 and ir.l <= 3 for mul, ir in x) for x in parsed)
    assert any(not isinstance(x, Irreps) for x in many)  # strings and lists too
    clean = random_irreps(30, clean=True, allow_empty=False)
    assert all(isinstance(x, Irreps) and x.dim > 0 for x in clean)
    assert isinstance(random_irreps(clean=True), Irreps)
    with pytest.raises(ValueError):
        random_irreps(mul_min=3, mul_max=2)


def test_inputs_requiring_grad(dtype):
    """Forces from autograd: the transformed positions are fresh leaves that require grad."""

    def forces(p):
        energy = (p[:, None] - p[None]).pow(2).sum(-1).add(1).log().sum()
        return -torch.autograd.grad(energy, p)[0]

    p = torch.randn(5, 3, requires_grad=True)
    assert_equivariant(forces, [p], "cartesian_points", "1o")
