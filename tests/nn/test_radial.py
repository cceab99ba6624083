"""Radial functions against e3nn 0.6.0 (oracle), gradients and torch.compile."""

import math

import pytest
import torch

from curienn.nn import bessel, smooth_cutoff, soft_one_hot_linspace, soft_unit_step

import e3nn.math as e3nn_math

BASES = ["gaussian", "cosine", "smooth_finite", "fourier", "bessel"]


@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("cutoff", [True, False])
def test_soft_one_hot_linspace_matches_e3nn(dtype, tol, basis, cutoff):
    x = torch.linspace(-1.5, 2.5, 401)
    ours = soft_one_hot_linspace(x, -0.5, 1.5, number=5, basis=basis, cutoff=cutoff)
    ref = e3nn_math.soft_one_hot_linspace(x, -0.5, 1.5, number=5, basis=basis, cutoff=cutoff)
    assert ours.shape == (401, 5) and ours.dtype == dtype
    finite = ref.isfinite()
    assert torch.equal(ours.isfinite(), finite)  # bessel is singular at x == start
    torch.testing.assert_close(ours[finite], ref[finite], atol=tol, rtol=tol)


@pytest.mark.parametrize("basis", ["cosine", "smooth_finite", "fourier", "bessel"])
def test_soft_one_hot_linspace_cutoff_vanishes_outside(basis):
    x = torch.cat([torch.linspace(-2.0, -0.51, 20), torch.linspace(1.51, 3.0, 20)])
    y = soft_one_hot_linspace(x, -0.5, 1.5, number=4, basis=basis, cutoff=True)
    assert y.abs().max() == 0


def test_soft_one_hot_linspace_batch_shape():
    y = soft_one_hot_linspace(torch.rand(2, 3, 4), 0.0, 1.0, number=6, basis="gaussian", cutoff=False)
    assert y.shape == (2, 3, 4, 6)


@pytest.mark.parametrize("cutoff", [None, 1, "yes"])
def test_soft_one_hot_linspace_cutoff_must_be_bool(cutoff):
    with pytest.raises(ValueError, match="cutoff"):
        soft_one_hot_linspace(torch.rand(3), 0.0, 1.0, 4, "gaussian", cutoff)


def test_soft_one_hot_linspace_unknown_basis():
    with pytest.raises(ValueError, match="'hermite'"):
        soft_one_hot_linspace(torch.rand(3), 0.0, 1.0, 4, "hermite", True)


def test_soft_one_hot_linspace_compiles_fullgraph():
    def f(x):
        return soft_one_hot_linspace(x, 0.0, 2.0, 5, "smooth_finite", True).sum()

    x = torch.linspace(-0.5, 2.5, 31, requires_grad=True)
    (grad_ref,) = torch.autograd.grad(f(x), x)
    compiled = torch.compile(f, fullgraph=True, backend="aot_eager")
    out = compiled(x)
    (grad,) = torch.autograd.grad(out, x)
    torch.testing.assert_close(out, f(x))
    torch.testing.assert_close(grad, grad_ref)


def test_soft_unit_step_matches_e3nn_and_definition(dtype, tol):
    x = torch.linspace(-2.0, 5.0, 141, requires_grad=True)
    y = soft_unit_step(x)
    torch.testing.assert_close(y, e3nn_math.soft_unit_step(x), atol=tol, rtol=tol)
    expected = torch.where(x > 0, torch.exp(-1 / x.detach().clamp(min=1e-3)), torch.zeros(()))
    torch.testing.assert_close(y.detach(), expected, atol=tol, rtol=tol)
    (grad,) = torch.autograd.grad(y.sum(), x)
    assert grad.isfinite().all()
    assert grad[x <= 0].abs().max() == 0
    torch.testing.assert_close(grad[x > 0], (y / x**2)[x > 0].detach(), atol=tol, rtol=tol)


def test_soft_unit_step_gradcheck():
    x = torch.tensor([-1.0, 0.0, 0.3, 1.0, 4.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(soft_unit_step, (x,))


def test_soft_unit_step_compiles_fullgraph():
    x = torch.linspace(-1.0, 3.0, 9, requires_grad=True)
    y = torch.compile(soft_unit_step, fullgraph=True, backend="aot_eager")(x)
    (grad,) = torch.autograd.grad(y.sum(), x)
    torch.testing.assert_close(y, soft_unit_step(x))
    assert grad.isfinite().all()


def test_bessel_matches_e3nn(dtype, tol):
    x = torch.cat([torch.zeros(1), torch.linspace(0.01, 2.0, 50)])
    for n, x_max in [(1, 1.0), (8, 2.0)]:
        ours = bessel(x, n, x_max)
        assert ours.shape == (51, n)
        torch.testing.assert_close(ours, e3nn_math.bessel(x, n, x_max), atol=tol, rtol=tol)


def test_bessel_orthonormal_and_finite_gradient_at_zero():
    r = torch.linspace(0.0, 1.5, 20001, dtype=torch.float64)
    b = bessel(r, 4, x_max=1.5)
    gram = torch.trapezoid(r[:, None, None] ** 2 * b[:, :, None] * b[:, None, :], r, dim=0)
    torch.testing.assert_close(gram, torch.eye(4, dtype=torch.float64), atol=1e-6, rtol=0)
    x = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(bessel(x, 3).sum(), x)
    assert grad.isfinite().all()


def test_bessel_bad_n():
    with pytest.raises(ValueError, match="2.5"):
        bessel(torch.rand(3), 2.5)


def test_smooth_cutoff_matches_gate_points_2101(dtype, tol):
    from e3nn.nn.models.gate_points_2101 import smooth_cutoff as reference

    x = torch.linspace(-0.5, 1.5, 201)
    y = smooth_cutoff(x)
    torch.testing.assert_close(y, reference(x.clone()), atol=tol, rtol=tol)
    assert y[x < 0.5].eq(1).all() and y[x > 1].eq(0).all()
    torch.testing.assert_close(smooth_cutoff(torch.tensor(0.75)), torch.tensor(0.5), atol=tol, rtol=0)
    assert math.isclose(float(smooth_cutoff(torch.tensor(0.5))), 1.0, abs_tol=tol)
