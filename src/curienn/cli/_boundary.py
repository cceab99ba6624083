"""The error boundary of the ``curienn`` commands: what reaches the user when a
command fails (the table of exit statuses is in :mod:`curienn.cli`). No Python
traceback is printed unless ``--debug`` asks for one; an internal error writes
it to a file and says where. Warnings are printed as
``curienn COMMAND: warning: MESSAGE``.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
import tempfile
import traceback
import warnings
from typing import Callable

__all__ = ["EXIT_BAD_INPUT", "EXIT_BUG", "EXIT_INTERRUPTED", "guarded", "message_of"]

EXIT_BAD_INPUT = 2
#: ``EX_SOFTWARE`` of sysexits.h: an internal software error
EXIT_BUG = 70
EXIT_INTERRUPTED = 130


def message_of(exc: BaseException) -> str:
    """One line for the user: the exception's message (an ``OSError`` from the
    system as ``'path': reason``)."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        return f"{exc.filename!r}: {exc.strerror}"
    text = str(exc).strip()
    if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str):
        text = exc.args[0]  # str(KeyError) adds quotes
    return " ".join(text.split()) if text else type(exc).__name__


@contextlib.contextmanager
def _warnings_as_lines(where: str):
    """Python warnings as ``WHERE: warning: MESSAGE`` (no source line)."""
    original = warnings.formatwarning

    def formatwarning(message, category, filename, lineno, line=None):
        return f"{where}: warning: {message}\n"

    warnings.formatwarning = formatwarning
    try:
        yield
    finally:
        warnings.formatwarning = original


def _report_bug(where: str, exc: BaseException, debug: bool) -> None:
    from curienn import __version__

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    head = f"{where}: internal error: {type(exc).__name__}: {message_of(exc)}"
    if debug:
        print(text + head, file=sys.stderr)
        return
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        fd, path = tempfile.mkstemp(prefix=f"curienn-traceback-{stamp}-", suffix=".txt")
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{' '.join(sys.argv)}\ncurienn {__version__}, Python {sys.version.split()[0]}\n\n{text}")
    except OSError:  # no writable temporary folder: show it here rather than lose it
        print(text, file=sys.stderr, end="")
        path = None
    where_tb = f"the traceback is in {path}" if path else "the traceback is above"
    print(f"{head}\n{where}: this is a bug in curienn {__version__}, not a problem with your input; "
          f"{where_tb} (rerun with --debug to print it); please report it", file=sys.stderr)


def guarded(where: str, run: Callable[[], int], debug: bool = False) -> int:
    """``run()`` inside the boundary (see the module docstring); returns the exit status."""
    with _warnings_as_lines(where):
        try:
            return int(run() or 0)
        except KeyboardInterrupt:
            print(f"{where}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # e.g. `curienn symmetry show x | head`: the reader left
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout at exit
            return 141  # 128 + SIGPIPE, as a shell reports it
        except (ValueError, OSError, ImportError) as exc:
            if debug:
                traceback.print_exc()
            print(f"{where}: error: {message_of(exc)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except Exception as exc:  # noqa: BLE001 - the boundary: a bug, reported as one
            _report_bug(where, exc, debug)
            return EXIT_BUG
