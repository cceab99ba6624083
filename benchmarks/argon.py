"""Benchmark: Ma & Chan's unitary-equivariant network on 4-atom LJ argon.

Trains on the paper's dataset (100k configurations, 60/20/20, seeded) for a
wall-time budget, optionally polishes with full-batch L-BFGS, then reports

- test force RMSE (eV/Å) -- the paper reached 0.00118 after 10M FIRE iterations;
- the force RMSE on configurations sampled from the analytic MD trajectories
  ("MD region": forces there are ~16x smaller than the dataset's std);
- the training wall time;
- the MD position / energy RMSD against analytic LJ at 1,000 and 4,000 steps
  (10 samples, 10 K, 1 fs, velocity Verlet).

Prints a table and a last line of JSON. Examples::

    python benchmarks/argon.py --minutes 5                  # a short run
    python benchmarks/argon.py --minutes 60                 # the 1-hour target
    python benchmarks/argon.py --minutes 50 --polish-minutes 10

``--compare-network`` also trains curienn's E(3)-equivariant point-convolution
``Network`` on the same split -- forces as ``1o`` node outputs, and as the
negative gradient of a learned energy -- and prints a table of test force
RMSE, parameters and training time against the unitary network.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import torch


_PAIRS = torch.tensor([(i, j) for i in range(4) for j in range(4) if i != j])  # 12 ordered pairs


def _graph(pos: torch.Tensor) -> dict:
    """A batch of 4-atom configurations ``(B, 4, 3)`` as one fully connected graph dict."""
    b = pos.shape[0]
    base = (4 * torch.arange(b)).repeat_interleave(len(_PAIRS))
    src = base + _PAIRS[:, 0].repeat(b)
    dst = base + _PAIRS[:, 1].repeat(b)
    flat = pos.reshape(-1, 3)
    return {"pos": flat, "batch": torch.arange(b).repeat_interleave(4), "edge_src": src,
            "edge_dst": dst, "edge_vec": flat[src] - flat[dst]}


def _network_forces(net, kind: str, pos: torch.Tensor, create_graph: bool) -> torch.Tensor:
    """Forces ``(B, 4, 3)`` in scaled units: ``1o`` outputs, or ``-dE/dpos``."""
    if kind == "1o":
        return net(_graph(pos)).reshape(pos.shape)
    pos = pos.detach().requires_grad_(True)
    energy = net(_graph(pos)).sum()
    (grad,) = torch.autograd.grad(energy, pos, create_graph=create_graph)
    return -grad


def _compare_network(data, minutes: float, seed: int = 0, batch_size: int = 64,
                     max_radius: float = 20.0, quiet: bool = False) -> dict:
    """Issue #7's comparison: curienn's E(3)-equivariant point-convolution ``Network``
    on the same split, forces as ``1o`` outputs and as ``-dE/dr`` of a learned energy.

    Fully connected 4-atom graphs (all 12 ordered pairs, cut off smoothly at
    ``max_radius``), hidden ``8x0e+8x0o+4x1e+4x1o``, edge SH ``lmax = 2``, 2 gated
    layers, 10 Gaussians, radial MLP [32]; Adam 3e-3 -> 3e-5 over ``minutes`` of
    wall time each, batches of ``batch_size``, MSE on forces scaled by the
    dataset's force scale (positions in Å).
    """
    import math

    import curienn.models

    if not hasattr(curienn.models, "Network"):
        return {"status": "curienn.models.Network is not available in this build"}
    from curienn.models import Network

    out = {}
    ys = data.y_scale
    train_pos, train_f = data.positions[data.train].float(), (data.forces[data.train] / ys).float()
    test_pos, test_f = data.positions[data.test].float(), data.forces[data.test].float()
    for kind in ("1o", "energy"):
        torch.manual_seed(seed)
        net = Network(irreps_in=None, irreps_hidden="8x0e+8x0o+4x1e+4x1o",
                      irreps_out="1o" if kind == "1o" else "0e", irreps_node_attr=None,
                      irreps_edge_attr="0e+1o+2e", layers=2, max_radius=max_radius, number_of_basis=10,
                      radial_layers=1, radial_neurons=32, num_neighbors=3.0, num_nodes=4.0,
                      reduce_output=(kind == "energy"))
        opt = torch.optim.Adam(net.parameters(), lr=3e-3)
        gen = torch.Generator().manual_seed(seed)
        t0, steps = time.perf_counter(), 0
        budget = 60.0 * minutes
        while True:
            frac = min((time.perf_counter() - t0) / budget, 1.0)
            if frac >= 1.0:
                break
            for g in opt.param_groups:
                g["lr"] = 3e-3 * (1e-2) ** frac
            idx = torch.randint(len(train_pos), (batch_size,), generator=gen)
            pred = _network_forces(net, kind, train_pos[idx], create_graph=True)
            loss = (pred - train_f[idx]).square().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
        seconds = time.perf_counter() - t0
        sq, n = 0.0, 0
        for s0 in range(0, len(test_pos), 2000):
            f = _network_forces(net, kind, test_pos[s0:s0 + 2000], create_graph=False).detach() * ys
            sq += float((f - test_f[s0:s0 + 2000]).square().sum())
            n += f.numel()
        out[f"network_{kind}"] = dict(test_rmse=math.sqrt(sq / n), train_seconds=round(seconds, 1),
                                      steps=steps, params=sum(p.numel() for p in net.parameters()))
        if not quiet:
            print(f"Network ({kind}): {out[f'network_{kind}']}")
    return out


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=5.0, help="training wall time (default 5)")
    p.add_argument("--polish-minutes", type=float, default=0.0, help="then full-batch L-BFGS (default 0)")
    p.add_argument("--configs", type=int, default=100_000, help="dataset size (default 100000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--optimizer", choices=("adam", "fire", "lbfgs"), default="adam")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--lr-final", type=float, default=3e-5)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--widths", default="6,50,90,100,80,50,4")
    p.add_argument("--residue", type=float, default=0.01, help="activation residue a")
    p.add_argument("--eval-every", type=int, default=1000)
    p.add_argument("--md-steps", type=int, default=5000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--compile", action="store_true", help="torch.compile the training step")
    p.add_argument("--checkpoint", default=None, help="checkpoint file (resumes if present)")
    p.add_argument("--out", default=None, help="write the JSON summary here too")
    p.add_argument("--compare-network", action="store_true",
                   help="also train curienn's E(3) Network (forces as 1o, and as -dE/dr)")
    p.add_argument("--network-minutes", type=float, default=None,
                   help="training minutes for each Network variant (default: --minutes)")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    from curienn.dynamics import TrainConfig, evaluate_argon, make_argon_dataset, train_argon

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    data = make_argon_dataset(args.configs, seed=args.seed)
    widths = [int(w) for w in args.widths.split(",")]
    cfg = TrainConfig(optimizer=args.optimizer, lr=args.lr, lr_final=args.lr_final,
                      batch_size=args.batch_size, max_seconds=60 * args.minutes, eval_every=args.eval_every,
                      dtype=args.dtype, widths=widths, a=args.residue, seed=args.seed, device=args.device,
                      compile=args.compile)
    res = train_argon(data, cfg, checkpoint=args.checkpoint, progress=not args.quiet)
    history = list(res.history)
    train_seconds = res.seconds
    if args.polish_minutes > 0:
        pol = TrainConfig(optimizer="lbfgs", lr=1.0, lr_final=1.0, batch_size=0,
                          max_seconds=60 * args.polish_minutes, eval_every=5, dtype=args.dtype,
                          widths=widths, a=args.residue, seed=args.seed, device=args.device)
        res2 = train_argon(data, pol, model=res.model, progress=not args.quiet)
        history += [{**h, "step": h["step"] + res.steps, "seconds": h["seconds"] + res.seconds}
                    for h in res2.history]
        train_seconds += res2.seconds
        res = res2
    summary, _, _ = evaluate_argon(res.model, data, args.md_steps)
    summary.update(
        optimizer=args.optimizer, polish_minutes=args.polish_minutes, compile=args.compile,
        dtype=args.dtype, widths=widths,
        batch_size=args.batch_size, lr=args.lr, lr_final=args.lr_final, threads=args.threads,
        train_seconds=round(train_seconds, 1), wall_seconds=round(time.perf_counter() - t0, 1),
        params=sum(p.numel() for p in res.model.parameters()),
        curve=[(h["step"], h["seconds"], h["val_rmse"]) for h in history],
        paper_test_rmse=0.00118,
    )
    if args.compare_network:
        summary["network_comparison"] = _compare_network(
            data, args.network_minutes if args.network_minutes is not None else args.minutes,
            seed=args.seed, quiet=args.quiet)

    print(f"\n{'quantity':<34} {'value':>12}")
    for key, unit in (("test_rmse", "eV/Å"), ("md_region_rmse", "eV/Å"), ("md_region_force_std", "eV/Å"),
                      ("dataset_force_std", "eV/Å"), ("train_seconds", "s"),
                      ("position_rmsd_1000", "Å"), ("position_rmsd_4000", "Å"),
                      ("energy_rmsd_1000", "eV"), ("energy_rmsd_4000", "eV")):
        if key in summary:
            print(f"{key + ' (' + unit + ')':<34} {summary[key]:>12.5g}")
    print(f"{'paper test RMSE (eV/Å)':<34} {0.00118:>12.5g}")
    comp = summary.get("network_comparison", {})
    if "network_1o" in comp:
        print(f"\n{'model':<34} {'test RMSE eV/Å':>14} {'params':>8} {'train s':>8} {'steps':>7}")
        print(f"{'UnitaryNetwork (forces)':<34} {summary['test_rmse']:>14.5g} {summary['params']:>8d} "
              f"{summary['train_seconds']:>8.0f} {summary['curve'][-1][0] if summary['curve'] else 0:>7d}")
        for kind, label in (("1o", "Network (forces as 1o)"), ("energy", "Network (forces = -dE/dr)")):
            r = comp[f"network_{kind}"]
            print(f"{label:<34} {r['test_rmse']:>14.5g} {r['params']:>8d} {r['train_seconds']:>8.0f} "
                  f"{r['steps']:>7d}")
    elif comp:
        print(f"Network comparison: {comp.get('status')}")
    line = json.dumps(summary)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out + ".tmp", "w") as fh:
            fh.write(line)
        os.replace(args.out + ".tmp", args.out)
    print(line)
    return summary


if __name__ == "__main__":
    main()
