"""BatchNorm against e3nn 0.6.0 (oracle): train/eval numbers, running stats, equivariance."""

import pytest
import torch

from curienn.nn import BatchNorm
from curienn.o3 import Irreps
from curienn.testing import assert_equivariant

import e3nn.nn as e3nn_nn

IRREPS = "3x0e + 2x0o + 2x1o + 1x2e + 2x0e"


def _pair(**kwargs):
    ours, ref = BatchNorm(IRREPS, **kwargs), e3nn_nn.BatchNorm(IRREPS, **kwargs)
    assert list(ours.state_dict()) == list(ref.state_dict())
    with torch.no_grad():
        for p in ref.parameters():
            p.normal_()
    ours.load_state_dict(ref.state_dict())
    return ours, ref


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"reduce": "max"},
        {"normalization": "norm"},
        {"affine": False},
        {"include_bias": False, "momentum": 0.3},
        {"instance": True},
    ],
    ids=["default", "max", "norm", "no-affine", "no-bias", "instance"],
)
def test_batchnorm_matches_e3nn(dtype, tol, kwargs):
    ours, ref = _pair(**kwargs)
    for step in range(2):
        x = Irreps(IRREPS).randn(5, 3, -1) * 2 + 0.5
        torch.testing.assert_close(ours(x), ref(x), atol=tol, rtol=tol)
    for a, b in zip(ours.buffers(), ref.buffers()):
        torch.testing.assert_close(a, b, atol=tol, rtol=tol)
    ours.eval()
    ref.eval()
    x = Irreps(IRREPS).randn(4, 2, -1)
    torch.testing.assert_close(ours(x), ref(x), atol=tol, rtol=tol)


def test_batchnorm_shapes_and_names():
    bn = BatchNorm(IRREPS)
    assert bn.running_mean.shape == (5,) and bn.running_var.shape == (10,)
    assert bn.weight.shape == (10,) and bn.bias.shape == (5,)
    assert repr(bn) == repr(e3nn_nn.BatchNorm(IRREPS))
    inst = BatchNorm(IRREPS, instance=True, affine=False)
    assert inst.running_mean is None and inst.weight is None and inst.bias is None


def test_batchnorm_training_normalizes(dtype):
    bn = BatchNorm("4x0e + 3x1o")
    x = torch.randn(2000, 4 + 9) * 3 + 1
    y = bn(x)
    scalars = y[:, :4]
    torch.testing.assert_close(scalars.mean(0), torch.zeros(4), atol=1e-4, rtol=0)
    torch.testing.assert_close(scalars.pow(2).mean(0), torch.ones(4), atol=1e-3, rtol=0)
    vectors = y[:, 4:].reshape(-1, 3, 3)
    torch.testing.assert_close(vectors.pow(2).mean((0, 2)), torch.ones(3), atol=1e-3, rtol=0)


def test_batchnorm_eval_equivariant(dtype):
    bn = BatchNorm(IRREPS)
    bn(Irreps(IRREPS).randn(8, -1))  # non-trivial running statistics
    bn.eval()
    assert_equivariant(bn, irreps_in=[IRREPS], irreps_out=[IRREPS])


def test_batchnorm_train_equivariant(dtype):
    bn = BatchNorm(IRREPS)
    x = Irreps(IRREPS).randn(6, -1)
    assert_equivariant(lambda x: bn(x), args_in=[x], irreps_in=[IRREPS], irreps_out=[IRREPS])


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="'median'"):
        BatchNorm("1x0e", reduce="median")
    with pytest.raises(ValueError, match="'integral'"):
        BatchNorm("1x0e", normalization="integral")
    with pytest.raises(ValueError, match="4"):
        BatchNorm("1x1o")(torch.randn(2, 4))


def test_batchnorm_compiles_fullgraph():
    eager, compiled_bn = BatchNorm(IRREPS), BatchNorm(IRREPS)
    compiled = torch.compile(compiled_bn, fullgraph=True, backend="eager")
    x = Irreps(IRREPS).randn(6, -1)
    torch.testing.assert_close(compiled(x), eager(x))
    torch.testing.assert_close(compiled_bn.running_var, eager.running_var)
    torch.testing.assert_close(compiled_bn.running_mean, eager.running_mean)
