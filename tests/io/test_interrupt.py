"""curienn.io.deferred_interrupt: the first Ctrl-C is a request, the second interrupts and
says that it did (``forced``), and the previous handler comes back."""

import signal
import threading

import pytest

from curienn.io import InterruptFlag, deferred_interrupt


def test_first_ctrl_c_is_a_request_the_second_interrupts():
    assert threading.current_thread() is threading.main_thread()
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        with deferred_interrupt() as flag:
            assert isinstance(flag, InterruptFlag) and not flag.requested and not flag()
            signal.raise_signal(signal.SIGINT)
            assert flag.requested and flag({"step": 3}) and not flag.forced
            signal.raise_signal(signal.SIGINT)
    assert flag.forced
    assert signal.getsignal(signal.SIGINT) is before


def test_outside_the_main_thread_ctrl_c_is_not_deferred():
    seen = []

    def run():
        with deferred_interrupt() as flag:
            seen.append((flag.requested, flag.forced, signal.getsignal(signal.SIGINT)))

    before = signal.getsignal(signal.SIGINT)
    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert seen == [(False, False, before)]
