"""Benchmark: curienn's gate-points Network against e3nn's gate_points_2101.Network.

1,000 random points (about 12 neighbours each), the talk's irreps
(``3x0e+2x1o`` in, ``5x0e+5x0o+5x1e+5x1o`` hidden, ``2x0o+2x1o+2x2e`` out,
``10x0e`` node attributes, edge spherical harmonics lmax 3, 3 layers,
10 radial basis functions, 2 radial layers of 100 neurons), float32, 2 threads.

Both networks get the same weights (and are checked to agree), then are timed on
forward and forward+backward (gradients of the parameters and positions), each
including its own radius-graph search. Construction times are also reported.

Prints a table and a last line of JSON with the ratios (e3nn time / ours).

    python benchmarks/network.py [--points 1000] [--repeat 10]
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from _timing import median_time as _median_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--neighbors", type=float, default=12.0)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(0)

    # construction (first = cold caches, second = warm)
    t = time.perf_counter()
    from curienn.models import Network, load_e3nn_network_state_dict
    from curienn.o3 import Irreps
    t_import_ours = time.perf_counter() - t
    t = time.perf_counter()
    from e3nn import o3
    from e3nn.nn.models.gate_points_2101 import Network as E3nnNetwork
    t_import_e3nn = time.perf_counter() - t

    r_max = 2.0
    # uniform points in a cube with density giving ~`neighbors` within r_max
    side = (args.points * 4 / 3 * torch.pi * r_max**3 / args.neighbors) ** (1 / 3)
    kw = dict(
        irreps_in="3x0e+2x1o",
        irreps_hidden="5x0e+5x0o+5x1e+5x1o",
        irreps_out="2x0o+2x1o+2x2e",
        irreps_node_attr="10x0e",
        irreps_edge_attr=str(o3.Irreps.spherical_harmonics(3)),
        layers=3,
        max_radius=r_max,
        number_of_basis=10,
        radial_layers=2,
        radial_neurons=100,
        num_neighbors=args.neighbors,
        num_nodes=args.points,
        reduce_output=True,
    )
    t = time.perf_counter()
    ours = Network(**kw)
    t_build_ours = time.perf_counter() - t
    t = time.perf_counter()
    theirs = E3nnNetwork(**kw)
    t_build_e3nn = time.perf_counter() - t
    t = time.perf_counter()
    Network(**kw)
    t_build_ours2 = time.perf_counter() - t
    t = time.perf_counter()
    E3nnNetwork(**kw)
    t_build_e3nn2 = time.perf_counter() - t
    load_e3nn_network_state_dict(ours, theirs.state_dict())

    n = args.points
    from curienn.io import radius_graph

    # uniform points in a cube, its side tuned so the mean degree is ~neighbors
    # (the faces thin out the neighbourhoods)
    u = torch.rand(n, 3)
    for _ in range(3):
        degree = radius_graph(u * side, r_max).shape[1] / n
        side *= (degree / args.neighbors) ** (1 / 3)
    pos = u * side
    data = {
        "pos": pos,
        "x": Irreps(kw["irreps_in"]).randn(n, -1),
        "z": torch.nn.functional.one_hot(torch.randint(0, 10, (n,)), 10).float(),
    }
    n_edges = radius_graph(pos, r_max).shape[1]

    # correctness check on the same graph: e3nn's radius_graph uses torch.cdist,
    # whose matmul formula (> 25 points) leaves ~1e-7 on the diagonal, so it keeps
    # some self-edges at random; check against e3nn with an exact graph
    import e3nn.nn.models.gate_points_2101 as gp

    e3nn_radius_graph = gp.radius_graph
    gp.radius_graph = lambda p, r, b: radius_graph(p, r, b)
    with torch.no_grad():
        a, b = ours(data), theirs(data)
    gp.radius_graph = e3nn_radius_graph
    rel = float((a - b).abs().max() / b.abs().max())

    def fwd(net):
        def f():
            with torch.no_grad():
                net(data)
        return f

    def fwd_bwd(net):
        def f():
            p = data["pos"].clone().requires_grad_()
            out = net({**data, "pos": p})
            out.pow(2).sum().backward()
            net.zero_grad(set_to_none=True)
        return f

    rows = []
    results = {}
    for name, f_ours, f_e3nn in [
        ("forward", fwd(ours), fwd(theirs)),
        ("forward+backward", fwd_bwd(ours), fwd_bwd(theirs)),
    ]:
        # interleave to share the noise of the machine
        t_o, t_e = [], []
        for _ in range(3):
            t_o.append(_median_time(f_ours, max(1, args.repeat // 3), warmup=1))
            t_e.append(_median_time(f_e3nn, max(1, args.repeat // 3), warmup=1))
        to, te = min(t_o), min(t_e)
        rows.append((name, to, te))
        results[name] = te / to
    rows.append(("construction (cold)", t_build_ours, t_build_e3nn))
    rows.append(("construction (warm)", t_build_ours2, t_build_e3nn2))
    rows.append(("import", t_import_ours, t_import_e3nn))

    print(f"Network benchmark: {n} points, {n_edges} edges ({n_edges / n:.1f} neighbours/point), "
          f"float32, {args.threads} threads; max |ours - e3nn| / max |e3nn| = {rel:.2e}")
    print(f"{'':24s}{'curienn':>12s}{'e3nn':>12s}{'e3nn/ours':>12s}")
    for name, to, te in rows:
        print(f"{name:24s}{to * 1e3:10.1f}ms{te * 1e3:10.1f}ms{te / to:12.2f}")
    print(json.dumps({
        "benchmark": "network",
        "points": n,
        "edges": n_edges,
        "ratio_forward": round(results["forward"], 3),
        "ratio_forward_backward": round(results["forward+backward"], 3),
        "construction_s": round(t_build_ours, 4),
        "construction_e3nn_s": round(t_build_e3nn, 4),
        "ratio_construction": round(t_build_e3nn / t_build_ours, 3),
        "max_rel_diff": rel,
    }))


if __name__ == "__main__":
    main()
