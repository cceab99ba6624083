"""``curienn argon``: Ma & Chan's 4-atom Lennard-Jones argon study with the
unitary-equivariant network -- ``data``, ``train``, ``md`` and ``report``.

``train`` runs the training recipe of ``docs/argon.md`` (Adam, warm-up and
cosine decay, a batch-size ramp, best-on-validation weights, early stopping),
checkpoints atomically, saves on Ctrl-C (exit 130) and continues with
``--resume``. It scales out with
``torchrun --nproc_per_node=K -m curienn.cli argon train ...`` (gloo on CPU,
nccl on GPU).
"""

from __future__ import annotations

import functools
import glob
import json
import os
import sys
import time

from ._args import SEED_MAX, integer, real
from ._boundary import EXIT_INTERRUPTED
from ._outputs import check_output, remove_outputs

_DEFAULT_DIR = os.path.join("runs", "argon")
#: the largest dataset (``--configs``): 10M configurations are ~1 GB of positions and forces
MAX_CONFIGS = 10_000_000


def register(sub) -> None:
    p = sub.add_parser("argon", help="LJ argon with the unitary-equivariant network (Ma & Chan)",
                       description=__doc__)
    asub = p.add_subparsers(dest="argon_command", metavar="STEP", required=True)

    d = asub.add_parser("data", help="generate the paper's dataset (seeded)")
    _data_args(d)
    d.add_argument("--out", default=os.path.join(_DEFAULT_DIR, "data.pt"))
    d.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    d.set_defaults(func=run_data)

    t = asub.add_parser("train", help="train the network (the recipe; Adam, FIRE or L-BFGS)")
    _data_args(t)
    _train_args(t)
    t.set_defaults(func=run_train)

    m = asub.add_parser("md", help="MD of the paper's 10 samples with the trained network against analytic LJ")
    m.add_argument("--checkpoint", default=os.path.join(_DEFAULT_DIR, "model.pt"))
    _md_args(m)
    m.add_argument("--device", default="cpu", help="device for the network's forces (default cpu)")
    m.add_argument("--out", default=os.path.join(_DEFAULT_DIR, "md"),
                   help="output folder: md.npz, md_summary.json, figures")
    m.add_argument("--overwrite", action="store_true", help="replace the files of an earlier run in --out")
    m.add_argument("--quiet", action="store_true", help="no progress bars")
    m.set_defaults(func=run_md)

    r = asub.add_parser("report", help="short end-to-end run: data, train, MD, figures, JSON")
    _data_args(r, n=20000)
    _train_args(r, minutes=1.0, checkpoint=None)
    _md_args(r, lo=0)
    r.add_argument("--out", default=os.path.join(_DEFAULT_DIR, "report"))
    r.set_defaults(func=run_report)


def _data_args(p, n: int = 100_000) -> None:
    # not "--n": torchrun's parser would take it for an abbreviation of its own options
    p.add_argument("--configs", type=integer(5, MAX_CONFIGS), default=n, help=f"configurations (default {n})")
    p.add_argument("--seed", type=integer(0, SEED_MAX), default=0)
    p.add_argument("--data", default=None, help="dataset file to load (else generated)")


def _train_args(p, minutes: float = 60.0,
                checkpoint: str | None = os.path.join(_DEFAULT_DIR, "model.pt")) -> None:
    # Training flags default to None: TrainConfig's defaults (the recipe) fill them in, so the
    # numbers live in one place (and building the parser does not import torch).
    if checkpoint is not None:
        p.add_argument("--checkpoint", default=checkpoint, help=f"checkpoint file (default {checkpoint})")
        p.add_argument("--resume", action="store_true", help="continue the run in --checkpoint")
        p.add_argument("--allow-other-data", action="store_true",
                       help="with --resume: accept a checkpoint trained on another dataset")
        p.add_argument("--init", default=None, metavar="CHECKPOINT",
                       help="start from the best weights of another run (e.g. to polish it with FIRE or L-BFGS)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing checkpoint / output folder")
    p.add_argument("--minutes", type=real(0, 1e6), default=minutes,
                   help=f"wall-time budget (default {minutes:g}; 0: none, with --steps)")
    p.add_argument("--steps", type=integer(1), default=None, help="step budget (with or instead of --minutes)")
    g = p.add_argument_group("training recipe (defaults: curienn.dynamics.TrainConfig, see docs/argon.md)")
    g.add_argument("--optimizer", choices=("adam", "fire", "lbfgs"), help="default adam")
    g.add_argument("--batch-size", type=integer(0), help="batch size (default 256; 0: full batch)")
    g.add_argument("--batch-size-final", type=integer(0),
                   help="a ramp: the batch size doubles up to this over the run (default 0: constant)")
    g.add_argument("--loss", choices=("mse", "relative"),
                   help="mse (the paper's) or relative: every configuration to the same relative accuracy, "
                        "better MD and worse test RMSE (default mse)")
    g.add_argument("--sampling", choices=("force", "uniform"),
                   help="draw batches by force scale (importance sampling) or uniformly (default force)")
    g.add_argument("--lr", type=real(positive=True), help="peak learning rate (default 3e-3)")
    g.add_argument("--lr-final", type=real(positive=True), help="final learning rate (default 1e-6)")
    g.add_argument("--schedule", choices=("cosine", "exponential", "constant"), help="default cosine")
    g.add_argument("--warmup", type=real(0, 0.99), help="warm-up fraction of the budget (default 0.02)")
    g.add_argument("--patience", type=integer(0),
                   help="early stop after this many evaluations without improvement (default 20; 0: never)")
    g.add_argument("--dtype", choices=("float32", "float64"), help="default float32")
    g.add_argument("--widths", help="node counts (default the paper's 6,50,90,100,80,50,4)")
    g.add_argument("--residue", type=real(0, 1), help="activation residue a (default 0.01)")
    g.add_argument("--eval-every", type=integer(1), help="validation every this many steps (default 1000)")
    p.add_argument("--threads", type=integer(1, 1024), default=1, help="torch CPU threads per process (default 1)")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ... (default cpu)")
    p.add_argument("--compile", action="store_true", help="torch.compile the training step")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def _md_args(p, lo: int = 1) -> None:
    p.add_argument("--md-steps", type=integer(lo, 10**7), default=5000,
                   help="MD steps of 1 fs (default 5000" + ("; 0: no MD)" if lo == 0 else ")"))
    p.add_argument("--samples", type=integer(1, 10_000), default=10,
                   help="samples (seeds 1..N; default 10, the paper's)")
    p.add_argument("--integrator", choices=("batched", "ase"), default="batched")


def _interruptible(run):
    """Ctrl-C during training: one line saying where the checkpoint is and how to
    resume, exit status 130 (any other Ctrl-C: the error boundary's line)."""

    @functools.wraps(run)
    def wrapped(args) -> int:
        from curienn.dynamics import TrainingInterrupted

        try:
            return run(args)
        except TrainingInterrupted as exc:
            hint = "; resume with --resume" if exc.checkpoint is not None and exc.saved_step is not None else ""
            print(f"curienn argon {args.argon_command}: {exc}{hint}", file=sys.stderr)
            return EXIT_INTERRUPTED

    return wrapped


def _check_out(args, names) -> list[str]:
    """The files of an earlier run in ``args.out`` that ``--overwrite`` replaces
    (:func:`curienn.cli._outputs.check_output`; argon runs are not resumed there)."""
    return check_output(args.out, names, overwrite=args.overwrite, resuming=False,
                        command=f"argon {args.argon_command}", resumable=False)


def _load_data(args):
    from curienn.dynamics import ArgonData, make_argon_dataset

    if args.data:
        return ArgonData.load(args.data)
    return make_argon_dataset(args.configs, seed=args.seed)


def _config(args):
    from curienn.dynamics import TrainConfig

    kw = dict(lr=args.lr, lr_final=args.lr_final, schedule=args.schedule, sampling=args.sampling, loss=args.loss,
              warmup=args.warmup, batch_size=args.batch_size, eval_every=args.eval_every, dtype=args.dtype,
              a=args.residue)
    kw = {k: v for k, v in kw.items() if v is not None}
    if args.widths is not None:
        try:
            kw["widths"] = [int(w) for w in args.widths.split(",")]
        except ValueError:
            raise ValueError(f"--widths must be comma-separated integers, got {args.widths!r}") from None
    if args.batch_size_final:
        kw["batch_size_final"] = None if args.batch_size == 0 else args.batch_size_final
    if args.patience is not None:
        kw["patience"] = args.patience or None
    seconds = 60.0 * args.minutes if args.minutes is not None and args.minutes > 0 else None
    if seconds is None and args.steps is None:
        raise ValueError(f"give --minutes > 0 or --steps (got --minutes {args.minutes!r})")
    return TrainConfig.with_optimizer(args.optimizer or "adam", **kw, max_steps=args.steps, max_seconds=seconds,
                                      seed=args.seed, device=args.device, compile=args.compile)


@_interruptible
def run_data(args) -> int:
    folder, name = os.path.split(args.out)
    check_output(folder or ".", [glob.escape(name)], overwrite=args.overwrite, resuming=False,
                 command="argon data", resumable=False)
    data = _load_data(args)
    data.save(args.out)
    print(f"curienn argon data: {len(data)} configurations -> {args.out} "
          f"(input scale {data.x_scale:.4f} Å, force scale {data.y_scale:.4f} eV/Å)")
    return 0


@_interruptible
def run_train(args) -> int:
    import torch

    from curienn.dynamics import force_rmse, init_distributed, load_model, resolve_device, train_argon

    torch.set_num_threads(args.threads)
    cfg = _config(args)
    resolve_device(cfg.device)
    if args.resume and args.overwrite:
        raise ValueError("--resume and --overwrite exclude each other")
    if args.init is not None and args.resume:
        raise ValueError("--init starts a new run from another run's weights; it cannot be combined with --resume")
    rank, world = init_distributed()
    if args.resume and not os.path.exists(args.checkpoint) and rank == 0:
        print(f"curienn argon train: no checkpoint at {args.checkpoint}; starting fresh", file=sys.stderr)
    data = _load_data(args)
    model = None
    if args.init is not None:
        model = load_model(args.init, dtype=getattr(torch, args.dtype) if args.dtype else None)
    # every rank resumes from the checkpoint; only rank 0 writes it
    res = train_argon(data, cfg, checkpoint=args.checkpoint, resume=args.resume, overwrite=args.overwrite,
                      allow_other_data=args.allow_other_data, progress=not args.quiet, model=model)
    if rank == 0:
        rmse = force_rmse(res.model, data.positions[data.test], data.forces[data.test])
        early = " (early stop)" if res.stopped_early else ""
        print(f"curienn argon train: {res.steps} steps in {res.seconds:.0f} s on {world} process(es){early}; "
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


def _write_json(path, summary) -> None:
    from curienn.io import atomic_write_text

    atomic_write_text(path, json.dumps(summary, indent=2))


def _print_md(summary) -> None:
    for k in sorted({100, 1000, 4000, 5000, summary["md_steps"]}):
        if f"position_rmsd_{k}" in summary:
            worst = max(summary[f"position_rmsd_per_sample_{k}"])
            print(f"step {k:5d}: position RMSD {summary[f'position_rmsd_{k}']:.4g} Å "
                  f"(worst sample {worst:.4g} Å), energy RMSD {summary[f'energy_rmsd_{k}']:.3g} eV")
    print(f"largest total-energy drift: network {max(summary['energy_drift_per_sample']):.3g} eV, "
          f"analytic LJ {summary['reference_energy_drift']:.3g} eV")


_MD_FILES = ("md.npz", "md_summary.json", "position_rmsd.png", "atom1_x.png", "energy_rmsd.png",
             "sample1_energy.png")


@_interruptible
def run_md(args) -> int:
    from curienn.dynamics import PAPER_SEEDS, load_model, md_summary, resolve_device, run_samples
    from curienn.plot import plot_md_report

    earlier = _check_out(args, _MD_FILES)
    model = load_model(args.checkpoint).to(resolve_device(args.device))
    remove_outputs(earlier)
    seeds = tuple(PAPER_SEEDS[0] + k for k in range(args.samples))
    ref = run_samples(None, args.md_steps, seeds, integrator=args.integrator, progress=not args.quiet)
    pred = run_samples(model, args.md_steps, seeds, integrator=args.integrator, progress=not args.quiet)
    summary = {"checkpoint": args.checkpoint, **md_summary(ref, pred)}
    os.makedirs(args.out, exist_ok=True)
    _write_npz(os.path.join(args.out, "md.npz"), ref, pred)
    summary["figures"] = plot_md_report(args.out, ref, pred)
    _write_json(os.path.join(args.out, "md_summary.json"), summary)
    _print_md(summary)
    print(f"curienn argon md: trajectories, md_summary.json and figures -> {args.out}")
    return 0


_REPORT_FILES = ("model.pt", "summary.json", "md.npz", "loss.png", "force_parity.png", *_MD_FILES[2:])


@_interruptible
def run_report(args) -> int:
    import torch

    from curienn.dynamics import PAPER_SEEDS, evaluate_argon, train_argon
    from curienn.plot import plot_argon_report

    torch.set_num_threads(args.threads)
    earlier = _check_out(args, _REPORT_FILES)
    cfg = _config(args)
    t0 = time.perf_counter()
    data = _load_data(args)
    remove_outputs(earlier)
    res = train_argon(data, cfg, checkpoint=os.path.join(args.out, "model.pt"), overwrite=True,
                      progress=not args.quiet)
    seeds = tuple(PAPER_SEEDS[0] + k for k in range(args.samples))
    summary, ref, pred = evaluate_argon(res.model, data, args.md_steps, seeds, args.integrator,
                                        progress=not args.quiet)
    with torch.no_grad():
        test_pred = res.model.forces(data.positions[data.test]).double().cpu().numpy()
    figures = []
    if ref is not None:
        figures = plot_argon_report(args.out, res.history, data.forces[data.test].numpy(), test_pred,
                                    ref, pred, summary["test_rmse"])
        _write_npz(os.path.join(args.out, "md.npz"), ref, pred)
    summary.update(train_steps=res.steps, train_seconds=res.seconds, n_data=len(data),
                   optimizer=cfg.optimizer, dtype=cfg.dtype, widths=cfg.widths,
                   wall_seconds=time.perf_counter() - t0, figures=figures,
                   paper_test_rmse=0.00118)
    _write_json(os.path.join(args.out, "summary.json"), summary)
    for k, v in summary.items():
        if isinstance(v, float):
            print(f"{k:>26s}: {v:.5g}")
    print(f"curienn argon report: figures and summary.json -> {args.out}")
    return 0
