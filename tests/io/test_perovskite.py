"""Glazer-tilt perovskites: spglib must find the Howard & Stokes (1998) groups."""

import numpy as np
import pytest

import spglib as spglib
import ase  # noqa: F401

from curienn.io._perovskite import B_SITES, glazer_perovskite, glazer_pseudovectors, parse_glazer  # noqa: E402

# Howard & Stokes, Acta Cryst. B54, 782 (1998), Table 2
CASES = [
    ("a0a0a0", 0.0, 221, "Pm-3m"),
    ("a+b-b-", (10, 8, 8), 62, "Pnma"),
    ("a0b-b-", (0, 8, 8), 74, "Imma"),
    ("a0a0c-", 10.0, 140, "I4/mcm"),
    ("a0a0c+", 10.0, 127, "P4/mbm"),
    ("a-a-a-", 8.0, 167, "R-3c"),
    ("a+a+a+", 8.0, 204, "Im-3"),
    ("a0b+b+", (0, 8, 8), 139, "I4/mmm"),
    ("a+b-c0", (6, 8, 0), 63, "Cmcm"),
    ("a-b-c-", (6, 8, 10), 2, "P-1"),
]


def _cell(atoms):
    return atoms.cell[:], atoms.get_scaled_positions(), atoms.numbers


@pytest.mark.parametrize("tilts, angles, number, symbol", CASES)
def test_space_group_of_tilt_system(tilts, angles, number, symbol):
    atoms, omega = glazer_perovskite(tilts, angles)
    assert len(atoms) == 40 and atoms.get_chemical_formula() == "Ca8O24Ti8"
    for symprec in (1e-5, 1e-3, 1e-2):
        ds = spglib.get_symmetry_dataset(_cell(atoms), symprec=symprec)
        assert (ds.number, ds.international) == (number, symbol)


@pytest.mark.parametrize("tilts, angles, number, symbol", CASES)
def test_octahedra_stay_regular(tilts, angles, number, symbol):
    from ase.neighborlist import neighbor_list

    atoms, _ = glazer_perovskite(tilts, angles, bx=1.95)
    i, j, d = neighbor_list("ijd", atoms, 2.3)
    on_b = atoms.numbers[i] == 22
    assert np.all(np.bincount(i[on_b], minlength=16)[8:16] == 6)
    assert np.all(atoms.numbers[j[on_b]] == 8)
    assert np.abs(d[on_b] - 1.95).max() < 5e-4


def test_pseudovectors_pattern():
    omega = np.degrees(glazer_pseudovectors("a+b-b-", (10, 8, 8)))
    site = {tuple(n): k for k, n in enumerate(B_SITES)}
    # table of /work notes §2 (independent hand derivation of the pattern)
    expected = {
        (0, 0, 0): (10, 8, 8), (0, 1, 1): (10, 8, 8),
        (0, 0, 1): (-10, -8, -8), (0, 1, 0): (-10, -8, -8),
        (1, 0, 0): (10, -8, -8), (1, 1, 1): (10, -8, -8),
        (1, 0, 1): (-10, 8, 8), (1, 1, 0): (-10, 8, 8),
    }
    for n, w in expected.items():
        assert np.allclose(omega[site[n]], w)
    atoms, om = glazer_perovskite("a+b-b-", (10, 8, 8))
    assert np.allclose(atoms.arrays["pseudovector"][8:16], om)
    assert np.all(atoms.arrays["pseudovector"][:8] == 0) and np.all(atoms.arrays["pseudovector"][16:] == 0)
    assert atoms.info["glazer"] == "a+b-b-"


def test_octahedra_are_rotated_by_their_pseudovector():
    from scipy.spatial.transform import Rotation

    atoms, omega = glazer_perovskite("a0a0c+", 10.0, bx=2.0)
    pos, cell = atoms.get_positions(), atoms.cell[:]
    # for an untilted axis-free c+ system, X along z of each B is exactly R(omega) d e_x
    for k in range(8):
        b = pos[8 + k]
        target = b + Rotation.from_rotvec(omega[k]).as_matrix() @ np.array([2.0, 0, 0])
        diff = pos[16:] - target
        diff -= np.round(diff @ np.linalg.inv(cell)) @ cell
        assert np.linalg.norm(diff, axis=1).min() < 1e-9


def test_parse_glazer():
    assert parse_glazer("a+b−b−") == (("a", "+"), ("b", "-"), ("b", "-"))
    assert parse_glazer(" a0 a0 c- ") == (("a", "0"), ("a", "0"), ("c", "-"))


@pytest.mark.parametrize(
    "tilts, angles, match",
    [
        ("a+b", 5.0, "Glazer"),
        ("a*b-b-", 5.0, "Glazer"),
        (3, 5.0, "Glazer"),
        ("a0a+a+", 5.0, "letter"),
        ("a+b-b-", (10, 8, 9), "equal"),
        ("a+b-b-", (10, 8), "three"),
        ("a-a-a-", 50.0, "45"),
        ("a-a-a-", float("nan"), "finite"),
    ],
)
def test_bad_input(tilts, angles, match):
    with pytest.raises(ValueError, match=match):
        glazer_perovskite(tilts, angles)


def test_bad_bond_length():
    with pytest.raises(ValueError, match="bx"):
        glazer_perovskite("a0a0a0", 0.0, bx=-1.0)
