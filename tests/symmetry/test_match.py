"""match_structures: supercell, rotation, strain, origin and atom mapping of
parent/child pairs given in any order, orientation, origin and cell."""

import numpy as np
import pytest
from ase import Atoms

from curienn.symmetry import (
    Structure, as_structure, default_max_displacement, lattice_points_in_supercell, match_structures,
    polar_decomposition, space_group, supercell_candidates,
)


def _sorted_norms(m):
    return np.sort(np.linalg.norm(m.displacements, axis=1))


def _check_consistent(m):
    """The documented identity: child = A (parent site + origin + displacement), up to child lattice vectors."""
    ideal = m.child_in_parent_frame() @ m.deformation.T
    d = ideal - m.child.positions
    d -= d.mean(axis=0)  # a rigid translation
    f = d @ np.linalg.inv(m.child.lattice)
    assert np.abs(f - np.round(f)).max() < 1e-9


def test_identity_match_of_the_glazer_child(pairs):
    parent, child = pairs.tilted_pair("a+b-b-")
    m = match_structures(parent, child)
    assert m.supercell.tolist() == [[2, 0, 0], [0, 2, 0], [0, 0, 2]]
    assert np.allclose(m.rotation, np.eye(3), atol=1e-12)
    assert m.n_cells == 8
    assert np.abs(m.displacements.mean(axis=0)).max() < 1e-12
    # B sites do not move in the builder; X sites do
    sym = np.array(child.get_chemical_symbols())
    assert np.linalg.norm(m.displacements[sym == "Ti"], axis=1).max() < 0.05
    assert 0.2 < m.max_displacement < m.tolerance
    _check_consistent(m)


@pytest.mark.parametrize("perturb", ["permute", "rot_z90", "rot_random", "lattice_shift", "origin_half",
                                     "all", "sqrt2_cell", "big_cell"])
def test_perturbed_children_give_the_same_displacements(pairs, perturb):
    parent, child = pairs.tilted_pair("a+b-b-")
    ref = match_structures(parent, child)
    c, n, _ = pairs.perturbed(child, perturb)
    m = match_structures(parent, c)
    assert m.n_cells == n
    assert abs(np.linalg.det(m.rotation) - 1) < 1e-12
    got, want = _sorted_norms(m), _sorted_norms(ref)
    if n == 8:
        assert np.allclose(got, want, atol=1e-9)
    else:  # the same field on a different number of cells: same set of distinct values
        assert np.allclose(np.unique(np.round(got, 8)), np.unique(np.round(want, 8)), atol=1e-8)
    assert np.sum(got ** 2) / n == pytest.approx(np.sum(want ** 2) / 8, rel=1e-9)
    assert space_group(c, symprec=1e-3).number == space_group(child, symprec=1e-3).number == 62
    _check_consistent(m)


def test_strain_only_child(pairs):
    parent = pairs.cubic_perovskite(3.9)
    child = parent.repeat((1, 1, 2))
    child.set_cell(child.cell[:] @ np.diag([1.0, 1.0, 1.03]), scale_atoms=True)
    m = match_structures(parent, pairs.rotated(child, pairs.random_rotation(2)))
    assert m.max_displacement < 1e-9
    assert m.n_cells == 2
    e = np.sort(np.linalg.eigvalsh(m.strain))
    assert np.allclose(e, [0, 0, 0.03], atol=1e-12)
    assert np.allclose(m.green_lagrange_strain, 0.5 * (np.eye(3) + m.strain) @ (np.eye(3) + m.strain)
                       - 0.5 * np.eye(3))
    assert np.allclose(m.deformation.T @ m.deformation, m.stretch @ m.stretch)


def test_mismatched_and_incompatible_pairs_raise(pairs):
    parent, child = pairs.tilted_pair("a+b-b-")
    other = child.copy()
    other.numbers[0] = 38  # one Ca -> Sr
    with pytest.raises(ValueError, match="incompatible compositions"):
        match_structures(parent, other)
    with pytest.raises(ValueError, match="incompatible compositions"):
        match_structures(parent, child[:-1])
    # a child whose atoms are far off every parent site
    scrambled = child.copy()
    scrambled.positions[16:] += np.random.default_rng(0).normal(scale=0.9, size=(24, 3))
    with pytest.raises(ValueError, match=r"8-cell supercell .* max_displacement=0\.9\d\d A: the best moves child atom \d+ \(O\) by \d\.\d+ A"):
        match_structures(parent, scrambled)
    with pytest.raises(ValueError, match="max_det=4"):
        match_structures(parent, child, max_det=4)
    with pytest.raises(ValueError, match="max_displacement must be a positive number"):
        match_structures(parent, child, max_displacement=-1)
    with pytest.raises(ValueError, match="periodic"):
        mol = Atoms("CaTiO3", positions=parent.positions)
        match_structures(parent, mol)
    squashed = child.copy()
    squashed.set_cell(child.cell[:] * [1, 1, 0.7], scale_atoms=True)
    with pytest.raises(ValueError, match="volume|no supercell"):
        match_structures(parent, squashed)


def test_default_tolerance_is_half_the_shortest_bond_capped_at_1A(pairs):
    p = pairs.cubic_perovskite(3.9)
    assert default_max_displacement(p) == pytest.approx(0.5 * 1.95)
    assert default_max_displacement(Atoms("Ar", cell=5 * np.eye(3), pbc=True)) == 1.0


def test_noise_level_differences_give_the_same_mapping(pairs):
    """CIF vs extxyz of one structure differ by ~5e-9 A: the match must not change."""
    parent, child = pairs.tilted_pair("a+b-b-")
    noisy = child.copy()
    noisy.positions += np.random.default_rng(1).uniform(-5e-9, 5e-9, size=noisy.positions.shape)
    a, b = match_structures(parent, child), match_structures(parent, noisy)
    assert np.array_equal(a.parent_index, b.parent_index) and np.array_equal(a.translations, b.translations)
    assert np.array_equal(a.supercell, b.supercell)
    assert np.abs(a.displacements - b.displacements).max() < 2e-8


def test_supercell_candidates_and_lattice_points():
    cands = supercell_candidates(np.eye(3), [[1, 1, 0], [-1, 1, 0], [0, 0, 2.02]], 4)
    assert cands and all(round(abs(np.linalg.det(c.supercell))) == 4 for c in cands)
    assert cands[0].strain_norm == pytest.approx(0.01)
    pts = lattice_points_in_supercell([[2, 0, 0], [0, 2, 0], [0, 0, 1]])
    assert pts.tolist() == [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 0]]
    Q, U = polar_decomposition(np.array([[0.0, -1.1, 0], [1.0, 0, 0], [0, 0, 1]]))
    assert np.allclose(Q @ U, [[0.0, -1.1, 0], [1.0, 0, 0], [0, 0, 1]]) and np.allclose(U, U.T)
    assert np.linalg.det(Q) == pytest.approx(1.0)


def test_structure_type_and_tuple_input(pairs):
    parent, child = pairs.tilted_pair("a0a0c-")
    tup = (child.cell[:], child.get_scaled_positions(), child.numbers)
    m = match_structures(as_structure(parent), tup)
    assert m.n_cells == 8 and m.child.species[0] == "Ca"
    s = Structure(parent.positions, parent.get_chemical_symbols(), parent.cell[:])
    assert s.periodic and s.composition() == {"Ca": 1, "Ti": 1, "O": 3}
    with pytest.raises(ValueError, match="NaN"):
        Structure([[np.nan, 0, 0]], ["H"], None)
    with pytest.raises(ValueError, match="singular"):
        Structure([[0, 0, 0]], ["H"], np.zeros((3, 3)))
    with pytest.raises(ValueError, match="some axes only"):
        slab = parent.copy()
        slab.pbc = (True, True, False)
        as_structure(slab)
