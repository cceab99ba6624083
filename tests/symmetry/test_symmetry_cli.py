"""`curienn symmetry show/check` on files written with ASE."""

import json

import numpy as np
import pytest

import ase.io as ase_io
import ase  # noqa: E402

from curienn.cli import main  # noqa: E402

SQUARE_XZ = np.array([[1, 0, 1], [1, 0, -1], [-1, 0, -1], [-1, 0, 1]], float)


@pytest.fixture
def files(tmp_path):
    sq = tmp_path / "square.xyz"
    rect = tmp_path / "rect.xyz"
    ase_io.write(sq, ase.Atoms("H4", positions=SQUARE_XZ))
    ase_io.write(rect, ase.Atoms("H4", positions=SQUARE_XZ * [1.1, 1, 1]))
    bad = tmp_path / "bad.xyz"
    bad.write_text("this is\nnot a structure\n")
    return sq, rect, bad, tmp_path


def test_show_point_group(files, capsys):
    sq, *_ = files
    assert main(["symmetry", "show", str(sq), "--table"]) == 0
    out = capsys.readouterr().out
    assert "D4h" in out and "order 16" in out and "B1g" in out


def test_show_json(files, capsys):
    sq, *_ = files
    assert main(["symmetry", "show", str(sq), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["name"] == "D4h" and d["order"] == 16


def test_show_space_group(files, capsys):
    import spglib  # noqa: F401
    from curienn.io._perovskite import glazer_perovskite

    atoms, _ = glazer_perovskite("a0a0c-", 10.0)
    del atoms.arrays["pseudovector"]
    path = files[3] / "tilted.cif"
    ase_io.write(path, atoms)
    assert main(["symmetry", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "I4/mcm (140)" in out


def test_check_square_rectangle(files, capsys):
    sq, rect, *_ = files
    assert main(["symmetry", "check", str(sq), str(rect), "--lmax", "5", "--tol", "1e-3"]) == 0
    out = capsys.readouterr().out
    assert "8 operation(s)" in out
    for comp in ("2e m=2", "3e m=-2", "4e m=2", "5e m=-2"):
        assert comp in out
    assert "B1g" in out
    assert main(["symmetry", "check", str(sq), str(rect), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["n_lost"] == 8 and not d["allowed"]
    assert [c["label"] for c in d["breaking"]["components"]] == ["B1g"] * 4


def test_errors_are_clean(files, capsys):
    sq, _, bad, tmp = files
    assert main(["symmetry", "show", str(bad)]) == 2
    assert "cannot read structure file" in capsys.readouterr().err
    assert main(["symmetry", "show", str(tmp / "missing.xyz")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["symmetry", "show", str(sq), "--tol", "0"]) == 2
    assert "--tol" in capsys.readouterr().err


def test_features_from_extxyz(tmp_path, capsys):
    import spglib  # noqa: F401
    from curienn.io._perovskite import glazer_perovskite

    cubic, _ = glazer_perovskite("a0a0a0", 0.0)
    tilted, omega = glazer_perovskite("a0a0c-", 10.0)
    cubic.arrays["pseudovector"][8:16] = omega  # cubic cell carrying the tilt order parameter
    a, b = tmp_path / "cubic_pv.extxyz", tmp_path / "tilted.extxyz"
    ase_io.write(a, cubic)
    ase_io.write(b, tilted)
    assert main(["symmetry", "show", str(a), "--features", "pseudovector", "--irreps", "1e"]) == 0
    assert "I4/mcm (140)" in capsys.readouterr().out
    assert main(["symmetry", "show", str(a)]) == 0
    assert "Pm-3m (221)" in capsys.readouterr().out
    # Curie: cubic + pseudovectors -> tilted structure is allowed
    assert main(["symmetry", "check", str(a), str(b), "--features", "pseudovector", "--irreps", "1e",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["allowed"] is True
    assert main(["symmetry", "show", str(a), "--features", "nothing", "--irreps", "1e"]) == 2
    assert "no per-atom array" in capsys.readouterr().err
