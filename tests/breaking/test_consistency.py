"""One truth about breaking: `curienn order-parameter` and `curienn symmetry check`
give the same group-theoretic answer (methane Td -> C3v, a strain-only child), the
Curie floor is exact and the report says whether the model alone reached it, and an
order parameter that cannot carry the breaking is named in a warning."""

import json
import re

import ase.io
import numpy as np
import pytest

from curienn import cli
from curienn.breaking import OrderParameterProblem, curie_floor, methane_pair, strain_pair


def _check(tmp_path, capsys, parent, child, suffix):
    a, b = tmp_path / f"parent.{suffix}", tmp_path / f"child.{suffix}"
    ase.io.write(a, parent)
    ase.io.write(b, child)
    assert cli.main(["symmetry", "check", str(a), str(b), "--json"]) == 0
    check = json.loads(capsys.readouterr().out)
    out = tmp_path / "op"
    assert cli.main(["order-parameter", "--input", str(a), "--target", str(b), "--out", str(out), "--no-progress",
                     "--no-figures"]) == 0
    text = capsys.readouterr().out
    return check, json.loads((out / "report.json").read_text()), text


def test_methane_both_commands_say_breaking_is_required_by_t2(tmp_path, capsys):
    parent, child = methane_pair()
    child.rotate(25, (0, 1, 1), center="COM")  # and the files need not share a frame
    child.positions += [1.0, 2.0, 3.0]
    check, rep, text = _check(tmp_path, capsys, parent, child, "xyz")
    assert not check["allowed"] and check["required"] and check["kept_group"] == "C3v"
    assert check["irreps"] == ["T2"] and {c["label"] for c in check["breaking"]["components"]} == {"T2"}
    i = rep["interpretation"]
    assert i["symmetry"]["required"] and i["symmetry"]["irreps"] == ["T2"] and i["symmetry"]["kept"] == "C3v"
    # the Curie floor is the orbit average's: far from zero, and the model alone reaches it
    fl = i["floor"]
    assert 0.5 < fl["ratio"] < 0.9 and fl["breaking_required"] and fl["reached"]
    assert fl["model_only_over_floor"] == pytest.approx(1.0, abs=0.02)
    # the search breaks the symmetry the way the group theory says: T2, down to C3v
    assert i["fit"]["converged"] and i["fit"]["ratio"] < 0.02
    assert {m["label"] for m in i["order_parameter_modes"]["modes"]} == {"T2"}
    assert i["learned_symmetry"] == "C3v" and not i["warnings"]
    assert "nothing had to break" not in text and "x the floor (reached)" in text


def test_the_curie_floor_is_the_orbit_average():
    """One H of methane displaced along its bond: the best invariant output moves
    each H by a quarter of it, so 3/4 of the zero-output loss is left (MSE); the L1
    floor is the minimum of a one-parameter convex function."""
    parent, _ = methane_pair()
    u = parent.positions[1] / np.linalg.norm(parent.positions[1])
    t = np.zeros((5, 3))
    t[1] = 0.1 * u
    fl = curie_floor(parent.positions, t, "1o", parent.get_chemical_symbols())
    assert fl["ratio"] == pytest.approx(0.75) and fl["group"] == "Td" and fl["stabilisers"] == [24, 6, 6, 6, 6]
    l1 = curie_floor(parent.positions, t, "1o", parent.get_chemical_symbols(), loss="l1")
    bonds = parent.positions[1:] / np.linalg.norm(parent.positions[1:], axis=1, keepdims=True)

    def loss(a):  # every H moved by a along its bond
        y = np.zeros((5, 3))
        y[1:] = a * bonds
        return np.abs(y - t).mean()

    assert l1["floor"] == pytest.approx(min(loss(a) for a in np.linspace(-0.1, 0.2, 30001)), abs=1e-9)


def test_strain_only_both_commands_say_the_strain_breaks_it(tmp_path, capsys):
    check, rep, text = _check(tmp_path, capsys, *strain_pair(), "cif")
    assert check["required"] and not check["displacements_break"] and check["irreps"] == ["GM3+"]
    i = rep["interpretation"]
    assert i["symmetry"]["required"] and i["symmetry"]["irreps"] == ["GM3+"]
    assert i["fit"]["ratio"] == 0.0 and "no atom moves" in i["fit"]["note"]
    assert rep["result"]["fit"]["steps"] == 0
    assert "the displacements alone break nothing: the strain does" in text
    assert re.search(r"\d{4,}(\.\d*)?%", text) is None  # no "26375810419866.988% of the zero-output loss"


def test_candidate_irreps_that_cannot_break_the_symmetry_are_named(tmp_path, capsys):
    from curienn.breaking import ferroelectric_pair

    parent, child = ferroelectric_pair("111")
    problem = OrderParameterProblem.from_structures(parent, child, sites="Ti", irreps="0e+1e+2e")
    (warning,) = problem.warnings
    assert "cannot lower the parent's symmetry Pm-3m (221) to the target's R3m (160)" in warning
    assert warning.endswith("irreps that can, on the same sites: 1o, 3o") and problem.config.restarts == 0
    ase.io.write(tmp_path / "p.cif", parent)
    ase.io.write(tmp_path / "c.cif", child)
    assert cli.main(["order-parameter", "--input", str(tmp_path / "p.cif"), "--target", str(tmp_path / "c.cif"),
                     "--irreps", "0e", "--sites", "Ti", "--steps", "2", "--out", str(tmp_path / "o"),
                     "--no-progress", "--no-figures"]) == 0
    err = capsys.readouterr().err
    assert "warning: the candidate order parameter (0e on each site of Ti) cannot lower" in err
    assert "irreps that can, on the same sites: 1o" in err


def test_symmetry_check_matches_a_translated_crystal_and_its_own_supercell(tmp_path, capsys):
    from curienn.breaking import cubic_perovskite

    cubic = cubic_perovskite()
    moved = cubic.copy()
    moved.positions += [0.7, -1.3, 0.2]
    moved.wrap()
    ase.io.write(tmp_path / "cubic.cif", cubic)
    for name, atoms in (("moved.vasp", moved), ("big.extxyz", cubic.repeat((2, 2, 2)))):
        ase.io.write(tmp_path / name, atoms)
        assert cli.main(["symmetry", "check", str(tmp_path / "cubic.cif"), str(tmp_path / name), "--json"]) == 0
        d = json.loads(capsys.readouterr().out)
        assert d["allowed"] and d["n_lost"] == 0 and not d["required"] and d["irreps"] == []
        assert d["match"]["n_cells"] == (8 if name == "big.extxyz" else 1)
