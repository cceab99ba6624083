"""The command sequence of docs/argon.md runs top to bottom, at tiny sizes, in a fresh folder."""

import os
import shlex

import pytest
import torch

from curienn.cli import main
from curienn.dynamics import load_checkpoint

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "argon.md")


def documented_commands() -> list[str]:
    """The ``curienn argon`` lines of the first bash block under "## Command line"."""
    text = open(DOC, encoding="utf-8").read()
    section = text.split("## Command line", 1)[1]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    lines = []
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert line.startswith("curienn argon "), line
            lines.append(line)
    return lines


def tiny(line: str) -> list[str]:
    """The same command at a tiny size: 300 configurations, a tenth of the minutes
    as steps, 30 MD steps, 2 samples, no progress bars."""
    args = shlex.split(line)[1:]
    out, i = [], 0
    while i < len(args):
        flag = args[i]
        if flag == "--configs":
            out += [flag, "300"]
        elif flag == "--minutes":
            out += ["--minutes", "0", "--steps", str(max(1, round(float(args[i + 1]) / 10)))]
        elif flag == "--md-steps":
            out += [flag, "30"]
        else:
            out.append(flag)
            i -= 1
        i += 2
    if args[1] in ("md", "report"):
        out += ["--samples", "2"]
    if args[1] != "data":
        out.append("--quiet")
    return out


def test_the_documented_sequence_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    old = torch.get_num_threads()
    commands = documented_commands()
    assert len(commands) >= 5 and {shlex.split(c)[2] for c in commands} == {"data", "train", "md", "report"}
    try:
        for line in commands:
            code = main(tiny(line))
            captured = capsys.readouterr()
            assert code == 0, (line, captured.err)
            assert "Traceback" not in captured.err
    finally:
        torch.set_num_threads(old)
    # the files the documentation promises; the default checkpoint holds the last budget given to it
    default_runs = [tiny(c) for c in commands if " train " in c and "--checkpoint" not in c]
    steps = int(default_runs[-1][default_runs[-1].index("--steps") + 1])
    assert load_checkpoint(os.path.join("runs", "argon", "model.pt"))["step"] == steps
    assert os.path.exists(os.path.join("runs", "argon", "md", "md_summary.json"))
    assert os.path.exists(os.path.join("runs", "argon", "report", "summary.json"))


@pytest.mark.parametrize("line, expected", [
    ("curienn argon train --data d.pt --minutes 60", ["argon", "train", "--data", "d.pt", "--minutes", "0",
                                                      "--steps", "6", "--quiet"]),
    ("curienn argon data --configs 100000", ["argon", "data", "--configs", "300"]),
])
def test_tiny_rewrites(line, expected):
    assert tiny(line) == expected
