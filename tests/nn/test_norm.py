"""Norm against e3nn 0.6.0 (oracle)."""

import pytest
import torch

from curienn.nn import Norm
from curienn.o3 import Irreps
from curienn.testing import assert_equivariant

import e3nn.o3 as e3nn_o3


@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("irreps", ["3x0e + 2x1o + 1x2e + 1x1o", "1e + 1e + 0o", "17x1o"])
def test_norm_matches_e3nn(dtype, tol, irreps, squared):
    ours = Norm(irreps, squared=squared)
    ref = e3nn_o3.Norm(irreps, squared=squared)
    assert str(ours.irreps_in) == str(ref.irreps_in)
    assert str(ours.irreps_out) == str(ref.irreps_out)
    assert repr(ours) == repr(ref)
    ours.load_state_dict(ref.state_dict())  # strict: e3nn's `tp` keys are accepted
    x = Irreps(irreps).randn(4, 3, -1)
    torch.testing.assert_close(ours(x), ref(x), atol=tol, rtol=tol)


def test_norm_definition(dtype, tol):
    norm = Norm("1x0o + 2x1o")
    x = torch.tensor([-2.0, 3.0, 0.0, 4.0, 1.0, 2.0, 2.0])
    torch.testing.assert_close(norm(x), torch.tensor([2.0, 5.0, 3.0]), atol=tol, rtol=tol)
    torch.testing.assert_close(Norm("1x0o + 2x1o", squared=True)(x), torch.tensor([4.0, 25.0, 9.0]), atol=tol, rtol=tol)


def test_norm_gradient_at_zero_is_zero():
    x = torch.zeros(2, 3 + 5, requires_grad=True)
    (grad,) = torch.autograd.grad(Norm("1x1o + 1x2e")(x).sum(), x)
    assert torch.equal(grad, torch.zeros_like(x))


def test_norm_invariant(dtype):
    assert_equivariant(Norm("2x0e + 2x0o + 3x1o + 1x2e + 1x3o"))


def test_norm_bad_dim():
    with pytest.raises(ValueError, match="5"):
        Norm("1x1o")(torch.randn(2, 5))
