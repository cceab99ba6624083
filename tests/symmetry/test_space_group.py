"""spglib wrapper: numbers, symbols, operations and tolerances."""

import numpy as np
import ase
import pytest

import spglib as spglib

from curienn.io._perovskite import glazer_perovskite  # noqa: E402
from curienn.symmetry import common_operations, space_group  # noqa: E402


def test_rocksalt_conventional_cell():
    from ase.build import bulk

    nacl = bulk("NaCl", "rocksalt", a=5.64, cubic=True)
    sg = space_group(nacl, symprec=1e-4)
    assert (sg.number, sg.international, sg.point_group_hm) == (225, "Fm-3m", "m-3m")
    assert sg.order == 48 * 4  # 4 centring translations in the conventional cell
    assert sg.point_group().name == "Oh"
    # operations map the structure onto itself (Cartesian form)
    pos = nacl.get_positions()
    cell = nacl.cell[:]
    for R, t in zip(sg.cartesian_rotations[:10], sg.cartesian_translations[:10]):
        moved = pos @ R.T + t
        diff = moved[:, None] - pos[None]
        frac = diff @ np.linalg.inv(cell)
        diff = (frac - np.round(frac)) @ cell
        assert np.linalg.norm(diff, axis=2).min(axis=1).max() < 1e-8


def test_symprec_controls_small_distortions():
    atoms, _ = glazer_perovskite("a0a0c-", 0.3)  # tiny tilt
    assert space_group(atoms, symprec=1e-5).number == 140
    assert space_group(atoms, symprec=0.05).number == 221  # a loose symprec hides it


def test_contains_and_common_operations():
    a, _ = glazer_perovskite("a0a0a0", 0.0)
    b, _ = glazer_perovskite("a0a0c+", 10.0)
    A, B = space_group(a), space_group(b)
    assert B.number == 127
    mask = common_operations(A, B)
    assert mask.sum() == B.order
    assert A.contains(np.eye(3, dtype=int), [0.5, 0, 0])  # supercell translation
    assert not B.contains(np.eye(3, dtype=int), [0.5, 0, 0])
    assert B.describe()[0] == "x, y, z"
    assert "P4/mbm" in str(B) and B.to_dict()["number"] == 127


@pytest.mark.parametrize("symprec", [0.0, -1.0, float("nan")])
def test_bad_symprec(symprec):
    a, _ = glazer_perovskite("a0a0a0", 0.0)
    with pytest.raises(ValueError, match="symprec"):
        space_group(a, symprec=symprec)


def test_bad_structures():
    with pytest.raises(ValueError, match="periodic"):
        space_group(ase.Atoms("H2", positions=[[0, 0, 0], [0, 0, 1]]))
    with pytest.raises(ValueError, match="spglib"):
        space_group((np.eye(3), [[0, 0, 0], [0, 0, 1e-4]], [1, 1]), symprec=1e-1)
    with pytest.raises(ValueError, match="NaN"):
        space_group((np.eye(3), [[0, 0, np.nan]], [1]))


@pytest.mark.parametrize(
    "tilts, angles, number",
    [("a+b-b-", (10, 8, 8), 62), ("a0b-b-", (0, 8, 8), 74), ("a0a0c-", 10.0, 140),
     ("a0a0c+", 10.0, 127), ("a-a-a-", 8.0, 167), ("a+a+a+", 8.0, 204)],
)
def test_cubic_cell_decorated_with_tilt_pseudovectors(tilts, angles, number):
    # Curie: the undistorted cubic cell carrying the tilt pseudovectors (1e on B)
    # has exactly the symmetry of the tilted structure (spglib on the real one)
    cubic, _ = glazer_perovskite("a0a0a0", 0.0)
    tilted, omega = glazer_perovskite(tilts, angles)
    f = np.zeros((40, 3))
    f[8:16] = omega
    dec = space_group(cubic, features=f, irreps="1e")
    ref = space_group(tilted)
    assert dec.number == ref.number == number
    assert dec.order == ref.order
    # the same operations, in the common cell
    assert common_operations(dec, ref).all() and common_operations(ref, dec).all()


def test_polar_and_axial_vectors_differ():
    cubic, _ = glazer_perovskite("a0a0a0", 0.0)
    _, omega = glazer_perovskite("a0a0c-", 10.0)
    f = np.zeros((40, 3))
    f[8:16] = omega
    assert space_group(cubic, features=f, irreps="1e").international == "I4/mcm"
    assert space_group(cubic, features=f, irreps="1o").international == "I4/mmm"
    with pytest.raises(ValueError, match="irreps"):
        space_group(cubic, features=f)
    with pytest.raises(ValueError, match="rows"):
        space_group(cubic, features=f[:3], irreps="1e")
