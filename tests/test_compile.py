"""torch.compile: the Network (with a precomputed graph), Linear and tensor products trace
as one graph (``fullgraph=True``, so any graph break fails) and give the eager numbers
and gradients. ``aot_eager`` traces the backward too without compiling kernels (fast);
the speed of the inductor backend is measured in ``benchmarks/``, not here."""

import pytest
import torch

from curienn import nn
from curienn.models import Network
from curienn.o3 import Irreps


def _check(module, inputs, atol):
    """Compiled and eager outputs and gradients (inputs and parameters) agree."""
    compiled = torch.compile(module, fullgraph=True, backend="aot_eager")
    results = []
    for fn in (module, compiled):
        xs = [x.detach().clone().requires_grad_(x.is_floating_point()) for x in inputs]
        module.zero_grad(set_to_none=True)
        out = fn(*xs)
        out.pow(2).sum().backward()
        results.append((out.detach(), [x.grad for x in xs if x.is_floating_point()],
                        [p.grad.clone() for p in module.parameters() if p.grad is not None]))
    (o1, gx1, gp1), (o2, gx2, gp2) = results
    torch.testing.assert_close(o2, o1, atol=atol, rtol=0)
    assert len(gp1) == len(gp2) and len(gx1) == len(gx2)
    for a, b in zip(gx1 + gp1, gx2 + gp2):
        torch.testing.assert_close(b, a, atol=atol * 10, rtol=1e-4)


def test_compile_linear(dtype):
    irreps = Irreps("4x0e+3x1o+2x2e")
    lin = nn.Linear(irreps, "3x0e+2x1o+2x2e", biases=True)
    _check(lin, [irreps.randn(6, -1)], atol={torch.float32: 1e-5, torch.float64: 1e-12}[dtype])


def test_compile_tensor_products():
    ir = Irreps("3x0e+2x1o")
    fctp = nn.FullyConnectedTensorProduct(ir, "0e+1o+2e", "2x0e+2x1o+1x2e")
    _check(fctp, [ir.randn(6, -1), Irreps("0e+1o+2e").randn(6, -1)], atol=1e-5)
    uvu = nn.TensorProduct(ir, "0e+1o", "3x0e+2x1o+3x1o+2x0e",
                           [(0, 0, 0, "uvu", True), (1, 0, 1, "uvu", True), (0, 1, 2, "uvu", True),
                            (1, 1, 3, "uvu", True)], shared_weights=False)
    _check(uvu, [ir.randn(6, -1), Irreps("0e+1o").randn(6, -1), torch.randn(6, uvu.weight_numel)], atol=1e-5)


@pytest.mark.parametrize("given", ["edge_vec", "edges"])
def test_compile_network_precomputed_graph(given):
    """The Network compiles as one graph when the neighbour search is done outside (the
    search itself has data-dependent sizes): with the edge vectors, or with the edges
    only (vectors, pairs of reversed edges and shared radial weights computed inside)."""
    net = Network(irreps_in="2x0e+1x1o", irreps_hidden="3x0e+2x0o+2x1e+2x1o", irreps_out="1x0e+1x1o",
                  irreps_node_attr="2x0e", irreps_edge_attr="0e+1o+2e", layers=1, max_radius=1.8,
                  number_of_basis=4, radial_layers=1, radial_neurons=8, num_neighbors=3.0, num_nodes=8.0)
    n = 8
    data = {"pos": torch.randn(n, 3), "x": Irreps("2x0e+1x1o").randn(n, -1), "z": torch.randn(n, 2)}
    graph = net.build_graph(data)
    keys = ["edge_src", "edge_dst"] + (["edge_vec"] if given == "edge_vec" else [])

    class WithGraph(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x, pos=data["pos"]):
            return self.net({**data, "pos": pos, "x": x, **{k: graph[k] for k in keys}})

    # with given vectors the positions do not enter: differentiate with respect to x only
    _check(WithGraph(), [data["x"]] + ([data["pos"]] if given == "edges" else []), atol=1e-5)
