"""Strain irreps, commensurate wave vectors and their names, field types,
the parent's standard setting, and the docstring examples of these modules."""

import doctest
import importlib

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from curienn.symmetry import (
    close_group, commensurate_kpoints, decompose_strain, field_dim, field_representation, kpoint_name,
    kpoint_stars, parent_setting, parse_field_type, as_structure, space_group,
)

C4Z = np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])
C3 = np.eye(3)[[1, 2, 0]]
OH = close_group([C4Z, C3, -np.eye(3)])
D4H = close_group([C4Z, np.diag([1.0, -1, -1]), -np.eye(3)])


def _sym(rng):
    a = rng.normal(size=(3, 3))
    return (a + a.T) / 2


def test_strain_splits_into_volume_and_the_cubic_shears():
    rng = np.random.default_rng(0)
    e = _sym(rng) * 0.01
    d = decompose_strain(e, OH)
    assert d.point_group == "Oh"
    assert {(c.o3, c.cdml) for c in d.components} == {("0e", "GM1+"), ("2e", "GM3+"), ("2e", "GM5+")}
    assert sum(c.amplitude ** 2 for c in d.components) == pytest.approx(np.sum(e ** 2))
    assert np.allclose(sum(c.tensor for c in d.components), e)
    comp = {c.label: c for c in d.components}
    assert np.allclose(comp["T2g"].tensor, e - np.diag(np.diag(e)))  # the off-diagonal shears
    assert comp["A1g"].amplitude == pytest.approx(abs(np.trace(e)) / np.sqrt(3))
    # each part is invariant as a subspace: rotating the strain rotates the parts
    R = OH[7]
    d2 = decompose_strain(R @ e @ R.T, OH)
    assert [c.amplitude for c in d2.components] == pytest.approx([c.amplitude for c in d.components])


def test_tetragonal_parent_splits_the_shear_further():
    e = np.array([[0.01, 0.002, 0.0], [0.002, -0.01, 0.003], [0.0, 0.003, 0.004]])
    d = decompose_strain(e, D4H)
    assert d.point_group == "D4h"
    labels = [(c.o3, c.label) for c in d.components]
    assert labels == [("0e", "A1g"), ("2e", "A1g"), ("2e", "B1g"), ("2e", "B2g"), ("2e", "Eg")]
    amp = {lab: c.amplitude for lab, c in zip(labels, d.components)}
    assert amp[("2e", "B1g")] == pytest.approx(np.sqrt(2) * 0.01)  # x^2 - y^2
    assert amp[("2e", "B2g")] == pytest.approx(np.sqrt(2) * 0.002)  # xy
    assert amp[("2e", "Eg")] == pytest.approx(np.sqrt(2) * 0.003)  # yz, xz
    with pytest.raises(ValueError, match="symmetric"):
        decompose_strain(np.triu(np.ones((3, 3))), OH)
    with pytest.raises(ValueError, match="shape"):
        decompose_strain(np.eye(3), np.eye(3))


@pytest.mark.parametrize("S, n, names", [
    (np.eye(3, dtype=int), 1, {"GM"}),
    (2 * np.eye(3, dtype=int), 8, {"GM", "X", "M", "R"}),
    (np.diag([1, 1, 2]), 2, {"GM", "X"}),
    ([[1, 1, 0], [-1, 1, 0], [0, 0, 2]], 4, {"GM", "X", "M", "R"}),
    ([[1, 1, 0], [-1, 1, 0], [0, 0, 1]], 2, {"GM", "M"}),
    ([[0, 1, 1], [1, 0, 1], [1, 1, 0]], 2, {"GM", "R"}),  # the fcc-like doubling: R only
    (np.diag([1, 1, 4]), 4, {"GM", "X", "k(0,0,1/4)"}),
])
def test_the_kpoints_a_supercell_holds(S, n, names):
    k = commensurate_kpoints(S)
    assert len(k) == n and np.allclose(k[0], 0)
    # every k is held: exp(2 pi i k . t) = 1 on the supercell's lattice vectors
    assert np.allclose(np.exp(2j * np.pi * (np.asarray(S) @ k.T)), 1)
    pm3m = space_group((np.eye(3), [[0, 0, 0]], [1])).rotations
    stars = kpoint_stars(k, pm3m)
    assert {kpoint_name(s, 221, "Pm-3m")[0] for s in stars} == names
    assert sum(len(s) for s in stars) >= n


def test_kpoint_names_of_other_lattices():
    assert kpoint_name([[0, 0, 0.5]], 127, "P4/mbm")[0] == "Z"
    assert kpoint_name([[0.5, 0, 0.5]], 62, "Pnma")[0] == "U"
    assert kpoint_name([[1 / 3, 1 / 3, 0]], 191, "P6/mmm")[0] == "K"
    assert kpoint_name([[0.5, 0.5, 0]], 139, "I4/mmm")[0] == "k(1/2,1/2,0)"  # no table for centred lattices
    with pytest.raises(ValueError, match="integer"):
        commensurate_kpoints(np.eye(3) * 1.5)


def test_field_types_follow_the_o3_parities():
    R = Rotation.random(random_state=0).as_matrix()
    for g, det in ((R, 1), (-R, -1)):
        D = field_representation("0e + 0o + 1o + 1e", [g])[0]
        assert D.shape == (8, 8)
        assert D[0, 0] == 1 and D[1, 1] == det
        assert np.allclose(D[2:5, 2:5], g) and np.allclose(D[5:8, 5:8], det * g)
    assert parse_field_type("2x1e") == [(2, 1, 1)] and field_dim("2x1e + 0o") == 7
    with pytest.raises(ValueError, match="cannot read"):
        parse_field_type("1x")


def test_parent_setting_reduces_a_supercell_parent_and_states_the_origin(pairs):
    cube = pairs.cubic_perovskite(3.9)
    big = pairs.rotated(cube.repeat((2, 1, 1)), Rotation.random(random_state=1).as_matrix())
    s = parent_setting(as_structure(big))
    assert (s.number, len(s.sites)) == (221, 5)
    assert np.allclose(np.abs(s.primitive), 3.9 * np.eye(3), atol=1e-6)  # rotated back to the cube axes
    assert s.origin.startswith("Ti")
    assert parent_setting(as_structure(big), origin=2).origin.startswith("parent atom 2 (O)")
    assert parent_setting(as_structure(big), origin=[0.25, 0.5, 0.5]).origin.startswith("fractional")
    with pytest.raises(ValueError, match="out of range"):
        parent_setting(as_structure(big), origin=99)


MODULES = ["_structure", "_supercell", "_match", "_molecule_match", "_strain", "_kpoints", "_field_type",
           "_parent_setting", "_modes"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    mod = importlib.import_module(f"curienn.symmetry.{name}")
    res = doctest.testmod(mod, extraglobs={"np": np}, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0
