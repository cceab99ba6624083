"""The ``curienn`` command line.

Each sub-command lives in its own module of this package, which defines
``register(subparsers)`` (the arguments) and a handler that calls the public
API of the package doing the work. The packages are reached through the lazy
top-level ``curienn`` (``curienn.breaking.search(...)``) or imported inside the
handler, so ``curienn --help`` does not load torch.

:func:`main` is the one error boundary. No command prints a Python traceback
for bad input; what reaches the user, and the exit status:

| what happened | stderr | status |
|---|---|---|
| success | | 0 |
| a check failed (``curienn demo``: equivariance) | the result on stdout | 1 |
| a bad flag or value | ``curienn demo: error: argument --lmax: must be an integer from 0 to 64, got 100`` | 2 |
| bad input: a value, a file that is missing, unreadable, foreign, truncated or of the wrong kind, an output folder holding an earlier run | ``curienn COMMAND: error: MESSAGE`` naming the value or file | 2 |
| Ctrl-C | one line; a long job first saves a checkpoint: ``interrupted at step N; checkpoint saved to PATH; resume with --resume`` | 130 |
| an internal error (a bug) | ``curienn COMMAND: internal error: TYPE: MESSAGE``, then the file holding the traceback | 70 |

``--debug`` (anywhere on the line, or ``CURIENN_DEBUG=1``) prints the traceback
of any error instead. The numeric flags of every command are checked against
their range when parsed. Commands that write an output folder (or file) refuse
one that holds files of an earlier run unless given ``--overwrite`` (or
``--resume``); ``--resume``
without a checkpoint says that it starts fresh.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from curienn import CONVENTIONS_VERSION, __version__

from ._args import Parser, UsageError
from ._boundary import EXIT_BAD_INPUT, EXIT_INTERRUPTED, guarded

__all__ = ["MAIN_JOB", "build_parser", "main"]

#: sub-command modules, in the order ``--help`` lists them
_COMMANDS = ("demo", "symmetry", "argon", "order_parameter")

#: what ``curienn`` runs with no sub-command
MAIN_JOB = "order-parameter"

_DEBUG = "--debug"


def build_parser() -> argparse.ArgumentParser:
    """The ``curienn`` parser with every sub-command registered."""
    parser = Parser(
        prog="curienn",
        description="Euclidean neural networks and symmetry tools. "
        f"With no command, runs the main job (`curienn {MAIN_JOB}`).",
    )
    parser.add_argument(
        "--version", action="version",
        version=f"curienn {__version__} (conventions {CONVENTIONS_VERSION})",
    )
    parser.add_argument(_DEBUG, action="store_true",
                        help="print the Python traceback of an error (also CURIENN_DEBUG=1; "
                             "accepted anywhere on the line)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def _split_debug(argv: list[str]) -> tuple[bool, list[str]]:
    """``--debug`` is global: taken out wherever it stands (before a ``--``)."""
    end = argv.index("--") if "--" in argv else len(argv)
    debug = _DEBUG in argv[:end] or os.environ.get("CURIENN_DEBUG", "") not in ("", "0")
    return debug, [a for a in argv[:end] if a != _DEBUG] + argv[end:]


def _where(args) -> str:
    """``curienn COMMAND [SUBCOMMAND]``, the prefix of every message."""
    words = [args.command] + [getattr(args, k) for k in ("symmetry_command", "argon_command")
                              if getattr(args, k, None)]
    return " ".join(["curienn", *words])


def main(argv: list[str] | None = None) -> int:
    """Run ``curienn`` with ``argv`` (default ``sys.argv[1:]``); returns the exit
    status (see the table above; ``--help`` and ``--version`` return 0)."""
    debug, argv = _split_debug(list(sys.argv[1:] if argv is None else argv))
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = [MAIN_JOB, *argv]
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        print(f"{exc.prog}: error: {exc} (see `{exc.prog} --help`)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:  # e.g. while --irreps loads torch to check its value
        print("curienn: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return guarded(_where(args), lambda: args.func(args), debug)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
