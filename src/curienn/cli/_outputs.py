"""Output folders that hold one run each: a command refuses to write into a
folder holding files of an earlier run unless told to continue it (``--resume``)
or to replace it (``--overwrite``), so that the files of two runs never mix.
``--overwrite`` removes the files the command writes (and only those: a folder
shared with other files keeps them).
"""

from __future__ import annotations

import glob
import os
from typing import Iterable

__all__ = ["check_output", "earlier_outputs", "remove_outputs"]


def earlier_outputs(out: str, names: Iterable[str]) -> list[str]:
    """The files of ``names`` (file names or glob patterns) present in ``out``."""
    found = []
    for name in names:
        found += sorted(glob.glob(os.path.join(glob.escape(out), name)))
    return found


def remove_outputs(paths: Iterable[str]) -> None:
    """Remove these files (those of an earlier run; the folder itself stays)."""
    for path in paths:
        if os.path.exists(path):
            os.remove(path)


def check_output(out: str, names: Iterable[str], *, overwrite: bool, resuming: bool, command: str,
                 resumable: bool = True) -> list[str]:
    """Check the output folder ``out`` before a run of ``command``; returns the
    files of an earlier run that ``overwrite`` will replace (remove them with
    :func:`remove_outputs` once the run's input has been checked).

    Args:
        out: the ``--out`` folder (need not exist).
        names: the files a run writes there (names or glob patterns).
        overwrite: ``--overwrite`` was given.
        resuming: the run continues a checkpoint in ``out`` (its files are this run's).
        resumable: the command has ``--resume`` (the message offers it).

    Raises:
        ValueError: ``out`` is a file, or holds files of an earlier run and neither
            ``overwrite`` nor ``resuming``.
    """
    if os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(f"--out {out!r} is a file, not a folder")
    found = earlier_outputs(out, names)
    if not found or resuming or overwrite:
        return [] if resuming else found
    shown = ", ".join(os.path.basename(p) for p in found[:4]) + (", ..." if len(found) > 4 else "")
    resume = " --resume to continue its checkpoint," if resumable else ""
    raise ValueError(f"output folder {out!r} holds files of an earlier run ({shown}); pass --overwrite to "
                     f"replace them,{resume} or choose another --out "
                     f"(`curienn {command}` never mixes the files of two runs)")
