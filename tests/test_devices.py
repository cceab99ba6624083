"""Device readiness: every nn and models module moved to another device runs there.

The ``meta`` device (shapes and dtypes only, no data) stands in for a GPU: a module
that creates a CPU tensor in ``forward`` (``torch.tensor(...)`` without ``device``, a
constant kept as a plain attribute) fails on it with "expected all tensors to be on the
same device". On a machine with CUDA or MPS the same modules also run there and give
the CPU numbers.
"""

import pytest
import torch

from curienn import nn
from curienn.models import Convolution, Network
from curienn.models.unitary import (
    IdentityActivation,
    NormGate,
    SoftsignResidual,
    UnitaryLinear,
    UnitaryNetwork,
    VectorDescriptor,
    VectorLeakyReLU,
)
from curienn.o3 import Irreps, SphericalHarmonics

IRREPS = Irreps("4x0e+2x0o+3x1o+2x1e+2x2e")


def _cases():
    """(name, module factory, input factory) for every module; inputs built on ``device``."""
    ir = IRREPS

    def irreps_input(irreps, n=5):
        return lambda device: (irreps.randn(n, -1).to(device),)

    def two(irreps1, irreps2, n=5):
        return lambda device: (irreps1.randn(n, -1).to(device), irreps2.randn(n, -1).to(device))

    sh = Irreps("0e+1o+2e")
    per_sample = nn.FullyConnectedTensorProduct(ir, sh, ir, shared_weights=False)
    uvu = nn.TensorProduct("3x0e+2x1o", "0e+1o", "3x0e+2x1o+3x1o+2x0e+2x1e",
                           [(0, 0, 0, "uvu", True), (1, 0, 1, "uvu", True), (0, 1, 2, "uvu", True),
                            (1, 1, 3, "uvu", True), (1, 1, 4, "uvu", True)], shared_weights=False)
    gate = nn.Gate("4x0e+2x0o", [torch.tanh, torch.tanh], "3x0e+2x0e", [torch.sigmoid, torch.sigmoid], "3x1o+2x2e")
    conv_kw = dict(irreps_in="3x0e+2x1o", irreps_node_attr="2x0e", irreps_edge_attr="0e+1o+2e",
                   irreps_out="4x0e+2x1o+1x2e", number_of_basis=4, radial_layers=1, radial_neurons=8,
                   num_neighbors=3.0)
    net_kw = dict(irreps_in="3x0e+2x1o", irreps_hidden="5x0e+5x0o+5x1e+5x1o", irreps_out="2x0o+2x1o+2x2e",
                  irreps_node_attr="2x0e", irreps_edge_attr="0e+1o+2e+3o", layers=2, max_radius=1.6,
                  number_of_basis=6, radial_layers=1, radial_neurons=16, num_neighbors=4.0, num_nodes=6.0,
                  reduce_output=False)

    def conv_input(device):
        n, e = 6, 10
        g = torch.Generator().manual_seed(0)
        return (Irreps("3x0e+2x1o").randn(n, -1).to(device), torch.randn(n, 2).to(device),
                torch.randint(0, n, (e,), generator=g).to(device), torch.randint(0, n, (e,), generator=g).to(device),
                Irreps("0e+1o+2e").randn(e, -1).to(device), torch.randn(e, 4).to(device))

    def net_input(device):
        n, e = 6, 12
        g = torch.Generator().manual_seed(0)
        return ({"pos": torch.randn(n, 3).to(device), "x": Irreps("3x0e+2x1o").randn(n, -1).to(device),
                 "z": torch.randn(n, 2).to(device),
                 "edge_src": torch.randint(0, n, (e,), generator=g).to(device),
                 "edge_dst": torch.randint(0, n, (e,), generator=g).to(device),
                 "edge_vec": torch.randn(e, 3).to(device)},)

    return [
        ("TensorProduct uvu per-sample", lambda: uvu,
         lambda d: (Irreps("3x0e+2x1o").randn(5, -1).to(d), Irreps("0e+1o").randn(5, -1).to(d),
                    torch.randn(5, uvu.weight_numel).to(d))),
        ("FullyConnectedTensorProduct", lambda: nn.FullyConnectedTensorProduct(ir, sh, ir), two(ir, sh)),
        ("FullyConnectedTensorProduct per-sample", lambda: per_sample,
         lambda d: two(ir, sh)(d) + (torch.randn(5, per_sample.weight_numel).to(d),)),
        ("FullTensorProduct", lambda: nn.FullTensorProduct("2x0e+1o", "1o+2e"),
         two(Irreps("2x0e+1o"), Irreps("1o+2e"))),
        ("ElementwiseTensorProduct", lambda: nn.ElementwiseTensorProduct("2x0e+1o", "3x1o"),
         two(Irreps("2x0e+1o"), Irreps("3x1o"))),
        ("TensorSquare", lambda: nn.TensorSquare("2x0e+2x1o"), irreps_input(Irreps("2x0e+2x1o"))),
        ("TensorSquare weighted", lambda: nn.TensorSquare("2x0e+2x1o", "3x0e+2x1o+1x2e"),
         irreps_input(Irreps("2x0e+2x1o"))),
        ("Linear", lambda: nn.Linear(ir, "5x0e+3x1o+2x2e", biases=True), irreps_input(ir)),
        ("Linear f_in", lambda: nn.Linear(ir, "5x0e+3x1o", f_in=2, f_out=3),
         lambda d: (ir.randn(5, 2, -1).to(d),)),
        ("Norm", lambda: nn.Norm(ir), irreps_input(ir)),
        ("Activation", lambda: nn.Activation("4x0e+2x0o", [torch.tanh, torch.abs]),
         irreps_input(Irreps("4x0e+2x0o"))),
        ("NormActivation", lambda: nn.NormActivation(ir, torch.sigmoid), irreps_input(ir)),
        ("Gate", lambda: gate, irreps_input(gate.irreps_in)),
        ("FullyConnectedNet", lambda: nn.FullyConnectedNet([4, 8, 3], torch.nn.functional.silu),
         lambda d: (torch.randn(5, 4).to(d),)),
        ("BatchNorm", lambda: nn.BatchNorm(ir), irreps_input(ir)),
        ("Extract", lambda: nn.Extract(ir, ["3x1o", "2x2e"], [(2,), (4,)]), irreps_input(ir)),
        ("Identity", lambda: nn.Identity(ir, ir), irreps_input(ir)),
        ("Dropout", lambda: nn.Dropout(ir, 0.5), irreps_input(ir)),
        ("SphericalHarmonics", lambda: SphericalHarmonics("0e+1o+2e+3o", True), lambda d: (torch.randn(5, 3).to(d),)),
        ("Convolution", lambda: Convolution(**conv_kw), conv_input),
        ("Network", lambda: Network(**net_kw), net_input),
        ("UnitaryLinear", lambda: UnitaryLinear(3, 4), lambda d: (torch.randn(2, 3, 3).to(d),)),
        ("UnitaryNetwork", lambda: UnitaryNetwork([3, 4, 1]), lambda d: (torch.randn(2, 3, 3).to(d),)),
        ("SoftsignResidual", lambda: SoftsignResidual(), lambda d: (torch.randn(2, 3, 4).to(d),)),
        ("NormGate", lambda: NormGate(torch.tanh), lambda d: (torch.randn(2, 3, 4).to(d),)),
        ("VectorLeakyReLU", lambda: VectorLeakyReLU(), lambda d: (torch.randn(2, 3, 4).to(d),)),
        ("IdentityActivation", lambda: IdentityActivation(), lambda d: (torch.randn(2, 3, 4).to(d),)),
        ("VectorDescriptor", lambda: VectorDescriptor([1.0, 2.0], 1.0, 3.0), lambda d: (torch.randn(2, 5, 3).to(d),)),
    ]


CASES = _cases()
DEVICES = ["meta"] + (["cuda"] if torch.cuda.is_available() else []) + (
    ["mps"] if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available() else [])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_module_runs_on_device(case, device):
    _, make, inputs = case
    module = make().eval()
    torch.manual_seed(0)
    with torch.no_grad():
        ref = module(*inputs("cpu"))
    moved = module.to(device)
    assert all(t.device.type == device for t in list(moved.parameters()) + list(moved.buffers()))
    with torch.no_grad():
        out = moved(*inputs(device))
    outs, refs = (out, ref) if isinstance(out, tuple) else ((out,), (ref,))
    for o, r in zip(outs, refs):
        assert o.device.type == device and o.dtype == r.dtype and o.shape == r.shape
        if device != "meta":
            torch.testing.assert_close(o.cpu(), r, rtol=1e-4, atol=1e-5)
