"""Extract, ExtractIr and Identity against e3nn 0.6.0 (oracle)."""

import pytest
import torch

from curienn.nn import Extract, ExtractIr, Identity
from curienn.o3 import Irreps
from curienn.testing import assert_equivariant

import e3nn.nn as e3nn_nn


def test_extract_example():
    c = Extract("1e + 0e + 0e", ["0e", "0e"], [(1,), (2,)])
    out = c(torch.tensor([0.0, 0.0, 0.0, 1.0, 2.0]))
    assert isinstance(out, tuple) and len(out) == 2
    assert torch.equal(out[0], torch.tensor([1.0])) and torch.equal(out[1], torch.tensor([2.0]))


@pytest.mark.parametrize("squeeze_out", [False, True])
def test_extract_matches_e3nn(dtype, squeeze_out):
    args = ("2x0e + 1x1o + 3x2e + 1x0o", ["1x0o + 2x0e", "3x2e + 1x1o + 2x0e", ""], [(3, 0), (2, 1, 0), ()])
    ours, ref = Extract(*args, squeeze_out=squeeze_out), e3nn_nn.Extract(*args, squeeze_out=squeeze_out)
    x = Irreps(args[0]).randn(4, 2, -1)
    out, out_ref = ours(x), ref(x)
    assert len(out) == len(out_ref) == 3
    for a, b in zip(out, out_ref):
        assert a.shape == b.shape and torch.equal(a, b)


def test_extract_squeeze_single_output(dtype):
    ours = Extract("1x1o + 2x0e", ["2x0e"], [(1,)], squeeze_out=True)
    ref = e3nn_nn.Extract("1x1o + 2x0e", ["2x0e"], [(1,)], squeeze_out=True)
    x = torch.randn(3, 5)
    assert torch.equal(ours(x), ref(x))


def test_extract_ir_matches_e3nn(dtype):
    for ir in ["0e", "1o", "2e", "3o"]:
        ours, ref = ExtractIr("0e + 1o + 2x0e + 1x2e + 2x1o", ir), e3nn_nn.ExtractIr("0e + 1o + 2x0e + 1x2e + 2x1o", ir)
        assert str(ours.irreps_out) == str(ref.irreps_out)
        x = torch.randn(6, ours.irreps_in.dim)
        assert torch.equal(ours(x), ref(x))


def test_extract_equivariant(dtype):
    ex = ExtractIr("0e + 1o + 2x0e + 1x2e + 2x1o", "1o")
    assert_equivariant(ex)


def test_extract_gradient_flows():
    ex = Extract("1x0e + 1x1o", ["1x1o", "1x0e"], [(1,), (0,)])
    x = torch.randn(4, requires_grad=True)
    a, b = ex(x)
    (grad,) = torch.autograd.grad(2 * a.sum() + 3 * b.sum(), x)
    assert torch.equal(grad, torch.tensor([3.0, 2.0, 2.0, 2.0]))


def test_extract_compiles_fullgraph():
    ex = Extract("2x0e + 1x1o + 1x0o", ["1x0o + 2x0e", "1x1o"], [(2, 0), (1,)])
    x = torch.randn(3, 6)
    out = torch.compile(ex, fullgraph=True, backend="eager")(x)
    for a, b in zip(out, ex(x)):
        assert torch.equal(a, b)


def test_extract_errors():
    with pytest.raises(ValueError, match="instructions"):
        Extract("1x0e + 1x1o", ["1x0e"], [(0,), (1,)])
    with pytest.raises(ValueError, match="5"):
        Extract("1x0e + 1x1o", ["1x0e"], [(5,)])
    with pytest.raises(ValueError, match="1x1o"):
        Extract("1x0e + 1x1o", ["1x2e"], [(1,)])
    with pytest.raises(ValueError, match="7"):
        Extract("1x0e + 1x1o", ["1x0e"], [(0,)])(torch.randn(7))


def test_identity(dtype):
    ours = Identity("1x0e + 1x0e + 1x1o", "2x0e + 1x1o")
    ref = e3nn_nn.Identity("1x0e + 1x0e + 1x1o", "2x0e + 1x1o")
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["output_mask"]
    assert torch.equal(ours.output_mask, ref.output_mask)
    assert str(ours.irreps_in) == str(ref.irreps_in) == "2x0e+1x1o"
    x = torch.randn(2, 5)
    assert torch.equal(ours(x), x)
    with pytest.raises(ValueError, match="1x1e"):
        Identity("1x1o", "1x1e")
