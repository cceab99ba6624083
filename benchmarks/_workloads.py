"""Workloads of ``benchmarks/performance.py``: curienn and e3nn 0.6.0 built with the same
weights on the same inputs, each as zero-argument callables per mode, with a count of the
useful floating-point operations (the minimal work of the algorithm, the same for both
libraries) and the largest relative difference of the two outputs."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

import torch

Modes = Dict[str, Tuple[Callable[[], None], Callable[[], None]]]


@dataclass
class Workload:
    name: str
    modes: Modes  # mode -> (curienn, e3nn)
    flops: Dict[str, float] = field(default_factory=dict)  # mode -> useful FLOPs (0: not counted)
    rel_diff: float = float("nan")  # max |curienn - e3nn| / max |e3nn|
    info: str = ""
    compiled: Optional[Callable[[], Tuple[Callable[[], None], float]]] = None  # -> (fwd+bwd, first call s)
    e3nn_jit: Optional[Callable[[], Dict[str, Callable[[], None]]]] = None  # mode -> e3nn under TorchScript


def e3nn_scripted(module: torch.nn.Module) -> torch.nn.Module:
    """A copy of an e3nn module in e3nn's compiled mode (``e3nn.util.jit.compile``:
    TorchScript of every submodule that declares a compile mode); the eager original is kept."""
    import copy

    from e3nn.util.jit import compile as jit_compile

    return jit_compile(copy.deepcopy(module))


def _modes(builders: Dict[str, Callable], ours, theirs) -> Tuple[Modes, Callable[[], Dict[str, Callable[[], None]]]]:
    """``builders``: mode -> (module -> zero-argument call). Returns the (curienn, e3nn)
    calls per mode, and a function giving the same calls on e3nn's compiled copy."""
    modes = {mode: (build(ours), build(theirs)) for mode, build in builders.items()}

    def e3nn_jit() -> Dict[str, Callable[[], None]]:
        scripted = e3nn_scripted(theirs)
        return {mode: build(scripted) for mode, build in builders.items()}

    return modes, e3nn_jit


def _rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


def _cg_nnz(l1: int, l2: int, l3: int) -> int:
    from curienn.o3 import wigner_3j

    return int((wigner_3j(l1, l2, l3, dtype=torch.float64).abs() > 1e-12).sum())


def uvu_flops(tp) -> float:
    """Useful FLOPs per sample of a ``uvu`` tensor product with per-sample weights:
    ``2 nnz(C) u`` for the Clebsch-Gordan contraction and ``u (2l_out+1)`` for the weights."""
    total = 0
    for ins in tp.instructions:
        (u, ir1), (_, ir2), (_, ir3) = tp.irreps_in1[ins.i_in1], tp.irreps_in2[ins.i_in2], tp.irreps_out[ins.i_out]
        total += 2 * _cg_nnz(ir1.l, ir2.l, ir3.l) * u + u * ir3.dim
    return float(total)


def scalar_fctp_flops(tp) -> float:
    """FLOPs per sample of a fully connected product with ``0e`` second input: ``2 u v w (2l+1)``."""
    return float(sum(2 * tp.irreps_in1[i.i_in1].mul * tp.irreps_in2[i.i_in2].mul * tp.irreps_out[i.i_out].mul
                     * tp.irreps_out[i.i_out].ir.dim for i in tp.instructions))


def linear_flops(lin) -> float:
    return float(sum(2 * lin.irreps_in[i.i_in].mul * lin.irreps_out[i.i_out].mul * lin.irreps_out[i.i_out].ir.dim
                     for i in lin.instructions if i.i_in >= 0))


# ----------------------------------------------------------------------------- networks

def _points(n: int, neighbors: float, r_max: float, gen: torch.Generator) -> torch.Tensor:
    """Uniform points in a cube whose side gives about ``neighbors`` within ``r_max``."""
    from curienn.io import radius_graph

    side = (n * 4 / 3 * math.pi * r_max**3 / neighbors) ** (1 / 3)
    u = torch.rand(n, 3, generator=gen, dtype=torch.float64)
    for _ in range(3):  # the faces thin out the neighbourhoods: tune the side
        degree = radius_graph(u * side, r_max).shape[1] / n
        side *= (degree / neighbors) ** (1 / 3)
    return u * side


def network_kwargs(size: str, n: int, mul: int = 32, lmax: int = 2) -> dict:
    from curienn.o3 import Irreps

    if size == "talk":  # the talk's gate_points_2101 example
        return dict(irreps_in="3x0e+2x1o", irreps_hidden="5x0e+5x0o+5x1e+5x1o", irreps_out="2x0o+2x1o+2x2e",
                    irreps_node_attr="10x0e", irreps_edge_attr="0e+1o+2e+3o", layers=3, max_radius=2.0,
                    number_of_basis=10, radial_layers=2, radial_neurons=100, num_neighbors=12.0, num_nodes=n)
    # NequIP / MACE size: species one-hot, mul x (0e + 1o + 2e) features, an energy per structure
    return dict(irreps_in=None, irreps_hidden=f"{mul}x0e+{mul}x1o+{mul}x2e", irreps_out="1x0e",
                irreps_node_attr="4x0e", irreps_edge_attr=str(Irreps.spherical_harmonics(lmax)), layers=3,
                max_radius=2.0, number_of_basis=8, radial_layers=1, radial_neurons=64, num_neighbors=30.0,
                num_nodes=n)


def network_flops(net, n_nodes: int, n_edges: int, n_pairs: int) -> float:
    """Useful forward FLOPs: radial MLPs (one per distinct length), the node products
    ``sc``, ``lin1``, ``lin2`` and the edge tensor products with their sums."""
    total = 0.0
    for layer in net.layers:
        conv = layer.first if hasattr(layer, "first") else layer
        hs = conv.fc.hs
        total += n_pairs * sum(2 * a * b for a, b in zip(hs, hs[1:]))
        total += n_nodes * sum(scalar_fctp_flops(m) for m in (conv.sc, conv.lin1, conv.lin2))
        total += n_edges * (uvu_flops(conv.tp) + conv.tp.irreps_out.dim)
    return total


def network(size: str, n: int, dtype: torch.dtype, mul: int = 32, lmax: int = 2, seed: int = 0) -> Workload:
    import e3nn.nn.models.gate_points_2101 as gp

    from curienn.io import radius_graph
    from curienn.models import Network, load_e3nn_network_state_dict
    from curienn.o3 import Irreps

    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    kw = network_kwargs(size, n, mul, lmax)
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        theirs = gp.Network(**kw)
        ours = Network(**kw)
    finally:
        torch.set_default_dtype(old)
    load_e3nn_network_state_dict(ours, theirs.state_dict())
    # the same exact graph for both (e3nn's own search keeps cdist's rounding self-edges)
    gp.radius_graph = lambda pos, r, batch: radius_graph(pos, r, batch)
    pos = _points(n, kw["num_neighbors"], kw["max_radius"], gen).to(dtype)
    data = {"pos": pos, "z": torch.nn.functional.one_hot(torch.randint(0, Irreps(kw["irreps_node_attr"]).dim, (n,),
                                                                        generator=gen)).to(dtype)}
    if kw["irreps_in"] is not None:
        data["x"] = torch.randn(n, Irreps(kw["irreps_in"]).dim, generator=gen, dtype=dtype)
    graph = ours.build_graph(data)
    n_edges, n_pairs = graph["edge_src"].shape[0], int(graph["pair_representative"].shape[0])
    with torch.no_grad():
        rel = _rel(ours(data), theirs(data))

    def fwd(net):
        def f():
            with torch.no_grad():
                net(data)
        return f

    def fwd_bwd(net):
        def f():
            p = pos.clone().requires_grad_()
            net({**data, "pos": p}).pow(2).sum().backward()
            net.zero_grad(set_to_none=True)
        return f

    def force(net):  # training on forces: d/dW of a loss on -dE/dpos
        def f():
            p = pos.clone().requires_grad_()
            energy = net({**data, "pos": p}).pow(2).sum()
            grad, = torch.autograd.grad(energy, p, create_graph=True)
            (grad.pow(2).sum() + energy).backward()
            net.zero_grad(set_to_none=True)
        return f

    def compiled():
        f = fwd_bwd(torch.compile(ours))
        t = time.perf_counter()
        f()
        return f, time.perf_counter() - t

    fl = network_flops(ours, n, n_edges, n_pairs)
    label = "talk" if size == "talk" else f"{mul}x(0e+1o+2e) lmax{lmax}"
    modes, e3nn_jit = _modes({"fwd": fwd, "fwd+bwd": fwd_bwd, "force": force}, ours, theirs)
    return Workload(f"Network {label} N={n} E={n_edges}", modes,
                    {"fwd": fl, "fwd+bwd": 3 * fl, "force": 5 * fl}, rel,
                    info=f"{n_edges / n:.1f} neighbours/node", compiled=compiled, e3nn_jit=e3nn_jit)


# ----------------------------------------------------------------------------- convolution, TP

def convolution(mul: int, lmax: int, n_nodes: int, n_edges: int, dtype: torch.dtype, seed: int = 0) -> Workload:
    """One point convolution (e3nn's ``gate_points_2101.Convolution``): radial MLP, the node
    products ``sc``/``lin1``/``lin2`` and, dominant, the per-edge-weight ``uvu`` tensor product
    from gather to scatter; species one-hot node attributes, e3nn's layout in and out."""
    import e3nn.nn.models.gate_points_2101 as gp

    from curienn.models import Convolution, load_e3nn_network_state_dict
    from curienn.o3 import Irreps, spherical_harmonics

    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    irreps = Irreps(f"{mul}x0e+{mul}x1o+{mul}x2e")
    sh = Irreps.spherical_harmonics(lmax)
    args = (irreps, "4x0e", sh, f"{mul}x0e+{mul}x1o+{mul}x2e", 8, 1, 64, 30.0)
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        theirs, ours = gp.Convolution(*args), Convolution(*args)
    finally:
        torch.set_default_dtype(old)
    load_e3nn_network_state_dict(ours, theirs.state_dict())
    x = torch.randn(n_nodes, irreps.dim, generator=gen, dtype=dtype)
    z = torch.nn.functional.one_hot(torch.randint(0, 4, (n_nodes,), generator=gen), 4).to(dtype)
    src = torch.randint(0, n_nodes, (n_edges,), generator=gen)
    dst = torch.sort(torch.randint(0, n_nodes, (n_edges,), generator=gen))[0]
    vec = torch.randn(n_edges, 3, generator=gen, dtype=dtype)
    y = spherical_harmonics(sh, vec, True, normalization="component")
    emb = torch.rand(n_edges, 8, generator=gen, dtype=dtype)
    with torch.no_grad():
        rel = _rel(ours(x, z, src, dst, y, emb), theirs(x, z, src, dst, y, emb))

    def fwd(m):
        def f():
            with torch.no_grad():
                m(x, z, src, dst, y, emb)
        return f

    def fwd_bwd(m):
        def f():
            xx, yy = x.clone().requires_grad_(), y.clone().requires_grad_()
            m(xx, z, src, dst, yy, emb).pow(2).sum().backward()
            m.zero_grad(set_to_none=True)
        return f

    hs = ours.fc.hs
    fl = (n_edges * (sum(2 * a * b for a, b in zip(hs, hs[1:])) + uvu_flops(ours.tp) + ours.tp.irreps_out.dim)
          + n_nodes * sum(scalar_fctp_flops(m) for m in (ours.sc, ours.lin1, ours.lin2)))
    modes, e3nn_jit = _modes({"fwd": fwd, "fwd+bwd": fwd_bwd}, ours, theirs)
    return Workload(f"Convolution {mul}x(0e+1o+2e) Y(lmax{lmax}) E={n_edges}", modes,
                    {"fwd": fl, "fwd+bwd": 3 * fl}, rel, info="gather, per-edge-weight TP, scatter",
                    e3nn_jit=e3nn_jit)


def per_sample_tp(mul: int, lmax: int, batch: int, dtype: torch.dtype, seed: int = 0) -> Workload:
    """The public ``TensorProduct`` of the convolution (``uvu``, per-sample weights), alone."""
    import e3nn.o3 as e3o

    from curienn.models import Convolution

    gen = torch.Generator().manual_seed(seed)
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        tp = Convolution(f"{mul}x0e+{mul}x1o+{mul}x2e", "1x0e", e3o.Irreps.spherical_harmonics(lmax),
                         f"{mul}x0e+{mul}x1o+{mul}x2e", 8, 1, 8, 30.0).tp
        theirs = e3o.TensorProduct(tp.irreps_in1, tp.irreps_in2, tp.irreps_out,
                                   [tuple(i[:5]) for i in tp.instructions], shared_weights=False,
                                   internal_weights=False)
    finally:
        torch.set_default_dtype(old)
    x = torch.randn(batch, tp.irreps_in1.dim, generator=gen, dtype=dtype)
    y = torch.randn(batch, tp.irreps_in2.dim, generator=gen, dtype=dtype)
    w = torch.randn(batch, tp.weight_numel, generator=gen, dtype=dtype)
    with torch.no_grad():
        rel = _rel(tp(x, y, w), theirs(x, y, w))

    def fwd(m):
        def f():
            with torch.no_grad():
                m(x, y, w)
        return f

    def fwd_bwd(m):
        def f():
            xx, yy, ww = (t.clone().requires_grad_() for t in (x, y, w))
            m(xx, yy, ww).pow(2).sum().backward()
        return f

    fl = batch * uvu_flops(tp)
    modes, e3nn_jit = _modes({"fwd": fwd, "fwd+bwd": fwd_bwd}, tp, theirs)
    return Workload(f"TensorProduct uvu {mul}x(0e+1o+2e) Y(lmax{lmax}) B={batch}", modes,
                    {"fwd": fl, "fwd+bwd": 3 * fl}, rel, info="per-sample weights, e3nn layout",
                    e3nn_jit=e3nn_jit)


# ----------------------------------------------------------------------------- Linear, SH

def linear(mul: int, batch: int, dtype: torch.dtype, seed: int = 0) -> Workload:
    import e3nn.o3 as e3o

    from curienn.nn import Linear

    gen = torch.Generator().manual_seed(seed)
    irreps = f"{mul}x0e+{mul}x1o+{mul}x2e"
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        ours, theirs = Linear(irreps, irreps), e3o.Linear(irreps, irreps)
    finally:
        torch.set_default_dtype(old)
    with torch.no_grad():
        ours.weight.copy_(theirs.weight)
    x = torch.randn(batch, ours.irreps_in.dim, generator=gen, dtype=dtype)
    with torch.no_grad():
        rel = _rel(ours(x), theirs(x))

    def fwd(m):
        def f():
            with torch.no_grad():
                m(x)
        return f

    def fwd_bwd(m):
        def f():
            xx = x.clone().requires_grad_()
            m(xx).pow(2).sum().backward()
            m.zero_grad(set_to_none=True)
        return f

    fl = batch * linear_flops(ours)
    modes, e3nn_jit = _modes({"fwd": fwd, "fwd+bwd": fwd_bwd}, ours, theirs)
    return Workload(f"Linear {irreps} B={batch}", modes, {"fwd": fl, "fwd+bwd": 3 * fl}, rel,
                    info="e3nn layout in and out", e3nn_jit=e3nn_jit)


def spherical_harmonics(lmax: int, n: int, dtype: torch.dtype, seed: int = 0) -> Workload:
    import e3nn.o3 as e3o

    from curienn.o3 import spherical_harmonics as ours

    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=gen, dtype=dtype)
    ls = list(range(lmax + 1))
    with torch.no_grad():
        rel = _rel(ours(ls, x, True, "component"), e3o.spherical_harmonics(ls, x, True, "component"))

    def fwd(fn):
        def f():
            with torch.no_grad():
                fn(ls, x, True, "component")
        return f

    cotangent = torch.randn(n, (lmax + 1) ** 2, generator=gen, dtype=dtype)

    def fwd_bwd(fn):  # the harmonics and their vector-Jacobian product, nothing else
        def f():
            xx = x.clone().requires_grad_()
            torch.autograd.grad(fn(ls, xx, True, "component"), xx, cotangent)
        return f

    return Workload(f"SH lmax {lmax} N={n}", {"fwd": (fwd(ours), fwd(e3o.spherical_harmonics)),
                                              "fwd+bwd": (fwd_bwd(ours), fwd_bwd(e3o.spherical_harmonics))},
                    {}, rel, info="normalize=True, component")
