"""FullyConnectedNet against e3nn 0.6.0 (oracle) with copied weights."""

import pytest
import torch

from curienn.nn import FullyConnectedNet

import e3nn.nn as e3nn_nn


@pytest.mark.parametrize(
    "hs, act, var_in, var_out, out_act",
    [
        ([3, 8, 5], torch.tanh, 1, 1, False),
        ([4, 6, 7, 2], torch.nn.functional.silu, 2.0, 3.0, True),
        ([5, 3], None, 1.5, 0.5, False),
        ([2, 9, 9, 1], torch.nn.SiLU(), 1, 2, False),
    ],
)
def test_fc_matches_e3nn(dtype, tol, hs, act, var_in, var_out, out_act):
    ours = FullyConnectedNet(hs, act, variance_in=var_in, variance_out=var_out, out_act=out_act)
    ref = e3nn_nn.FullyConnectedNet(hs, act, variance_in=var_in, variance_out=var_out, out_act=out_act)
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert list(ours.state_dict()) == [f"layer{i}.weight" for i in range(len(hs) - 1)]
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(10, hs[0])
    torch.testing.assert_close(ours(x), ref(x), atol=tol, rtol=tol)
    assert ours.hs == hs
    assert repr(ours) == repr(ref)
    assert [repr(layer) for layer in ours] == [repr(layer) for layer in ref]


def test_fc_same_seed_same_weights():
    torch.manual_seed(3)
    ours = FullyConnectedNet([3, 4, 2], torch.tanh)
    torch.manual_seed(3)
    ref = e3nn_nn.FullyConnectedNet([3, 4, 2], torch.tanh)
    for a, b in zip(ours.parameters(), ref.parameters()):
        assert torch.equal(a, b)


def test_fc_preserves_unit_variance():
    net = FullyConnectedNet([64, 256, 256, 64], torch.nn.functional.silu)
    with torch.no_grad():
        y = net(torch.randn(2000, 64))
    assert abs(y.pow(2).mean().item() - 1) < 0.25


def test_fc_variance_out_scales_output():
    torch.manual_seed(1)
    a = FullyConnectedNet([4, 8, 3], torch.tanh, variance_out=1)
    torch.manual_seed(1)
    b = FullyConnectedNet([4, 8, 3], torch.tanh, variance_out=4)
    x = torch.randn(5, 4)
    torch.testing.assert_close(b(x), 2 * a(x))


def test_fc_bad_sizes():
    with pytest.raises(ValueError, match="2.5"):
        FullyConnectedNet([3, 2.5, 1])
