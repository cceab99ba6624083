"""Fuzzing (hypothesis) the inputs a user types or points at (issue 14): irreps
strings raise ``ValueError`` and nothing else; structure files (random bytes
under any suffix, random atoms with NaN, huge or repeated coordinates) and flag
values never bring a traceback to the user -- the commands answer or refuse
with one line and exit status 2.
"""

import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curienn import o3
from curienn.cli import build_parser, main
from curienn.cli._args import UsageError

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

IRREPS_TOKENS = st.sampled_from(["0e", "1o", "2e", "1y", "x", "+", " ", "-", "3", "e", "o", "y", "(", ")", ",", "*",
                                 "1e6", "nan", "∞", "\x00", "\n", "99999999999999999999", "-1", "0x", "1.5"])


@FUZZ
@given(st.one_of(st.text(max_size=30), st.lists(IRREPS_TOKENS, max_size=10).map("".join)))
def test_irreps_strings_raise_value_errors_only(text):
    for parse in (o3.Irreps, o3.Irrep):
        try:
            parse(text)
        except ValueError:
            pass  # every o3 exception class is a ValueError


def _status(argv, capsys):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out, err
    assert all(line.startswith("curienn") for line in err.splitlines() if line.strip()), err
    return rc, err


SUFFIXES = st.sampled_from(["xyz", "extxyz", "cif", "vasp", "traj", "pdb", "json", "xsf", "", "POSCAR", "txt"])


@FUZZ
@given(content=st.binary(max_size=300), suffix=SUFFIXES)
def test_random_bytes_as_a_structure_file(content, suffix, capsys):
    with tempfile.TemporaryDirectory() as d:
        name = {"POSCAR": "POSCAR", "": "structure"}.get(suffix, f"s.{suffix}")
        path = os.path.join(d, name)
        with open(path, "wb") as fh:
            fh.write(content)
        rc, err = _status(["symmetry", "show", path], capsys)
        assert rc in (0, 2)
        if rc == 2:
            assert err.count("\n") == 1 and os.path.basename(path) in err, err


COORD = st.one_of(st.floats(-5, 5), st.sampled_from([float("nan"), float("inf"), 1e300, -1e200, 1e9, 0.0]))


@FUZZ
@given(atoms=st.lists(st.tuples(st.sampled_from(["H", "C", "O", "Xx", "12"]), COORD, COORD, COORD),
                      min_size=0, max_size=6),
       repeat=st.booleans())
def test_random_atoms(atoms, repeat, capsys):
    if repeat and atoms:
        atoms = atoms + atoms[:1]  # a duplicate atom
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "atoms.xyz")
        with open(path, "w") as fh:
            fh.write(f"{len(atoms)}\n\n" + "".join(f"{s} {x!r} {y!r} {z!r}\n" for s, x, y, z in atoms))
        rc, err = _status(["symmetry", "show", path], capsys)
        assert rc in (0, 2)
        if rc == 2:
            assert err.count("\n") == 1, err


def _flags():
    """(command words, positionals, flag action) of the range-checked flags."""
    parser = build_parser()
    for words, p in _leaf_parsers(parser):
        positionals = ["x.xyz" for a in p._actions if not a.option_strings and a.nargs is None]
        for a in p._actions:
            if a.option_strings and getattr(a.type, "range", None) is not None:
                yield words, positionals, a


def _leaf_parsers(parser, words=()):
    subs = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    if not subs:
        yield words, parser
    for action in subs:
        for name, p in action.choices.items():
            yield from _leaf_parsers(p, words + (name,))


FLAGS = list(_flags())


@pytest.mark.parametrize("words, positionals, action", FLAGS,
                         ids=[" ".join(w) + a.option_strings[-1] for w, _, a in FLAGS])
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.text(max_size=12), st.integers(-10**20, 10**20).map(str),
                       st.floats(allow_nan=True, allow_infinity=True).map(repr)))
def test_flag_values(words, positionals, action, value, capsys):
    flag = action.option_strings[-1]
    argv = [*words, *positionals, f"{flag}={value}"]
    try:
        args = build_parser().parse_args(argv)
    except UsageError:
        rc, err = _status(argv, capsys)  # refused before anything runs
        assert rc == 2 and err.count("\n") == 1 and f"argument {flag}:" in err, err
        return
    got = getattr(args, action.dest)  # accepted: within the promised range
    lo, hi = action.type.range
    assert got == got and abs(got) != float("inf")
    assert (lo is None or got >= lo) and (hi is None or got <= hi)
