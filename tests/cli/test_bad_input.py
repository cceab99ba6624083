"""Every user-facing command with every bad input (issue 14): one line on stderr
that names the bad value or file, exit status 2, never a Python traceback.

The commands run in-process through :func:`curienn.cli.main` (fast). Adding a
command is one line in ``FILE_COMMANDS`` / ``CHECKPOINT_COMMANDS``; its flags
are found in the parser (``test_every_flag_rejects_bad_values``).
"""

import argparse
import os

import numpy as np
import pytest
import torch

from curienn.cli import build_parser, main
from curienn.cli._args import UsageError
from curienn.io import save_checkpoint


def run(argv, capsys):
    """``main(argv)``: (status, stdout, stderr); stderr holds only curienn's own lines."""
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out, err
    strays = [line for line in err.splitlines() if line.strip() and not line.startswith("curienn")]
    assert not strays, f"lines on stderr that are not curienn's own: {strays}"
    return rc, out, err


def error_line(err):
    """The one error line (commands may print a title line first)."""
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert len(lines) == 1, err
    return lines[0]


# ---- the commands and where a file goes ----------------------------------------------------------------------------
#: command -> argv with "{file}" (the bad file), "{good}" (a good single-frame structure), "{out}" (a fresh folder)
FILE_COMMANDS = {
    "symmetry show": ["symmetry", "show", "{file}"],
    "symmetry check (input)": ["symmetry", "check", "{file}", "{good}"],
    "symmetry check (target)": ["symmetry", "check", "{good}", "{file}"],
    "order-parameter (input)": ["order-parameter", "--input", "{file}", "--target", "{good}", "--out", "{out}"],
    "order-parameter (target)": ["order-parameter", "--input", "{good}", "--target", "{file}", "--out", "{out}"],
}


def _resume_from(path, out):
    """order-parameter --resume reads OUT/checkpoint.pt: put the bad file there."""
    os.makedirs(out, exist_ok=True)
    if os.path.exists(path):
        os.replace(path, os.path.join(out, "checkpoint.pt"))
    return ["order-parameter", "--resume", "--model-steps", "1", "--steps", "1", "--no-progress", "--out", out]


#: command -> argv builder for a bad checkpoint or data file (path, out folder) and the kind the command reads
CHECKPOINT_COMMANDS = {
    "order-parameter --resume": (_resume_from, "order-parameter-checkpoint"),
    "argon md --checkpoint": (lambda path, out: ["argon", "md", "--checkpoint", path, "--out", out], "argon-checkpoint"),
    "argon train --data": (lambda path, out: ["argon", "train", "--data", path, "--steps", "1", "--quiet",
                                              "--checkpoint", os.path.join(out, "model.pt")], "argon-dataset"),
}
#: commands for which a missing file is not an error (--resume starts fresh: tested with the outputs)
MISSING_IS_FRESH = {"order-parameter --resume"}


def _xyz(path, rows, comment=""):
    with open(path, "w") as fh:
        fh.write(f"{len(rows)}\n{comment}\n" + "".join(f"{s} {x} {y} {z}\n" for s, x, y, z in rows))


SQUARE = [("H", 0.0, 0.0, 0.0), ("H", 1.0, 0.0, 0.0), ("H", 1.0, 1.0, 0.0), ("H", 0.0, 1.0, 0.0)]


def _bytes(content, name="bad.xyz"):
    def write(d):
        p = os.path.join(d, name)
        with open(p, "wb") as fh:
            fh.write(content)
        return p
    return write


def _rows(rows, name="bad.xyz"):
    def write(d):
        p = os.path.join(d, name)
        _xyz(p, rows)
        return p
    return write


def _directory(d):
    p = os.path.join(d, "adir.xyz")
    os.makedirs(p)
    return p


#: bad structure file -> (writer, what the message must say)
BAD_STRUCTURES = {
    "missing": (lambda d: os.path.join(d, "missing.xyz"), "does not exist"),
    "empty": (_bytes(b""), "holds no structure"),
    "directory": (_directory, "is a directory"),
    "random bytes": (_bytes(bytes(np.random.default_rng(0).integers(0, 256, 400, dtype=np.uint8))),
                     "cannot read structure file"),
    "binary .traj": (_bytes(b"\x00\x01\x02garbage", "bad.traj"), "cannot read structure file"),
    "junk POSCAR": (_bytes(b"junk\n", "POSCAR"), "cannot read structure file"),
    "wrong suffix (xyz text as .cif)": (_bytes(b"4\n\nH 0 0 0\nH 1 0 0\nH 1 1 0\nH 0 1 0\n", "square.cif"),
                                        "give the format explicitly"),
    "fewer atoms than declared": (_bytes(b"3\n\nH 0 0 0\nH 1 0 0\n"), "cannot read structure file"),
    "NaN coordinate": (_rows([("H", "nan", 0, 0), *SQUARE[1:]]), "non-finite (NaN or inf) coordinates"),
    "huge coordinates": (_rows([("H", 1e300, 0, 0), ("H", -1e300, 0, 0), ("H", 0, 1, 0)]), "exceed 1e8"),
    "duplicate atoms": (_rows([*SQUARE, SQUARE[0]]), "overlapping atoms"),
}


@pytest.fixture
def good(tmp_path):
    p = tmp_path / "square.xyz"
    _xyz(p, SQUARE)
    return str(p)


def _argv(template, **values):
    return [a.format(**values) for a in template]


@pytest.mark.parametrize("case", list(BAD_STRUCTURES))
@pytest.mark.parametrize("command", list(FILE_COMMANDS))
def test_bad_structure_files(command, case, tmp_path, good, capsys):
    write, says = BAD_STRUCTURES[case]
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    path = write(str(bad_dir))
    rc, _, err = run(_argv(FILE_COMMANDS[command], file=path, good=good, out=tmp_path / "out"), capsys)
    line = error_line(err)
    assert rc == 2 and says in line and os.path.basename(path) in line, line
    assert not (tmp_path / "out").exists()  # nothing written for a run that never started


@pytest.mark.parametrize("command", list(FILE_COMMANDS))
def test_index_past_a_single_frame_says_file_has_1_frame(command, tmp_path, good, capsys):
    argv = _argv(FILE_COMMANDS[command], file=good, good=good, out=tmp_path / "out") + ["--index", "5"]
    rc, _, err = run(argv, capsys)
    assert rc == 2 and "square.xyz' has 1 frame; index=5 is out of range" in error_line(err)


@pytest.mark.parametrize("command", list(FILE_COMMANDS))
def test_an_unknown_format_name(command, tmp_path, good, capsys):
    argv = _argv(FILE_COMMANDS[command], file=good, good=good, out=tmp_path / "out") + ["--format", "POSCAR"]
    rc, _, err = run(argv, capsys)
    assert rc == 2 and "format='POSCAR' is not an ASE format" in error_line(err) and "did you mean vasp?" in err


def _truncated(path, kind):
    save_checkpoint(path, {"w": torch.randn(4000)}, kind=kind)
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])


#: bad checkpoint -> (writer(path, kind), what the message must say)
BAD_CHECKPOINTS = {
    "missing": (lambda p, kind: None, "does not exist"),
    "empty": (lambda p, kind: open(p, "wb").close(), "is empty"),
    "text (a structure file)": (lambda p, kind: _xyz(p, SQUARE), "it is a text file"),
    "truncated .pt": (_truncated, "a PyTorch file cut short"),
    "random bytes": (lambda p, kind: open(p, "wb").write(bytes(range(7, 250))), "binary data"),
    "a torch tensor": (lambda p, kind: torch.save(torch.ones(3), p), "holding a Tensor"),
    "another kind of curienn file": (lambda p, kind: save_checkpoint(p, {"x": 1}, kind="not-" + kind),
                                     "file, not a"),
    "a directory": (lambda p, kind: os.makedirs(p), "is a directory"),
}


@pytest.mark.parametrize("command, case", [(c, k) for c in CHECKPOINT_COMMANDS for k in BAD_CHECKPOINTS
                                           if not (k == "missing" and c in MISSING_IS_FRESH)])
def test_bad_checkpoints(command, case, tmp_path, capsys):
    build, kind = CHECKPOINT_COMMANDS[command]
    write, says = BAD_CHECKPOINTS[case]
    path = str(tmp_path / "bad.pt")
    write(path, kind)
    rc, _, err = run(build(path, str(tmp_path / "out")), capsys)
    line = error_line(err)
    assert rc == 2 and says in line and ("checkpoint.pt" in line or "bad.pt" in line), line


# ---- flags ---------------------------------------------------------------------------------------------------------
def _commands(parser, path=()):
    """(words, sub-parser) of every command that runs something."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, p in action.choices.items():
            yield from _commands(p, path + (name,))


def _positionals(parser):
    return ["x.xyz" for a in parser._actions if not a.option_strings and a.nargs is None and a.dest != "help"]


def _bad_values(action):
    """Values the flag must refuse: not a number, NaN/inf, outside its range, ..."""
    t = action.type
    if action.choices is not None:
        return ["no-such-choice"]
    if t is int or getattr(t, "__name__", "") == "integer":
        lo, hi = getattr(t, "range", (None, None))
        return ["x", "", "1.5", "nan"] + ([str(lo - 1)] if lo is not None else []) + ([str(hi + 1)] if hi is not None else [])
    if getattr(t, "__name__", "") == "number":
        lo, hi = t.range
        return ["x", "", "nan", "inf", "-inf"] + ([str(lo - 1)] if lo is not None else []) + ([str(hi * 2 + 1)] if hi else [])
    if getattr(t, "__name__", "") == "irreps":
        return ["garbage", "1x", "2e+", "1e 2o"]
    return []


FLAGS = [(" ".join(words), a.option_strings[-1], value, _positionals(p))
         for words, p in _commands(build_parser()) for a in p._actions if a.option_strings
         for value in _bad_values(a)]


def test_every_numeric_flag_is_checked_when_parsed():
    """Numeric flags of the commands this issue covers use the range-checking types."""
    plain = [(words, a.option_strings[-1]) for words, p in _commands(build_parser()) for a in p._actions
             if a.option_strings and a.type in (int, float)]
    assert not plain, f"numeric flags without a range check: {plain}"
    assert len(FLAGS) > 60


@pytest.mark.parametrize("command, flag, value, positionals", FLAGS,
                         ids=[f"{c}{f}={v!r}" for c, f, v, _ in FLAGS])
def test_every_flag_rejects_bad_values(command, flag, value, positionals, capsys):
    argv = [*command.split(), *positionals, f"{flag}={value}"]
    with pytest.raises(UsageError):  # refused by the parser: nothing runs
        build_parser().parse_args(argv)
    rc, _, err = run(argv, capsys)
    line = error_line(err)
    assert rc == 2 and f"argument {flag}" in line and err.count("\n") == 1, err


def test_demo_lmax_in_the_users_terms(capsys):
    for value in ("100", "-1"):
        rc, _, err = run(["demo", "--lmax", value], capsys)
        assert rc == 2
        assert f"curienn demo: error: argument --lmax: must be an integer from 0 to 64, got {value}" in err
    assert run(["demo", "--lmax", "64", "--seed", "1"], capsys)[0] == 0  # the top of the range works


def test_symmetry_lmax_range_is_the_librarys():
    from curienn.cli.symmetry import BREAKING_LMAX
    from curienn.symmetry import breaking_irreps, point_group

    square = np.array(SQUARE_POINTS)
    g, h = point_group(square), point_group(square * [1.2, 1, 1])
    assert breaking_irreps(g, h, lmax=BREAKING_LMAX).lmax == BREAKING_LMAX
    with pytest.raises(ValueError, match=f"at most {BREAKING_LMAX}"):
        breaking_irreps(g, h, lmax=BREAKING_LMAX + 1)


SQUARE_POINTS = [[x, y, z] for _, x, y, z in SQUARE]


def test_sh_lmax_is_the_librarys():
    from curienn import o3
    from curienn.cli._args import SH_LMAX

    assert o3.spherical_harmonics([SH_LMAX], torch.randn(3), True).shape == (2 * SH_LMAX + 1,)
    with pytest.raises(ValueError):
        o3.spherical_harmonics([SH_LMAX + 1], torch.randn(3), True)


def test_usage_errors_are_one_line(capsys):
    for argv in (["no-such-command"], ["symmetry"], ["order-parameter", "--no-such-flag"], ["demo", "--lmax"]):
        rc, _, err = run(argv, capsys)
        assert rc == 2 and err.count("\n") == 1 and "--help" in err, err
