"""Argument types of the ``curienn`` commands: each checks one flag's value at
parse time, so that a bad value is reported in the user's terms -- the flag and
its allowed range -- before any work starts::

    curienn demo: error: argument --lmax: must be an integer from 0 to 64, got 100

(argparse puts ``argument --lmax:`` in front of the message). They take the
text argparse hands them and return the parsed value.
"""

from __future__ import annotations

import argparse
import math

__all__ = ["SEED_MAX", "SH_LMAX", "UsageError", "Parser", "integer", "real", "irreps"]

#: the largest degree of the spherical harmonics (``curienn.o3``): the largest --lmax anywhere
SH_LMAX = 64
#: seeds are 0 .. 2**32 - 1 (what numpy and torch both accept)
SEED_MAX = 2**32 - 1


class UsageError(Exception):
    """A command line argparse rejected: ``prog`` and the message (no usage dump)."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are raised (:class:`UsageError`) instead of
    printing the usage and exiting, so that :func:`curienn.cli.main` prints one line
    and returns 2 (sub-parsers inherit the class)."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        raise UsageError(self.prog, message)


def _range_text(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f"from {lo:g} to {hi:g}"
    if lo is not None:
        return f">= {lo:g}"
    return f"<= {hi:g}"


def integer(lo: int | None = None, hi: int | None = None):
    """An integer in ``[lo, hi]`` (either end open when ``None``)."""
    what = "an integer" + (f" {_range_text(lo, hi)}" if lo is not None or hi is not None else "")

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(f"must be {what}, got {value}")
        return value

    parse.__name__ = "integer"  # argparse names the type in some messages
    parse.range = (lo, hi)  # for the tests and the help
    return parse


def real(lo: float | None = None, hi: float | None = None, *, positive: bool = False):
    """A finite number in ``[lo, hi]``; ``positive``: ``> 0`` (``lo`` excluded)."""
    if positive:
        what = "a finite number > 0"
    else:
        what = "a finite number" + (f" {_range_text(lo, hi)}" if lo is not None or hi is not None else "")

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if (not math.isfinite(value) or (positive and value <= 0)
                or (lo is not None and value < lo) or (hi is not None and value > hi)):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
        return value

    parse.__name__ = "number"
    parse.range = (0.0 if positive else lo, hi)
    return parse


def irreps(text: str) -> str:
    """An irreps string such as ``1o + 2e`` (checked with :class:`curienn.o3.Irreps`;
    the text is returned unchanged). Loads torch, but only when the flag is given."""
    from curienn import o3

    try:
        o3.Irreps(text)
    except Exception as exc:  # noqa: BLE001 - o3 raises ValueErrors; anything else is bad text too
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an irreps string such as '1o + 2e' or '2x0e+1e' ({reason})") from None
    return text
