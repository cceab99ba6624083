"""``curienn order-parameter``: find the symmetry-breaking order parameter that turns
an input structure into a target (Smidt, Geiger & Miller 2021) -- the main job.

    curienn order-parameter                      square -> rectangle (embedded default)
    curienn order-parameter --input PARENT --target CHILD [--sites Ti]

Files are anything ASE reads (CIF, extxyz, POSCAR/CONTCAR, .vasp, .traj, ...;
``--format`` where the suffix says nothing). The child may list its atoms in
any order, be rotated, shifted, and be any commensurate supercell of the
parent: the pair is matched first (supercell, rotation, strain, origin, atom
mapping) and refused when no mapping keeps every displacement below
``--max-displacement``. The report gives the match, the symmetry the child
breaks (the analysis of ``curienn symmetry check``), the distortion and the
learned order parameter in irreps of the parent's space group (or point group),
the strain, the Curie floor and the fit. Writes ``report.json``, ``report.md``
and PNG figures into ``--out``; checkpoints there and resumes with ``--resume``. A
folder holding an earlier run is refused unless ``--overwrite`` (or
``--resume``) is given. Ctrl-C stops at the next step with a checkpoint
(exit status 130); a second Ctrl-C stops at once.

This module only parses arguments: the work is :mod:`curienn.breaking`'s
problem -> search -> report (``OrderParameterProblem``, ``search``,
``interpret``, ``SearchReport.write``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import curienn

from ._args import SEED_MAX, SH_LMAX, integer, irreps, real
from ._boundary import EXIT_INTERRUPTED
from ._outputs import check_output, earlier_outputs, remove_outputs

DEFAULT_OUT = "order-parameter-out"
COMMAND = "order-parameter"
_WHERE = f"curienn {COMMAND}"
CHECKPOINT = "checkpoint.pt"
#: the files a run writes into --out (the report, its figures, the checkpoint and the
#: temporary file of an interrupted atomic write); the CLI tests check that a run writes no other
_REPORT_FILES = ("report.json", "report.md", "loss.png", "components.png", "evolution.png", "pseudovectors.png")
#: (a restart with seed N checkpoints to checkpoint.seedN.pt)
OUTPUT_FILES = (*_REPORT_FILES, CHECKPOINT, f".{CHECKPOINT}.*.tmp", "checkpoint.seed*.pt", ".checkpoint.seed*.pt.*.tmp")


def register(sub) -> None:
    p = sub.add_parser(
        COMMAND,
        help="learn the symmetry-breaking order parameter between two structures (the main job)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    g = p.add_argument_group("the problem")
    g.add_argument("--input", default=None, metavar="PARENT", help="input (higher-symmetry) structure file")
    g.add_argument("--target", default=None, metavar="CHILD", help="target (lower-symmetry) structure file")
    g.add_argument("--format", default=None, help="ASE format of both files (default: guessed from each file)")
    g.add_argument("--index", type=integer(), default=-1,
                   help="frame of multi-frame files (negative: from the end; default: last)")
    g.add_argument("--supercell", default=None,
                   help="check that the child is this supercell of the parent: 2x2x2, or nine integers like "
                        "'1 1 0 / -1 1 0 / 0 0 2' (default: found by the matching)")
    g.add_argument("--max-displacement", type=real(positive=True), default=None, metavar="A",
                   help="refuse a mapping that moves an atom further (default: min(1 A, half the shortest "
                        "parent bond))")
    g.add_argument("--max-det", type=integer(1), default=16, metavar="N",
                   help="the child's cell may hold at most N parent cells (default 16)")
    g.add_argument("--origin", default=None, metavar="SPECIES",
                   help="label the crystal's irreps with this species' site at the origin, e.g. Ti "
                        "(default: the species of --sites, else the parent's own origin)")
    g.add_argument("--symprec", type=real(positive=True), default=1e-3,
                   help="spglib tolerance (A) of the crystals' symmetry (default 0.001)")
    g.add_argument("--sites", default=None, metavar="SYMBOL",
                   help="order parameters only on these species (e.g. Ti or Ti,O) or indices (default: all)")
    g.add_argument("--where", default=None, choices=("global", "site", "species"),
                   help="one global order parameter, one per site, or one per species "
                        "(default: global for the square, site for files)")
    g.add_argument("--encoding", default=None, choices=("projection", "vectors"),
                   help="target encoding (default: projection for finite, vectors for periodic)")
    g.add_argument("--encoding-lmax", type=integer(0, SH_LMAX), default=5, metavar="L",
                   help="lmax of the projection encoding of the displacements (default 5)")
    s = p.add_argument_group("the search", "defaults: the settings of the preset for the input (the square, "
                             "a finite structure or a crystal), listed in curienn.breaking.PRESETS")
    s.add_argument("--irreps", type=irreps, default=None,
                   help="candidate order-parameter irreps (default: the preset's)")
    s.add_argument("--model-lmax", type=integer(0, SH_LMAX), default=None, metavar="L",
                   help="lmax of the network's hidden irreps and edge harmonics "
                        "(default 5 for the square, min(5, encoding lmax) for molecules, 2 for crystals)")
    s.add_argument("--lmax", type=integer(0, SH_LMAX), default=None, metavar="L",
                   help="deprecated: sets both --encoding-lmax and --model-lmax")
    s.add_argument("--lmax-penalty", type=real(0), default=None, metavar="W",
                   help="weight of the l-penalty W * l^2 * mean|p_l| (default: the preset's)")
    s.add_argument("--l1", type=real(0), default=1e-4, help="L1 weight on the order parameter (default 1e-4)")
    s.add_argument("--steps", type=integer(0), default=None,
                   help="at most this many order-parameter steps after the model-only phase; the search stops "
                        "earlier once the fit converged (default: the preset's)")
    s.add_argument("--restarts", type=integer(0), default=None,
                   help="runs with the next seeds when the fit stays above 2%% of the zero-output loss "
                        "(default: the preset's)")
    s.add_argument("--model-steps", type=integer(1), default=None,
                   help="at most this many model-only steps (stops earlier on a plateau; default: the preset's)")
    s.add_argument("--loss", default=None, choices=("mse", "l1"), help="data loss (default: the preset's)")
    s.add_argument("--max-radius", type=real(positive=True), default=None,
                   help="graph cutoff (default: 3.0 for the square and crystals, 1.05 x the diameter of a molecule)")
    s.add_argument("--seed", type=integer(0, SEED_MAX), default=0)
    s.add_argument("--threads", type=integer(1), default=1,
                   help="torch threads (default 1: the tensors are small and threads only add overhead)")
    o = p.add_argument_group("output")
    o.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default ./{DEFAULT_OUT})")
    o.add_argument("--resume", action="store_true",
                   help="continue the run in --out from its checkpoint.pt (without one: start fresh)")
    o.add_argument("--overwrite", action="store_true",
                   help="replace the files of an earlier run in --out (without it, such a folder is refused)")
    o.add_argument("--no-progress", action="store_true", help="no progress bar")
    o.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.set_defaults(func=run)


def _problem(args):
    """The :class:`~curienn.breaking.OrderParameterProblem` the arguments describe."""
    if (args.input is None) != (args.target is None):
        raise ValueError("give both --input PARENT and --target CHILD (or neither, for the default square)")
    encoding_lmax, model_lmax = args.encoding_lmax, args.model_lmax
    if args.lmax is not None:
        print("curienn order-parameter: warning: --lmax is deprecated; it sets --encoding-lmax and "
              "--model-lmax (give those instead)", file=sys.stderr)
        encoding_lmax = args.lmax
        model_lmax = args.lmax if model_lmax is None else model_lmax
    settings = dict(irreps=args.irreps, loss=args.loss, l1=args.l1, l_penalty=args.lmax_penalty,
                    joint_steps=args.steps, max_model_steps=args.model_steps, seed=args.seed,
                    restarts=args.restarts)
    common = dict(encoding_lmax=encoding_lmax, model_lmax=model_lmax, max_radius=args.max_radius,
                  sites=args.sites, **settings)
    if args.input is None:
        return curienn.breaking.OrderParameterProblem.square_to_rectangle(
            where=args.where or "global", encoding=args.encoding or "projection", **common)
    return curienn.breaking.OrderParameterProblem.from_structures(
        args.input, args.target, supercell=args.supercell, format=args.format, index=args.index,
        max_displacement=args.max_displacement, max_det=args.max_det, origin=args.origin, symprec=args.symprec,
        encoding=args.encoding, where=args.where or "site", **common)


def run(args) -> int:
    t0 = time.perf_counter()
    out = args.out
    checkpoint = os.path.join(out, CHECKPOINT)
    if args.resume and args.overwrite:
        raise ValueError("--resume continues the run in --out and --overwrite replaces it: give one of them")
    resuming = args.resume and os.path.exists(checkpoint)
    if args.resume and not resuming:
        print(f"{_WHERE}: no checkpoint at {checkpoint}; starting fresh", file=sys.stderr)
    earlier = check_output(out, OUTPUT_FILES, overwrite=args.overwrite, resuming=resuming, command=COMMAND)
    breaking = curienn.breaking  # loads torch: only now, so that --help stays instant
    problem = _problem(args)
    print(f"{_WHERE}: {problem.title}", file=sys.stderr)
    for warning in problem.warnings:
        print(f"{_WHERE}: warning: {warning}", file=sys.stderr)
    result = _search(breaking, problem, args, checkpoint, resuming, earlier)
    if not isinstance(result, breaking.OrderParameterResult):
        return result  # the exit status of an interrupted search
    try:
        report = breaking.interpret(problem, result, seconds=time.perf_counter() - t0,
                                    settings={k: v for k, v in vars(args).items() if k not in ("func", "debug")})
        print(report.summary())
        remove_outputs(earlier_outputs(out, _REPORT_FILES))  # a resumed run's report replaces the old one whole
        paths = report.write(out, figures=None if args.no_figures else curienn.plot.breaking_figures)
    except KeyboardInterrupt:
        print(f"{_WHERE}: interrupted while writing the report; the finished search is in {checkpoint}: "
              "rerun with --resume to write it", file=sys.stderr)
        return EXIT_INTERRUPTED
    figures = len(paths) - 2
    print(f"wrote {paths[0]}, report.md" + (f" and {figures} figures" if figures else "")
          + f" ({time.perf_counter() - t0:.1f} s)")
    return 0


def _search(breaking, problem, args, checkpoint: str, resuming: bool, earlier: list):
    """:func:`curienn.breaking.search`, stopped cleanly by Ctrl-C: the first
    Ctrl-C stops at the next step with a checkpoint (exit status 130), a second
    stops at once. The files of an ``earlier`` run (``--overwrite``) are removed
    after the first step, before anything is written: bad input found while the
    search is set up does not cost the earlier run. Returns the result, or the
    exit status when interrupted."""
    try:
        with curienn.io.deferred_interrupt() as interrupted:
            def callback(info) -> bool:
                if earlier:
                    remove_outputs(earlier)
                    earlier.clear()
                return interrupted(info)

            return breaking.search(problem, progress=not args.no_progress, checkpoint=checkpoint,
                                   resume=resuming, threads=args.threads, callback=callback)
    except breaking.SearchInterrupted as exc:
        print(f"{_WHERE}: interrupted at step {exc.step}; checkpoint saved to {exc.checkpoint}; "
              "resume with --resume", file=sys.stderr)
    except KeyboardInterrupt:  # a second Ctrl-C: the step in progress is lost
        if earlier:  # before the first step: the earlier run (--overwrite) is still there, untouched
            saved = f"nothing of this run was saved; the earlier run in {args.out!r} is untouched"
        elif os.path.isfile(checkpoint):
            saved = f"the last checkpoint, {checkpoint}, holds an earlier step; resume with --resume"
        else:
            saved = "nothing was saved"
        print(f"{_WHERE}: interrupted at once (second Ctrl-C); {saved}", file=sys.stderr)
    except curienn.io.CheckpointError as exc:
        raise ValueError(f"cannot resume: {exc}; pass --overwrite (without --resume) to start a new run "
                         f"in {args.out!r}") from None
    return EXIT_INTERRUPTED
