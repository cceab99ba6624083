"""The ``curienn`` command line.

Each sub-command lives in its own module of this package, which defines
``register(subparsers)`` (the arguments) and a handler that calls the public
API of the package doing the work. The packages are reached through the lazy
top-level ``curienn`` (``curienn.breaking.search(...)``) or imported inside the
handler, so ``curienn --help`` does not load torch.

:func:`main` is the one error boundary: a ``ValueError`` (bad input, a foreign
checkpoint, ...) or ``FileNotFoundError`` prints ``curienn COMMAND: error: ...``
and returns 2; Ctrl-C returns 130.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from curienn import CONVENTIONS_VERSION, __version__

__all__ = ["MAIN_JOB", "build_parser", "main"]

#: sub-command modules, in the order ``--help`` lists them
_COMMANDS = ("demo", "symmetry", "argon", "order_parameter")

#: what ``curienn`` runs with no sub-command
MAIN_JOB = "order-parameter"


def build_parser() -> argparse.ArgumentParser:
    """The ``curienn`` parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="curienn",
        description="Euclidean neural networks and symmetry tools. "
        f"With no command, runs the main job (`curienn {MAIN_JOB}`).",
    )
    parser.add_argument(
        "--version", action="version",
        version=f"curienn {__version__} (conventions {CONVENTIONS_VERSION})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``curienn`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = [MAIN_JOB, *argv]
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as exc:
        print(f"curienn {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"curienn {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
