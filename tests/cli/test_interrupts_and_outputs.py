"""Interruptions and output folders (issue 14): Ctrl-C saves a checkpoint and says
how to resume (exit 130); ``--resume`` without a checkpoint says it starts fresh;
a folder holding an earlier run is refused unless ``--overwrite``, which leaves
no file of the earlier run behind; internal errors say they are bugs and where
the traceback went.

Signals are sent to a real ``python -m curienn.cli`` process; everything else
runs in-process.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import curienn
from curienn.cli import main, order_parameter
import curienn.io
from curienn.io import InterruptFlag
from curienn.io import load_checkpoint

TINY = ["--model-steps", "3", "--steps", "3", "--no-progress"]


def _run(argv, capsys):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    return rc, out, err


def _history(out):
    return json.loads((out / "report.json").read_text())["result"]["history"]


# ---- Ctrl-C --------------------------------------------------------------------------------------------------------
def _start(out, *extra):
    return subprocess.Popen([sys.executable, "-m", "curienn.cli", "order-parameter", "--model-steps", "400",
                             "--steps", "400", "--no-progress", "--no-figures", "--out", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_search(proc):
    """Read stderr until the search starts (its title line); returns the lines read."""
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        lines.append(line)
        if "square -> rectangle" in line or not line:
            return lines
    raise AssertionError(f"the search did not start: {lines}")


def test_ctrl_c_saves_a_checkpoint_and_says_how_to_resume(tmp_path):
    out = tmp_path / "run"
    proc = _start(out)
    _wait_for_search(proc)
    time.sleep(1.0)  # inside the first steps: long before the first periodic checkpoint (10 s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("curienn order-parameter: interrupted at step ")
    assert f"checkpoint saved to {out / 'checkpoint.pt'}; resume with --resume" in lines[0]
    step = int(lines[0].split("interrupted at step ")[1].split(";")[0])
    ck = load_checkpoint(out / "checkpoint.pt", kind="order-parameter-checkpoint", required=("scalars",))
    assert ck["scalars"]["step"] == step >= 1
    assert sorted(os.listdir(out)) == ["checkpoint.pt"]  # no report of an unfinished run


def test_second_ctrl_c_stops_at_once(tmp_path):
    out = tmp_path / "run"
    proc = _start(out)
    _wait_for_search(proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "interrupted" in lines[0], err


@contextlib.contextmanager
def _interrupt_after(steps):
    """A deferred interrupt whose flag rises after ``steps`` steps (as a Ctrl-C would)."""
    flag = InterruptFlag()

    def callback(info):
        flag.requested = info["step"] >= steps
        return flag.requested

    yield callback


def test_interrupted_run_resumes_to_the_uninterrupted_result(tmp_path, capsys, monkeypatch):
    whole, part = tmp_path / "whole", tmp_path / "part"
    assert _run(["order-parameter", *TINY, "--no-figures", "--out", whole], capsys)[0] == 0
    monkeypatch.setattr(curienn.io, "deferred_interrupt", lambda: _interrupt_after(4))
    rc, out, err = _run(["order-parameter", *TINY, "--no-figures", "--out", part], capsys)
    assert rc == 130 and "interrupted at step 4; checkpoint saved to" in err and "resume with --resume" in err
    assert os.listdir(part) == ["checkpoint.pt"]
    monkeypatch.undo()
    rc, out, err = _run(["order-parameter", *TINY, "--no-figures", "--out", part, "--resume"], capsys)
    assert rc == 0 and "starting fresh" not in err
    assert _history(part) == _history(whole)


def test_ctrl_c_before_the_search_leaves_no_output_folder(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(curienn.breaking.OrderParameterProblem, "square_to_rectangle", interrupted)
    rc, out, err = _run(["order-parameter", *TINY, "--out", tmp_path / "run"], capsys)
    assert rc == 130 and err == "curienn order-parameter: interrupted\n"
    assert not (tmp_path / "run").exists()


def test_ctrl_c_while_writing_the_report(tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(curienn.breaking, "interpret", interrupted)
    rc, _, err = _run(["order-parameter", *TINY, "--out", out], capsys)
    assert rc == 130
    assert "interrupted while writing the report" in err and "rerun with --resume to write it" in err
    monkeypatch.undo()
    rc, _, err = _run(["order-parameter", *TINY, "--no-figures", "--out", out, "--resume"], capsys)
    assert rc == 0 and (out / "report.json").exists()


# ---- --resume and output folders --------------------------------------------------------------------------------
def test_resume_without_a_checkpoint_says_it_starts_fresh(tmp_path, capsys):
    out = tmp_path / "run"
    rc, _, err = _run(["order-parameter", *TINY, "--no-figures", "--out", out, "--resume"], capsys)
    assert rc == 0
    assert f"curienn order-parameter: no checkpoint at {out / 'checkpoint.pt'}; starting fresh" in err


def test_an_earlier_run_is_refused_or_replaced_whole(tmp_path, capsys):
    out = tmp_path / "run"
    assert _run(["order-parameter", *TINY, "--out", out], capsys)[0] == 0  # with figures
    first = set(os.listdir(out))
    assert {"report.json", "report.md", "checkpoint.pt", "loss.png"} <= first
    # every file a run writes is one the command knows (and so replaces with --overwrite)
    known = {f for f in order_parameter.OUTPUT_FILES if "*" not in f}
    assert first <= known, first - known
    (out / "notes.txt").write_text("mine")  # not curienn's: kept
    before = (out / "report.json").read_bytes()

    rc, _, err = _run(["order-parameter", *TINY, "--seed", "1", "--out", out], capsys)
    assert rc == 2 and "holds files of an earlier run" in err and "--overwrite" in err
    assert (out / "report.json").read_bytes() == before  # untouched

    rc, _, err = _run(["order-parameter", *TINY, "--seed", "1", "--no-figures", "--out", out, "--overwrite"], capsys)
    assert rc == 0
    assert set(os.listdir(out)) == {"report.json", "report.md", "checkpoint.pt", "notes.txt"}  # no stale figure
    assert json.loads((out / "report.json").read_text())["result"]["config"]["seed"] == 1

    rc, _, err = _run(["order-parameter", *TINY, "--out", out, "--overwrite", "--resume"], capsys)
    assert rc == 2 and "give one of them" in err


def test_bad_input_does_not_cost_the_earlier_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert _run(["order-parameter", *TINY, "--no-figures", "--out", out], capsys)[0] == 0
    rc, _, err = _run(["order-parameter", *TINY, "--out", out, "--overwrite", "--sites", "Xx"], capsys)
    assert rc == 2 and "sites" in err
    assert sorted(os.listdir(out)) == ["checkpoint.pt", "report.json", "report.md"]


def test_ctrl_c_during_the_first_step_of_an_overwrite_keeps_the_earlier_run(tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    assert _run(["order-parameter", *TINY, "--no-figures", "--out", out], capsys)[0] == 0
    before = {f: (out / f).read_bytes() for f in os.listdir(out)}

    def interrupted(*args, **kwargs):  # as a second Ctrl-C inside the first step
        raise KeyboardInterrupt

    monkeypatch.setattr(curienn.breaking, "search", interrupted)
    rc, _, err = _run(["order-parameter", *TINY, "--seed", "2", "--out", out, "--overwrite"], capsys)
    assert rc == 130 and f"the earlier run in {str(out)!r} is untouched" in err
    assert {f: (out / f).read_bytes() for f in os.listdir(out)} == before


#: commands writing an --out folder (checked before any input is read)
FOLDER_COMMANDS = {
    "order-parameter": ["order-parameter", *TINY],
    "argon md": ["argon", "md", "--checkpoint", "none.pt", "--md-steps", "1"],
    "argon report": ["argon", "report", "--steps", "1", "--md-steps", "0", "--configs", "5"],
}


@pytest.mark.parametrize("command", list(FOLDER_COMMANDS))
def test_out_must_be_a_folder(command, tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    rc, _, err = _run([*FOLDER_COMMANDS[command], "--out", f], capsys)
    assert rc == 2 and f"curienn {command}: error: --out {str(f)!r} is a file, not a folder" in err, err
    assert f.read_text() == "x"


# ---- the boundary itself -------------------------------------------------------------------------------------------
def _broken(exc):
    def run(args):
        raise exc

    return run


def test_internal_errors_are_reported_as_bugs(tmp_path, capsys, monkeypatch):
    import tempfile

    from curienn.cli import demo

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(demo, "run", _broken(RuntimeError("a bug")))
    rc, _, err = _run(["demo"], capsys)
    assert rc == 70
    assert "curienn demo: internal error: RuntimeError: a bug" in err
    assert "this is a bug in curienn" in err and "--debug" in err
    path = err.split("the traceback is in ")[1].split(" (rerun")[0]
    assert os.path.dirname(path) == str(tmp_path)
    text = open(path).read()
    assert "Traceback (most recent call last)" in text and "RuntimeError: a bug" in text
    # --debug (anywhere) or CURIENN_DEBUG prints it instead
    for argv in (["--debug", "demo"], ["demo", "--debug"]):
        assert main(argv) == 70
        assert "Traceback (most recent call last)" in capsys.readouterr().err
    monkeypatch.setenv("CURIENN_DEBUG", "1")
    assert main(["demo"]) == 70
    assert "Traceback (most recent call last)" in capsys.readouterr().err


@pytest.mark.parametrize("exc, status, says", [
    (ValueError("bad value 3"), 2, "curienn demo: error: bad value 3"),
    (FileNotFoundError("nope.cif does not exist"), 2, "curienn demo: error: nope.cif does not exist"),
    (PermissionError(13, "Permission denied", "/root/out"), 2, "curienn demo: error: '/root/out': Permission denied"),
    (ImportError("reading structures needs ASE: pip install 'curienn[md]'"), 2, "needs ASE"),
    (KeyboardInterrupt(), 130, "curienn demo: interrupted"),
    (KeyError("model"), 70, "internal error: KeyError: model"),
])
def test_what_each_failure_prints(exc, status, says, tmp_path, capsys, monkeypatch):
    import tempfile

    from curienn.cli import demo

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(demo, "run", _broken(exc))
    rc, _, err = _run(["demo"], capsys)
    assert rc == status and says in err, err
    if status == 2:
        assert err.count("\n") == 1


def test_warnings_are_one_line():
    # in a process of its own: pytest records warnings in-process instead of printing them
    script = ("import sys, warnings\n"
              "from curienn.cli import demo, main\n"
              "def run(args):\n"
              "    warnings.warn('these irreps cannot break anything', UserWarning)\n"
              "    return 0\n"
              "demo.run = run\n"
              "sys.exit(main(['demo']))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "curienn demo: warning: these irreps cannot break anything\n"


def test_a_closed_pipe_is_not_an_error(capsys, monkeypatch):
    from curienn.cli import demo

    monkeypatch.setattr(demo, "run", _broken(BrokenPipeError(32, "Broken pipe")))
    monkeypatch.setattr(sys, "stdout", sys.stdout)  # the boundary points stdout at /dev/null
    assert main(["demo"]) == 141
