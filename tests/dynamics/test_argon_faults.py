"""Interruptions of argon training, in real processes: Ctrl-C (SIGINT) and SIGKILL."""

import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch

from curienn.cli import main
from curienn.dynamics import TrainConfig, load_checkpoint, make_argon_dataset, train_argon

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _wait_for(predicate, timeout: float = 60.0, proc=None):
    t0 = time.monotonic()
    while not predicate():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process ended early (exit {proc.returncode})")
        if time.monotonic() - t0 > timeout:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_ctrl_c_saves_a_checkpoint_and_exits_130(tmp_path, capsys):
    ck = tmp_path / "model.pt"
    err = tmp_path / "err.txt"
    cmd = [sys.executable, "-m", "curienn.cli", "argon", "train", "--configs", "300", "--widths", "6,8,4",
           "--steps", "100000000", "--minutes", "0", "--eval-every", "50", "--checkpoint", str(ck)]
    with open(err, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=fh, text=True, cwd=tmp_path)
        try:
            _wait_for(lambda: "argon adam" in err.read_text(), proc=proc)  # the progress bar: training runs
            time.sleep(0.5)
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=60)
        finally:
            proc.kill()
    assert proc.returncode == 130
    text = err.read_text()
    assert "Traceback" not in text
    last = text.replace("\r", "\n").strip().splitlines()[-1]
    m = re.match(rf"curienn argon train: interrupted at step (\d+); checkpoint saved to {re.escape(str(ck))}; "
                 r"resume with --resume$", last)
    assert m, last
    step = int(m.group(1))
    assert step > 0 and load_checkpoint(ck)["step"] == step
    # and it resumes from there
    cmd[cmd.index("--steps") + 1] = str(step + 5)
    assert main([*cmd[3:], "--resume", "--quiet"]) == 0
    assert f"{step + 5} steps" in capsys.readouterr().out and load_checkpoint(ck)["step"] == step + 5


_CHILD = textwrap.dedent("""
    import io, os, signal, sys
    import torch
    from curienn.dynamics import TrainConfig, make_argon_dataset, train_argon

    torch.set_num_threads(1)
    ck, log, steps, kill_in_save = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if kill_in_save:  # the kill_in_save-th checkpoint write dies half-way through the file
        real_save, calls = torch.save, [0]

        def dying_save(obj, f, *a, **k):
            calls[0] += 1
            if calls[0] < kill_in_save:
                return real_save(obj, f, *a, **k)
            buf = io.BytesIO()
            real_save(obj, buf, *a, **k)
            with open(f, "wb") as fh:
                fh.write(buf.getvalue()[: len(buf.getvalue()) // 2])
                fh.flush()
                os.fsync(fh.fileno())
            os.kill(os.getpid(), signal.SIGKILL)

        torch.save = dying_save
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    cfg = TrainConfig(widths=[6, 8, 4], max_seconds=None, max_steps=steps, batch_size=16, batch_size_final=None,
                      eval_every=1, checkpoint_every=5, checkpoint_every_s=1e9, dtype="float64",
                      lr=1e-3, lr_final=1e-5, patience=None)
    train_argon(make_argon_dataset(200, seed=0), cfg, checkpoint=ck, resume=True, progress=False,
                callback=lambda rec, model: os.write(fd, f"{rec['step']}\\n".encode()))
""")


def test_sigkill_loses_at_most_one_checkpoint_interval(tmp_path):
    """SIGKILL at a random step, and in the middle of a checkpoint write: the file
    on disk is always a whole checkpoint, at most 5 steps (one interval) behind,
    and resuming reproduces the uninterrupted run exactly."""
    child = tmp_path / "child.py"
    child.write_text(_CHILD)
    ck, log, total = tmp_path / "ck.pt", tmp_path / "steps.log", 60

    def logged() -> int:
        lines = log.read_text().split() if log.exists() else []
        return int(lines[-1]) if lines else 0

    def start(kill_in_save: int = 0):
        return subprocess.Popen([sys.executable, str(child), str(ck), str(log), str(total), str(kill_in_save)],
                                stderr=subprocess.PIPE, text=True)

    # 1. killed from outside while training
    proc = start()
    try:
        _wait_for(lambda: logged() >= 17, proc=proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    killed_at = logged()
    saved = load_checkpoint(ck)["step"]  # loads: never half-written
    assert saved % 5 == 0 and 0 <= killed_at - saved <= 5 + 1, (killed_at, saved)
    # 2. killed half-way through its 2nd checkpoint write (steps 5 + saved, then 10 + saved)
    proc = start(kill_in_save=2)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, stderr
    after = load_checkpoint(ck)["step"]
    assert after == saved + 5  # the half-written file never replaced the whole one
    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # the half file is the temporary one
    # 3. resumed to the end (here, in this process): the same weights as an uninterrupted run
    cfg = TrainConfig(widths=[6, 8, 4], max_seconds=None, max_steps=total, batch_size=16, batch_size_final=None,
                      eval_every=1, dtype="float64", lr=1e-3, lr_final=1e-5, patience=None, keep_best=False)
    data = make_argon_dataset(200, seed=0)
    resumed = train_argon(data, cfg, checkpoint=ck, resume=True, progress=False)
    assert resumed.steps == total and resumed.history[0]["step"] == 1
    ref = train_argon(data, cfg, progress=False)
    for k, v in ref.model.state_dict().items():
        assert torch.equal(resumed.model.state_dict()[k], v), k
