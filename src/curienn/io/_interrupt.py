"""Ctrl-C as a request, not an exception: :func:`deferred_interrupt` turns the
first SIGINT into a flag that a long job polls at a step boundary (where its
state is whole and can be checkpointed); a second Ctrl-C interrupts at once,
and the flag says so (``forced``: the state may be half updated, do not save it).
"""

from __future__ import annotations

import contextlib
import signal
import threading

__all__ = ["InterruptFlag", "deferred_interrupt"]


class InterruptFlag:
    """``requested`` becomes true at the first Ctrl-C; calling the flag returns it
    (so it can be passed as a ``callback`` that stops a job when it returns true).
    ``forced`` becomes true when a second Ctrl-C raised ``KeyboardInterrupt`` in the
    middle of whatever was running."""

    def __init__(self) -> None:
        self.requested = False
        self.forced = False

    def __call__(self, *_info) -> bool:
        return self.requested


@contextlib.contextmanager
def deferred_interrupt():
    """Within the block the first Ctrl-C sets the yielded :class:`InterruptFlag`;
    a second raises ``KeyboardInterrupt`` as usual. Outside the main thread (where
    signal handlers cannot be set) the flag never rises and Ctrl-C acts as usual."""
    flag = InterruptFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        if flag.requested:
            flag.forced = True
            raise KeyboardInterrupt
        flag.requested = True

    signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)
