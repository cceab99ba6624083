"""Gate against e3nn 0.6.0 (oracle): irreps, numbers, equivariance, torch.compile."""

import pytest
import torch

from curienn.nn import Gate
from curienn.nn._gate import _Sortcut
from curienn.o3 import Irreps
from curienn.testing import assert_equivariant

import e3nn.nn as e3nn_nn
import e3nn.nn._gate as e3nn_gate

silu = torch.nn.functional.silu

CASES = [
    ("16x0o", [torch.tanh], "32x0o", [torch.tanh], "16x1e+16x1o"),
    ("4x0e + 2x0o", [silu, torch.tanh], "3x0e + 2x0o", [torch.sigmoid, torch.abs], "2x1o + 1x2e + 2x1e"),
    ("3x0e", [silu], "2x0o + 3x0e", [torch.tanh, torch.sigmoid], "1x1e + 1x1o + 3x2o"),
    ("2x0e + 1x0e", [silu, silu], "", [], ""),
    ("", [], "2x0e", [torch.sigmoid], "1x1o + 1x3e"),
]


@pytest.mark.parametrize("case", CASES)
def test_gate_matches_e3nn(dtype, tol, case):
    ours = Gate(*case)
    ref = e3nn_nn.Gate(*case)
    assert str(ours.irreps_in) == str(ref.irreps_in)
    assert str(ours.irreps_out) == str(ref.irreps_out)
    for a, b in zip(
        (ours.irreps_scalars, ours.irreps_gates, ours.irreps_gated),
        (ref.irreps_scalars, ref.irreps_gates, ref.irreps_gated),
    ):
        assert str(a) == str(b)
    assert repr(ours) == repr(ref)
    ours.load_state_dict(ref.state_dict())  # strict: e3nn's `mul` keys are accepted
    x = ours.irreps_in.randn(7, -1, requires_grad=True)
    y, y_ref = ours(x), ref(x)
    torch.testing.assert_close(y, y_ref, atol=tol, rtol=tol)
    (g,) = torch.autograd.grad(y.pow(2).sum(), x)
    (g_ref,) = torch.autograd.grad(y_ref.pow(2).sum(), x)
    torch.testing.assert_close(g, g_ref, atol=10 * tol, rtol=10 * tol)


def test_gate_irreps_and_definition(dtype, tol):
    gate = Gate("1x0e", [torch.relu], "1x0o", [torch.tanh], "1x1e")
    assert gate.irreps_in == Irreps("1x0o + 1x0e + 1x1e")  # sorted: 0o < 0e < 1e
    assert gate.irreps_out == Irreps("1x0e + 1x1o")  # odd gate flips the vector's parity
    x = torch.tensor([0.3, -2.0, 1.0, 2.0, 3.0])  # gate, scalar, vector
    y = gate(x)
    relu_c = gate.act_scalars.acts[0].cst
    tanh_c = gate.act_gates.acts[0].cst
    torch.testing.assert_close(y[0], torch.tensor(0.0))
    torch.testing.assert_close(y[1:], torch.tanh(torch.tensor(0.3)) * tanh_c * x[2:], atol=tol, rtol=tol)
    assert relu_c == pytest.approx(2**0.5, rel=1e-2)


def test_gate_batch_shapes():
    gate = Gate("2x0e", [silu], "2x0e", [torch.sigmoid], "1x1o + 1x2e")
    x = gate.irreps_in.randn(3, 4, -1)
    assert gate(x).shape == (3, 4, gate.irreps_out.dim)
    torch.testing.assert_close(gate(x)[1, 2], gate(x[1, 2]))


@pytest.mark.parametrize("case", CASES[:3])
def test_gate_equivariant(dtype, case):
    assert_equivariant(Gate(*case))


def test_gate_compiles_fullgraph():
    gate = Gate("4x0e + 2x0o", [silu, torch.tanh], "3x0e + 2x0o", [torch.sigmoid, torch.abs], "2x1o + 1x2e + 2x1e")
    x = gate.irreps_in.randn(5, -1)
    compiled = torch.compile(gate, fullgraph=True, backend="aot_eager")
    torch.testing.assert_close(compiled(x), gate(x))


def test_sortcut_matches_e3nn(dtype):
    ours = _Sortcut("2x0e + 1x1o", "1x0o + 1x0e", "1x1o + 2x2e")
    ref = e3nn_gate._Sortcut("2x0e + 1x1o", "1x0o + 1x0e", "1x1o + 2x2e")
    assert str(ours.irreps_in) == str(ref.irreps_in)
    x = ours.irreps_in.randn(3, -1)
    for a, b in zip(ours(x), ref(x)):
        assert torch.equal(a, b)


def test_gate_errors():
    with pytest.raises(ValueError, match="1x1o"):
        Gate("2x0e", [silu], "1x1o", [torch.tanh], "1x1o")
    with pytest.raises(ValueError, match="1x1e"):
        Gate("1x1e", [silu], "1x0e", [torch.tanh], "1x1o")
    with pytest.raises(ValueError, match="3 irreps"):
        Gate("2x0e", [silu], "2x0e", [torch.tanh], "3x1o")
    with pytest.raises(ValueError, match="sigmoid"):
        Gate("", [], "1x0o", [torch.sigmoid], "1x1o")  # odd gate, activation neither even nor odd
    gate = Gate("2x0e", [silu], "2x0e", [torch.tanh], "2x1o")
    with pytest.raises(ValueError, match="9"):
        gate(torch.randn(3, 9))
