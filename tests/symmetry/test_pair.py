"""analyse_pair: one group-theoretic analysis of a parent/child pair in the parent's
frame (what `curienn symmetry check` and `curienn order-parameter` both report);
site_group: the whole group on the sites of a less symmetric supercell."""

import numpy as np
import pytest
from ase import Atoms

from curienn.breaking import (
    benzene_pair, ferroelectric_pair, glazer_pair, jahn_teller_pair, layered_pair, methane_pair, strain_pair,
)
from curienn.symmetry import analyse_pair, kpoint_name, match_structures, mode_decomposition, site_group, space_group


def _cubic():
    return Atoms("BaTiO3", scaled_positions=[[.5, .5, .5], [0, 0, 0], [.5, 0, 0], [0, .5, 0], [0, 0, .5]],
                 cell=4.0 * np.eye(3), pbc=True)


@pytest.mark.parametrize("cell, copies", [
    ([[2, 0, 0], [0, 2, 0], [0, 0, 2]], 1),  # cubic: every operation maps it onto itself
    ([[1, 1, 0], [-1, 1, 0], [0, 0, 2]], 2),  # sqrt2 x sqrt2 x 2: tiled to 2x2x2
    ([[1, 0, 0], [0, 1, 0], [0, 0, 2]], 4),  # 1x1x2: tiled to 2x2x2
])
def test_site_group_has_every_operation_of_the_crystal(cell, copies):
    from ase.build import make_supercell

    big = make_supercell(_cubic(), cell)
    sg = site_group(big.cell[:], big.positions, big.get_chemical_symbols())
    n_cells = round(abs(np.linalg.det(cell))) * copies
    assert sg.copies == copies and sg.order == 48 * n_cells  # all of Oh, with every lattice translation
    assert sg.group.number == 221 and sg.name_of(np.arange(sg.order)) == "Pm-3m (221)"
    # spglib alone returns only the operations of the (less symmetric) cell
    assert space_group(big).order == (48 if copies == 1 else 16) * round(abs(np.linalg.det(cell)))
    # the permutations are permutations, and the tiled copies are copies
    assert all(sorted(p) == list(range(len(sg.site_of))) for p in sg.permutations[::17])
    assert np.array_equal(sg.tile(np.arange(len(big))), sg.site_of)


def test_the_isotropy_group_is_found_in_any_cell(pairs):
    parent, child = glazer_pair("a+b-b-")
    names = set()
    for kind in ("sqrt2_cell", "double"):
        c = pairs.perturbed(child, kind)[0]
        a = analyse_pair(parent, c)
        names.add(a.kept_name)
        assert a.sites.copies > 1 and a.required
    assert names == {"Pnma (62)"}


@pytest.mark.parametrize("make, child_group, irreps", [
    (lambda: ferroelectric_pair("001"), "P4mm (99)", {"GM4-", "GM3+"}),
    (lambda: ferroelectric_pair("011"), "Amm2 (38)", {"GM4-", "GM3+", "GM5+"}),
    (lambda: ferroelectric_pair("111"), "R3m (160)", {"GM4-", "GM5+"}),
    (lambda: glazer_pair("a0a0c+"), "P4/mbm (127)", {"M3+", "GM3+"}),
    (layered_pair, "Cmce (64)", {"k(1/2,1/2,0):B2g"}),
    (jahn_teller_pair, "Pnma (62)", {"R4+", "M3+", "M2+", "X5+", "R5+", "GM3+"}),  # tilts, Jahn-Teller, A sites
    (methane_pair, "C3v", {"T2"}),
    (benzene_pair, "D2h", {"E2g"}),
])
def test_kept_group_and_irreps_of_the_examples(make, child_group, irreps):
    a = analyse_pair(*make())
    assert a.required and a.kept_name == child_group and set(a.irreps()) == irreps
    assert a.curie.target_symmetry.name.split(" ")[0] == child_group.split(" ")[0]  # spglib / point_group agree


def test_rigid_motions_and_own_supercells_change_nothing():
    parent, child = methane_pair()
    moved = child.copy()
    moved.rotate(37, (1, 2, 3), center="COM")
    moved.positions += [3.0, -1.0, 2.0]
    ref, got = analyse_pair(parent, child), analyse_pair(parent, moved)
    assert got.kept_name == ref.kept_name == "C3v" and len(got.curie.lost) == len(ref.curie.lost) == 18
    assert got.irreps() == ref.irreps() == ["T2"]
    cubic = _cubic()
    shifted = cubic.copy()
    shifted.positions += [0.3, 1.1, -0.7]
    shifted.wrap()
    for c in (shifted, cubic.repeat((2, 2, 2))):
        a = analyse_pair(cubic, c)
        assert not a.required and a.irreps() == [] and a.curie.allowed


def test_strain_alone_breaks_the_symmetry():
    a = analyse_pair(*strain_pair())
    assert a.required and not a.displacements_break
    assert a.kept_name == "P4/mmm (123)" and a.irreps() == ["GM3+"]
    assert "by the strain alone" in str(a)


def test_carriers_name_the_order_parameters_that_can_break_the_symmetry():
    a = analyse_pair(*ferroelectric_pair("001"))
    # a polar vector on the Ti site makes P4mm; even irreps cannot (the site is centrosymmetric)
    assert a.carriers("0e+1e+1o+2e+3o") == {"0e": False, "1e": False, "1o": True, "2e": False, "3o": True,
                                            "all": True}
    apical, equatorial = np.zeros((5 * 3, 3)), np.zeros((5 * 3, 3))
    apical[3 * 4:3 * 5] = np.eye(3)  # a vector on the O above Ti only: kept along z by C4v, it makes P4mm
    equatorial[3 * 2:3 * 3] = np.eye(3)  # on the O along x only: C4 of P4mm maps it onto the O along y
    assert a.carriers("1o", apical)["all"] and not a.carriers("1o", equatorial)["all"]
    with pytest.raises(ValueError, match="basis must have"):
        a.carriers("1o", np.zeros((4, 1)))


def test_kpoint_name_of_a_centred_lattice():
    # (1, 1, 1) in the conventional basis of an I lattice is a zone-boundary point, not Gamma
    name, arm = kpoint_name([[1.0, 1.0, 1.0]], 139, "I4/mmm", primitive=[[0.5, 0.5, 0.0]])
    assert name != "GM" and np.allclose(arm, [1, 1, 1])
    assert kpoint_name([[1.0, 1.0, 1.0]], 139, "I4/mmm", primitive=[[1.0, 0.0, 0.0]])[0] == "GM"


def test_molecule_modes_follow_the_point_group():
    m = match_structures(*methane_pair())
    d = mode_decomposition(m)
    amps = d.amplitudes(threshold=1e-9)
    assert set(amps) == {"A1", "T2"}
    assert sum(v ** 2 for v in amps.values()) == pytest.approx(np.sum(m.displacements ** 2))
    # a field given in the parent frame is not rotated
    f = mode_decomposition(m, fields={"f": (m.displacements, "1o")}, include_displacements=False, frame="parent")
    assert f.amplitudes("f", threshold=1e-9) == pytest.approx(amps)
