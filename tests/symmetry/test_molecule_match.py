"""match_structures on molecules: centroid, Kabsch rotation and species-aware assignment."""

import numpy as np
import pytest
from ase import Atoms
from scipy.spatial.transform import Rotation

from curienn.symmetry import kabsch, match_structures, point_group


def methane(stretch=1.0):
    d = 1.09 / np.sqrt(3)
    h = d * np.array([[1, 1, 1], [-1, -1, 1], [-1, 1, -1], [1, -1, -1]], dtype=float)
    h[0] *= stretch
    return Atoms("CH4", positions=np.vstack([[0, 0, 0], h]))


def benzene(distort=0.0):
    ang = np.arange(6) * np.pi / 3
    c = 1.39 * np.stack([np.cos(ang), np.sin(ang), 0 * ang], 1)
    h = 2.47 * np.stack([np.cos(ang), np.sin(ang), 0 * ang], 1)
    c[:, 0] *= 1 + distort  # a D2h stretch along x
    return Atoms("C6H6", positions=np.vstack([c, h]))


def _scramble(pairs, atoms, seed):
    rng = np.random.default_rng(seed)
    out = pairs.permuted(atoms, seed)
    R = Rotation.random(random_state=seed).as_matrix()
    out.positions = out.positions @ R.T + rng.normal(size=3) * 3
    return out, R


@pytest.mark.parametrize("make, distort, groups", [
    (methane, 1.1, ("Td", "C3v")),
    (benzene, 0.05, ("D6h", "D2h")),
])
def test_distorted_molecules_in_any_order_orientation_and_place(pairs, make, distort, groups):
    parent, child = make(), make(distort)
    assert point_group(parent.positions, parent.get_chemical_symbols(), tol=1e-3).name == groups[0]
    assert point_group(child.positions, child.get_chemical_symbols(), tol=1e-3).name == groups[1]
    ref = match_structures(parent, child)
    assert not ref.periodic and ref.supercell is None and ref.n_cells == 1
    for seed in range(3):
        c, R = _scramble(pairs, child, seed)
        m = match_structures(parent, c)
        assert np.linalg.det(m.rotation) == pytest.approx(1.0)
        assert np.allclose(np.sort(np.linalg.norm(m.displacements, axis=1)),
                           np.sort(np.linalg.norm(ref.displacements, axis=1)), atol=1e-9)
        assert np.abs(m.displacements.sum(axis=0)).max() < 1e-9  # compared about the centroids
        # documented identity: the child is rotation @ (parent site + shift + displacement)
        assert np.allclose(m.child_in_parent_frame() @ m.rotation.T, c.positions, atol=1e-9)


def test_methane_displacement_is_along_the_stretched_bond():
    m = match_structures(methane(), methane(1.1))
    h0 = methane().positions[1]
    worst = int(np.argmax(np.linalg.norm(m.displacements, axis=1)))
    assert m.child.species[worst] == "H"
    u = m.displacements[worst]
    assert abs(u @ h0) / (np.linalg.norm(u) * np.linalg.norm(h0)) > 0.99


def test_molecules_that_do_not_match_raise():
    with pytest.raises(ValueError, match="incompatible compositions"):
        match_structures(methane(), Atoms("CH3", positions=methane().positions[:4]))
    with pytest.raises(ValueError, match="max_displacement"):
        match_structures(methane(), methane(1.8))
    with pytest.raises(ValueError, match="as many atoms as its parent"):
        match_structures(methane(), methane() + methane())


def test_kabsch_is_a_proper_rotation():
    rng = np.random.default_rng(0)
    P = rng.normal(size=(6, 3))
    P -= P.mean(0)
    R = Rotation.random(random_state=0).as_matrix()
    assert np.allclose(kabsch(P, P @ R.T), R)
    M = -P  # an inversion: the best proper rotation, not the reflection
    assert np.linalg.det(kabsch(P, M)) == pytest.approx(1.0)
