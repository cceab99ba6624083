"""normalize2mom, Activation and NormActivation against e3nn 0.6.0 (oracle)."""

import pytest
import torch

from curienn.nn import Activation, NormActivation, normalize2mom
from curienn.o3 import Irreps
from curienn.testing import assert_equivariant

import e3nn.math as e3nn_math
import e3nn.nn as e3nn_nn


@pytest.mark.parametrize(
    "f", [torch.tanh, torch.abs, torch.nn.functional.silu, torch.nn.SiLU()]
)
def test_normalize2mom_constant_equals_e3nn(f):
    assert normalize2mom(f).cst == e3nn_math.normalize2mom(f).cst


def test_normalize2mom_unit_second_moment(dtype):
    act = normalize2mom(torch.nn.functional.gelu)
    z = torch.randn(50_000, generator=torch.Generator().manual_seed(1))
    assert abs(act(z).pow(2).mean().item() - 1) < 0.05
    torch.testing.assert_close(act(z), torch.nn.functional.gelu(z) * act.cst)


def test_normalize2mom_identity_when_normalized():
    act = normalize2mom(lambda x: x)
    ref = e3nn_math.normalize2mom(lambda x: x)
    assert act._is_id == ref._is_id
    x = torch.randn(7)
    torch.testing.assert_close(act(x), ref(x))


def test_normalize2mom_cached_per_function():
    def f(x):
        return torch.tanh(2 * x)

    first = normalize2mom(f)
    calls = []

    def spy(x):
        calls.append(1)
        return torch.tanh(2 * x)

    normalize2mom(spy)
    normalize2mom(spy)
    assert len(calls) == 1  # second construction reuses the cached constant
    assert normalize2mom(f).cst == first.cst


def test_normalize2mom_rejects_non_callable():
    with pytest.raises(ValueError, match="'tanh'"):
        normalize2mom("tanh")


@pytest.mark.parametrize(
    "irreps, acts",
    [
        ("4x0e + 3x0o + 2x1o", [torch.tanh, torch.tanh, None]),
        ("4x0o + 2x2e + 3x0e", [torch.abs, None, torch.sigmoid]),
        ("5x0o + 3x0o", [torch.cos, torch.tanh]),
        ("2x1e + 3x0e", [None, None]),
    ],
)
def test_activation_matches_e3nn(dtype, tol, irreps, acts):
    ours = Activation(irreps, acts)
    ref = e3nn_nn.Activation(irreps, acts)
    assert ours.irreps_in == Irreps(irreps)
    assert str(ours.irreps_out) == str(ref.irreps_out)
    assert repr(ours) == repr(ref)
    x = ours.irreps_in.randn(6, -1)
    torch.testing.assert_close(ours(x), ref(x), atol=tol, rtol=tol)


def test_activation_parity():
    assert str(Activation("3x0o", [torch.tanh]).irreps_out) == "3x0o"
    assert str(Activation("3x0o", [torch.abs]).irreps_out) == "3x0e"
    assert str(Activation("3x0e", [torch.abs]).irreps_out) == "3x0e"


def test_activation_equivariant(dtype, tol):
    act = Activation("4x0e + 3x0o + 2x0o + 2x1o + 1x2e", [torch.tanh, torch.tanh, torch.abs, None, None])
    assert str(act.irreps_out) == "4x0e+3x0o+2x0e+2x1o+1x2e"
    assert_equivariant(act)


def test_activation_dim_argument():
    act = Activation("2x0e + 1x1o", [torch.tanh, None])
    x = torch.randn(4, 5, 3)
    torch.testing.assert_close(act(x, dim=1), act(x.transpose(1, 2)).transpose(1, 2))


def test_activation_errors():
    with pytest.raises(ValueError, match="sigmoid"):
        Activation("3x0o", [torch.sigmoid])  # neither even nor odd
    with pytest.raises(ValueError, match="1x1o"):
        Activation("1x1o", [torch.tanh])
    with pytest.raises(ValueError, match="2 activations"):
        Activation("3x0e", [torch.tanh, torch.tanh])
    with pytest.raises(ValueError, match="7"):
        Activation("3x0e", [torch.tanh])(torch.randn(2, 7))


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("normalize, epsilon", [(True, None), (True, 1e-3)])
def test_norm_activation_matches_e3nn(dtype, tol, bias, normalize, epsilon):
    irreps = "3x0e + 2x1o + 1x2e + 2x1e"
    ours = NormActivation(irreps, torch.sigmoid, normalize=normalize, epsilon=epsilon, bias=bias)
    ref = e3nn_nn.NormActivation(Irreps(irreps), torch.sigmoid, normalize=normalize, epsilon=epsilon, bias=bias)
    if bias:
        assert ours.biases.shape == (8,)
        with torch.no_grad():
            ref.biases.copy_(torch.randn(8))
    ours.load_state_dict(ref.state_dict())  # strict: e3nn's weightless TP keys are accepted
    assert list(ours.state_dict()) == (["biases"] if bias else [])
    x = Irreps(irreps).randn(5, -1)
    x[0, 3:6] = 0.0  # a zero vector: norm clamped
    torch.testing.assert_close(ours(x), ref(x), atol=tol, rtol=tol)
    assert ours.irreps_out == Irreps(irreps)


def test_norm_activation_definition_and_zero(dtype, tol):
    act = NormActivation("2x1o", torch.tanh)
    x = torch.tensor([[3.0, 0.0, 4.0, 0.0, 0.0, 0.0]], requires_grad=True)
    y = act(x)
    expected = torch.tensor([[0.6, 0.0, 0.8, 0.0, 0.0, 0.0]]) * torch.tanh(torch.tensor(5.0))
    torch.testing.assert_close(y.detach(), expected, atol=tol, rtol=tol)
    (grad,) = torch.autograd.grad(y.sum(), x)
    assert grad.isfinite().all()


def test_norm_activation_without_normalize(dtype, tol):
    act = NormActivation("1x1o", torch.tanh, normalize=False)
    x = torch.tensor([3.0, 0.0, 4.0])
    torch.testing.assert_close(act(x), x * torch.tanh(torch.tensor(5.0)), atol=tol, rtol=tol)


def test_norm_activation_equivariant(dtype):
    act = NormActivation("2x0e + 2x0o + 3x1o + 1x2e + 1x3o", torch.sigmoid, bias=True)
    with torch.no_grad():
        act.biases.normal_()
    assert_equivariant(act)


def test_norm_activation_errors():
    with pytest.raises(ValueError, match="0.001"):
        NormActivation("1x1o", torch.tanh, normalize=False, epsilon=1e-3)
    with pytest.raises(ValueError, match="-1"):
        NormActivation("1x1o", torch.tanh, epsilon=-1.0)
    with pytest.raises(ValueError, match="4"):
        NormActivation("1x1o", torch.tanh)(torch.randn(4))
