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

``--compare-network`` would train curienn's E(3)-equivariant point-convolution
``Network`` on the same split (forces as ``1o`` outputs, and as the negative
gradient of a learned energy) for the comparison table; it runs only when
``curienn.models.Network`` exists.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import torch


def _compare_network(data, minutes: float) -> dict:
    """Hook for the E(3) ``Network`` comparison (issue #7); see the module docstring."""
    import curienn.models

    if not hasattr(curienn.models, "Network"):
        return {"status": "curienn.models.Network is not available in this build"}
    return {"status": "curienn.models.Network exists, but the comparison is not implemented yet"}


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
    p.add_argument("--compare-network", action="store_true")
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
        summary["network_comparison"] = _compare_network(data, args.minutes)

    print(f"\n{'quantity':<34} {'value':>12}")
    for key, unit in (("test_rmse", "eV/Å"), ("md_region_rmse", "eV/Å"), ("md_region_force_std", "eV/Å"),
                      ("dataset_force_std", "eV/Å"), ("train_seconds", "s"),
                      ("position_rmsd_1000", "Å"), ("position_rmsd_4000", "Å"),
                      ("energy_rmsd_1000", "eV"), ("energy_rmsd_4000", "eV")):
        if key in summary:
            print(f"{key + ' (' + unit + ')':<34} {summary[key]:>12.5g}")
    print(f"{'paper test RMSE (eV/Å)':<34} {0.00118:>12.5g}")
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
