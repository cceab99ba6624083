"""Files that must never be half-written or misread: atomic writes and checkpoints.

Every file curienn writes for later use goes through :func:`atomic_write`: the
content is written to a temporary file in the same directory, flushed to disk
and then moved over the destination with :func:`os.replace`, so a reader (or a
resumed run after ``kill -9``) sees either the old file or the new one, never a
mixture.

A *checkpoint* is a ``dict`` saved with :func:`torch.save` and stamped with

* ``"curienn_kind"``: what the file is (``"argon-checkpoint"``,
  ``"argon-dataset"``, ``"order-parameter-checkpoint"`` …),
* ``"conventions"``: :data:`curienn.CONVENTIONS_VERSION`, the numerical
  conventions its numbers mean something under,
* ``"curienn_version"``: the version that wrote it.

:func:`load_checkpoint` reads it back with ``torch.load(weights_only=True)``
(no code from the file is ever run) and turns every way a file can be wrong
into one :class:`CheckpointError` sentence naming the file and what it is not:
missing, empty, truncated, not a PyTorch archive, a PyTorch file written by
something else, a curienn file of another kind, other conventions, or missing
fields.

Example:
    >>> import tempfile, os, torch
    >>> from curienn.io import save_checkpoint, load_checkpoint
    >>> path = os.path.join(tempfile.mkdtemp(), "run.pt")
    >>> save_checkpoint(path, {"step": 3, "w": torch.ones(2)}, kind="demo")
    >>> load_checkpoint(path, kind="demo", required=("step",))["step"]
    3
"""

from __future__ import annotations

import os
import pickle
import tempfile
import warnings
import zipfile
from typing import Callable, Iterable, Union

import torch

from .. import CONVENTIONS_VERSION, __version__

__all__ = ["CheckpointError", "atomic_write", "atomic_write_text", "save_checkpoint", "load_checkpoint"]

PathLike = Union[str, os.PathLike]


class CheckpointError(ValueError):
    """A file is not the checkpoint (or data file) it was expected to be."""


def atomic_write(path: PathLike, write: Callable[[str], None]) -> None:
    """Write a file atomically: ``write(tmp)`` fills a temporary file in the
    destination's directory, which is then flushed and moved onto ``path``.

    The destination's directory is created if needed. If ``write`` raises (or
    the process is interrupted), ``path`` keeps its previous content and the
    temporary file is removed.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def atomic_write_text(path: PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_write`)."""

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    atomic_write(path, write)


def save_checkpoint(path: PathLike, payload: dict, *, kind: str) -> None:
    """``torch.save`` ``payload`` atomically, stamped with ``kind``, the
    conventions and the curienn version (keys ``curienn_kind``,
    ``conventions``, ``curienn_version``; they must not be in ``payload``)."""
    if not isinstance(payload, dict):
        raise TypeError(f"a checkpoint payload is a dict, got {type(payload).__name__}")
    stamped = {**payload, "curienn_kind": kind, "conventions": CONVENTIONS_VERSION,
               "curienn_version": __version__}
    atomic_write(path, lambda tmp: torch.save(stamped, tmp))


def _what_file(path: str) -> str:
    """What an unreadable file looks like, from its first bytes (torch's own
    messages speak of zip central directories and pickle opcodes)."""
    with open(path, "rb") as fh:
        head = fh.read(256)
    if head.startswith(b"PK\x03\x04"):
        if zipfile.is_zipfile(path):
            return "a zip archive that is not a PyTorch file"
        return "a zip archive whose end is missing (a PyTorch file cut short, e.g. by a full disk or a copy)"
    if head.startswith(b"\x93NUMPY"):
        return "a NumPy .npy file"
    if head[:1] == b"\x80":
        return "a Python pickle that is not a PyTorch file of tensors (or one cut short)"
    text = None
    for cut in range(4):  # the 256 bytes may end inside a UTF-8 character
        try:
            text = head[:len(head) - cut].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    if text is not None and all(c.isprintable() or c.isspace() for c in text):
        first = text.strip().splitlines()[0] if text.strip() else ""
        return f"a text file (it starts {first[:60]!r})"
    return "binary data in no format PyTorch reads"


def load_checkpoint(
    path: PathLike,
    *,
    kind: str | Iterable[str],
    required: Iterable[str] = (),
    map_location="cpu",
) -> dict:
    """Load a checkpoint written by :func:`save_checkpoint` and check it.

    Args:
        path: the file.
        kind: the kind(s) accepted. A file without a kind stamp (written before
            curienn stamped kinds) is accepted when it has every ``required`` key.
        required: keys the payload must have.
        map_location: passed to :func:`torch.load`.

    Returns:
        the payload, stamps included.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        CheckpointError: (a ``ValueError``) anything else is wrong with it; the
            message names the file and what it is not.
    """
    path = os.fspath(path)
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    what = " or ".join(repr(k) for k in kinds)
    required = tuple(required)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path!r} does not exist (expected a curienn {what} file)")
    if os.path.isdir(path):
        raise CheckpointError(f"{path!r} is a directory, not a curienn {what} file")
    if os.path.getsize(path) == 0:
        raise CheckpointError(f"{path!r} is empty, not a curienn {what} file")
    try:
        with warnings.catch_warnings():  # torch warns about foreign pickle protocols; we explain below
            warnings.simplefilter("ignore")
            obj = torch.load(path, map_location=map_location, weights_only=True)
    except (RuntimeError, EOFError, OSError, zipfile.BadZipFile, pickle.UnpicklingError, ValueError,
            KeyError, IndexError, TypeError, AttributeError):
        raise CheckpointError(
            f"{path!r} is not a curienn {what} file: it cannot be read as a PyTorch archive; "
            f"it is {_what_file(path)}"
        ) from None
    if not isinstance(obj, dict):
        raise CheckpointError(f"{path!r} is a PyTorch file holding a {type(obj).__name__}, not a curienn {what} file")
    found = obj.get("curienn_kind")
    if found is None:
        if "conventions" not in obj or not required or any(k not in obj for k in required):
            raise CheckpointError(f"{path!r} is a PyTorch file but not a curienn {what} file (no curienn stamp)")
    elif found not in kinds:
        raise CheckpointError(f"{path!r} is a curienn {found!r} file, not a {what} file")
    conventions = obj.get("conventions")
    if conventions != CONVENTIONS_VERSION:
        raise CheckpointError(
            f"{path!r} was written under conventions {conventions!r}, but this curienn uses "
            f"{CONVENTIONS_VERSION!r}; its numbers would not mean the same thing"
        )
    missing = [k for k in required if k not in obj]
    if missing:
        raise CheckpointError(f"{path!r} is a curienn {found!r} file but lacks {missing}; it is damaged or from another version")
    return obj
