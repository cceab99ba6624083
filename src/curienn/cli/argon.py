"""``curienn argon``: Ma & Chan's 4-atom Lennard-Jones argon study with the
unitary-equivariant network -- ``data``, ``train``, ``md`` and ``report``.

``train`` scales out with ``torchrun --nproc_per_node=K -m curienn.cli argon train ...``
(gloo on CPU, nccl on GPU); see ``docs/argon.md``.
"""

from __future__ import annotations

import json
import os
import time

_DEFAULT_DIR = os.path.join("runs", "argon")


def register(sub) -> None:
    p = sub.add_parser("argon", help="LJ argon with the unitary-equivariant network (Ma & Chan)")
    asub = p.add_subparsers(dest="argon_command", metavar="STEP", required=True)

    d = asub.add_parser("data", help="generate the paper's dataset (seeded)")
    _data_args(d)
    d.add_argument("--out", default=os.path.join(_DEFAULT_DIR, "data.pt"))
    d.set_defaults(func=run_data)

    t = asub.add_parser("train", help="train the network (Adam, FIRE or L-BFGS); resumes")
    _data_args(t)
    _train_args(t)
    t.set_defaults(func=run_train)

    m = asub.add_parser("md", help="MD with the trained network against analytic LJ")
    m.add_argument("--checkpoint", default=os.path.join(_DEFAULT_DIR, "model.pt"))
    _md_args(m)
    m.add_argument("--out", default=os.path.join(_DEFAULT_DIR, "md.npz"))
    m.set_defaults(func=run_md)

    r = asub.add_parser("report", help="short end-to-end run: data, train, MD, figures, JSON")
    _data_args(r, n=20000)
    _train_args(r, minutes=1.0)
    _md_args(r)
    r.add_argument("--out", default=os.path.join(_DEFAULT_DIR, "report"))
    r.set_defaults(func=run_report)


def _data_args(p, n: int = 100_000) -> None:
    # not "--n": torchrun's parser would take it for an abbreviation of its own options
    p.add_argument("--configs", type=int, default=n, help=f"configurations (default {n})")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=None, help="dataset file to load (else generated)")


def _train_args(p, minutes: float = 5.0) -> None:
    p.add_argument("--checkpoint", default=os.path.join(_DEFAULT_DIR, "model.pt"))
    p.add_argument("--optimizer", choices=("adam", "fire", "lbfgs"), default="adam")
    p.add_argument("--minutes", type=float, default=minutes, help=f"wall-time budget (default {minutes})")
    p.add_argument("--steps", type=int, default=None, help="step budget (with or instead of --minutes)")
    p.add_argument("--batch-size", type=int, default=256, help="0 for full batch")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--lr-final", type=float, default=3e-5)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--widths", default="6,50,90,100,80,50,4")
    p.add_argument("--residue", type=float, default=0.01, help="activation residue a (default 0.01)")
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--no-resume", action="store_true", help="start afresh even if the checkpoint exists")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads per process (default 1)")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--compile", action="store_true", help="torch.compile the training step")
    p.add_argument("--quiet", action="store_true")


def _md_args(p) -> None:
    p.add_argument("--md-steps", type=int, default=5000)
    p.add_argument("--samples", type=int, default=10)
    p.add_argument("--integrator", choices=("batched", "ase"), default="batched")


def _load_data(args):
    from curienn.dynamics import ArgonData, make_argon_dataset

    if args.data:
        if not os.path.exists(args.data):
            raise FileNotFoundError(f"dataset {args.data!r} does not exist (run `curienn argon data`)")
        return ArgonData.load(args.data)
    return make_argon_dataset(args.configs, seed=args.seed)


def _config(args):
    from curienn.dynamics import TrainConfig

    try:
        widths = [int(w) for w in args.widths.split(",")]
    except ValueError:
        raise ValueError(f"--widths must be comma-separated integers, got {args.widths!r}") from None
    seconds = 60.0 * args.minutes if args.minutes is not None and args.minutes > 0 else None
    if seconds is None and args.steps is None:
        raise ValueError(f"give --minutes > 0 or --steps (got --minutes {args.minutes!r})")
    return TrainConfig(
        optimizer=args.optimizer, lr=args.lr, lr_final=args.lr_final, batch_size=args.batch_size,
        max_steps=args.steps, max_seconds=seconds, eval_every=args.eval_every, dtype=args.dtype, widths=widths,
        a=args.residue, seed=args.seed, device=args.device, compile=args.compile,
    )


def run_data(args) -> int:
    data = _load_data(args)
    data.save(args.out)
    print(f"curienn argon data: {len(data)} configurations -> {args.out} "
          f"(input scale {data.x_scale:.4f} Å, force scale {data.y_scale:.4f} eV/Å)")
    return 0


def run_train(args) -> int:
    import torch

    from curienn.dynamics import force_rmse, init_distributed, train_argon

    torch.set_num_threads(args.threads)
    rank, world = init_distributed()
    data = _load_data(args)
    # every rank resumes from the checkpoint; only rank 0 writes it
    res = train_argon(data, _config(args), checkpoint=args.checkpoint, resume=not args.no_resume,
                      progress=not args.quiet)
    if rank == 0:
        rmse = force_rmse(res.model, data.positions[data.test], data.forces[data.test])
        print(f"curienn argon train: {res.steps} steps in {res.seconds:.0f} s on {world} process(es); "
              f"test force RMSE {rmse:.5f} eV/Å -> {args.checkpoint}")
    return 0


def _write_npz(path, ref, pred):
    import numpy as np

    from curienn.io import atomic_write

    def write(tmp):
        with open(tmp, "wb") as fh:  # a file object: np.savez would append ".npz" to a name
            np.savez_compressed(fh, ref_positions=ref.positions, ref_momenta=ref.momenta,
                                pred_positions=pred.positions, pred_momenta=pred.momenta, masses=ref.masses)

    atomic_write(path, write)


def run_md(args) -> int:
    from curienn.dynamics import (
        PAPER_SEEDS, energy_rmsd, load_model, position_rmsd, run_samples,
    )

    if not os.path.exists(args.checkpoint):
        raise FileNotFoundError(f"checkpoint {args.checkpoint!r} does not exist (run `curienn argon train`)")
    if not 1 <= args.samples <= 10_000:
        raise ValueError(f"--samples must be between 1 and 10000, got {args.samples!r}")
    model = load_model(args.checkpoint)
    seeds = tuple(PAPER_SEEDS[0] + k for k in range(args.samples))
    ref = run_samples(None, args.md_steps, seeds, integrator=args.integrator)
    pred = run_samples(model, args.md_steps, seeds, integrator=args.integrator)
    _write_npz(args.out, ref, pred)
    pr = position_rmsd(ref.positions, pred.positions)
    er = energy_rmsd(ref.energies(), pred.energies())
    for k in (100, 1000, 4000, args.md_steps):
        if k <= args.md_steps:
            print(f"step {k:5d}: position RMSD {pr[k]:.4g} Å, energy RMSD {er[k]:.3g} eV")
    print(f"curienn argon md: trajectories -> {args.out}")
    return 0


def run_report(args) -> int:
    import torch

    from curienn.dynamics import PAPER_SEEDS, evaluate_argon, train_argon
    from curienn.plot import plot_argon_report

    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.perf_counter()
    data = _load_data(args)
    ck = args.checkpoint if args.checkpoint != os.path.join(_DEFAULT_DIR, "model.pt") \
        else os.path.join(args.out, "model.pt")
    res = train_argon(data, _config(args), checkpoint=ck, resume=not args.no_resume,
                      progress=not args.quiet)
    seeds = tuple(PAPER_SEEDS[0] + k for k in range(args.samples))
    summary, ref, pred = evaluate_argon(res.model, data, args.md_steps, seeds, args.integrator)
    with torch.no_grad():
        test_pred = res.model.forces(data.positions[data.test]).double().numpy()
    figures = []
    if ref is not None:
        figures = plot_argon_report(args.out, res.history, data.forces[data.test].numpy(), test_pred,
                                    ref, pred, summary["test_rmse"])
        _write_npz(os.path.join(args.out, "md.npz"), ref, pred)
    summary.update(train_steps=res.steps, train_seconds=res.seconds, n_data=len(data),
                   optimizer=args.optimizer, dtype=args.dtype, widths=args.widths,
                   wall_seconds=time.perf_counter() - t0, figures=figures,
                   paper_test_rmse=0.00118)
    from curienn.io import atomic_write_text

    atomic_write_text(os.path.join(args.out, "summary.json"), json.dumps(summary, indent=2))
    for k, v in summary.items():
        if isinstance(v, float):
            print(f"{k:>26s}: {v:.5g}")
    print(f"curienn argon report: figures and summary.json -> {args.out}")
    return 0
