"""Point groups of finite point sets: the classic molecules and solids, noise,
tolerances, features and bad input."""

import warnings

import numpy as np
import ase
import pytest

from curienn.symmetry._group import close_group, operation_info, rotation_matrix
from curienn.symmetry._point_group import PointGroup, point_group, schoenflies_name

PHI = (1 + 5**0.5) / 2


def tetrahedron():
    return np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float), None


def cube():
    return np.array([[a, b, c] for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)], float), None


def octahedron():
    return np.concatenate([np.eye(3), -np.eye(3)]), None


def square():  # in the xz plane, normal y (e3nn's polar axis)
    return np.array([[1, 0, 1], [1, 0, -1], [-1, 0, -1], [-1, 0, 1]], float), None


def rectangle(r=1.1):
    return np.array([[r, 0, 1], [r, 0, -1], [-r, 0, -1], [-r, 0, 1]], float), None


def ammonia():
    h = [[np.cos(t), -0.38, np.sin(t)] for t in 2 * np.pi * np.arange(3) / 3]
    return np.array([[0, 0, 0]] + h), ["N", "H", "H", "H"]


def water():
    return np.array([[0, 0, 0], [0.76, 0.59, 0], [-0.76, 0.59, 0]]), ["O", "H", "H"]


def ethane_staggered():
    c, h = [[0, 0.76, 0], [0, -0.76, 0]], []
    for t in 2 * np.pi * np.arange(3) / 3:
        h.append([np.cos(t), 1.16, np.sin(t)])
        h.append([np.cos(t + np.pi / 3), -1.16, np.sin(t + np.pi / 3)])
    return np.array(c + h), ["C"] * 2 + ["H"] * 6


def benzene():
    t = 2 * np.pi * np.arange(6) / 6
    c = np.stack([1.39 * np.cos(t), np.zeros(6), 1.39 * np.sin(t)], 1)
    return np.concatenate([c, c * 2.48 / 1.39]), ["C"] * 6 + ["H"] * 6


def co2():
    return np.array([[0, 0, 0], [0, 0, 1.16], [0, 0, -1.16]]), ["C", "O", "O"]


def random_set():
    return np.random.default_rng(1).normal(size=(7, 3)), None


SHAPES = {
    "Td": tetrahedron, "Oh": cube, "Oh ": octahedron, "D4h": square, "D2h": rectangle,
    "C3v": ammonia, "C2v": water, "D3d": ethane_staggered, "D6h": benzene,
    "D∞h": co2, "C1": random_set,
}
ORDERS = {"Td": 24, "Oh": 48, "D4h": 16, "D2h": 8, "C3v": 6, "C2v": 4, "D3d": 12, "D6h": 24, "C1": 1}


@pytest.mark.parametrize("expected", list(SHAPES))
def test_point_group_of_shapes(expected):
    pts, species = SHAPES[expected]()
    g = point_group(pts, species, tol=1e-3)
    assert g.name == expected.strip()
    name = expected.strip()
    if name in ORDERS:
        assert g.order == ORDERS[name] == len(g.operations)
        # every operation is orthogonal and really maps the set onto itself
        assert np.allclose(np.einsum("gji,gjk->gik", g.operations, g.operations), np.eye(3), atol=1e-12)
        assert g.max_error < 1e-9
    else:
        assert g.infinite and g.order == float("inf")


@pytest.mark.parametrize("expected", list(SHAPES))
def test_point_group_robust_to_noise(expected):
    pts, species = SHAPES[expected]()
    rng = np.random.default_rng(7)
    for _ in range(2):
        noisy = pts + 1e-3 * rng.normal(size=pts.shape)
        g = point_group(noisy, species, tol=1e-2)
        assert g.name == expected.strip()
        assert g.max_error <= 1e-2


def test_near_square_rectangle_depends_on_tolerance():
    pts, _ = rectangle(1.01)
    assert point_group(pts, tol=1e-3).name == "D2h"
    assert point_group(pts, tol=5e-2).name == "D4h"


def test_operations_are_a_group_about_the_centroid():
    pts, _ = square()
    shifted = pts + np.array([3.0, -2.0, 0.5])
    g = point_group(shifted, tol=1e-4)
    assert g.name == "D4h"
    assert np.allclose(g.center, [3.0, -2.0, 0.5])
    closed = close_group(g.operations, atol=1e-9)
    assert len(closed) == len(g.operations)
    # affine action about the centre maps the points onto themselves
    for R in g.operations:
        moved = (shifted - g.center) @ R.T + g.center
        d = np.linalg.norm(moved[:, None] - shifted[None], axis=2).min(axis=1)
        assert d.max() < 1e-9


def test_species_lower_the_symmetry():
    pts, _ = square()
    assert point_group(pts, ["A", "B", "A", "B"], tol=1e-4).name == "D2h"
    assert point_group(pts, ["A", "A", "B", "B"], tol=1e-4).name == "C2v"


def _orbit(gens, *seeds):
    G = close_group(gens, atol=1e-9)
    return np.concatenate([np.array([R @ np.asarray(p, float) for R in G]) for p in seeds])


Z = [0, 0, 1.0]
SIGMA_Z = np.diag([1.0, 1, -1])


@pytest.mark.parametrize(
    "expected, gens",
    [
        ("S4", [SIGMA_Z @ rotation_matrix(Z, np.pi / 2)]),
        ("C3h", [rotation_matrix(Z, 2 * np.pi / 3), SIGMA_Z]),
        ("S6", [-rotation_matrix(Z, 2 * np.pi / 3)]),
        ("C2h", [rotation_matrix(Z, np.pi), -np.eye(3)]),
        ("C4h", [rotation_matrix(Z, np.pi / 2), -np.eye(3)]),
        ("Cs", [SIGMA_Z]),
        ("Ci", [-np.eye(3)]),
        ("C5", [rotation_matrix(Z, 2 * np.pi / 5)]),
        ("D3", [rotation_matrix(Z, 2 * np.pi / 3), rotation_matrix([1, 0, 0], np.pi)]),
        ("D2d", [SIGMA_Z @ rotation_matrix(Z, np.pi / 2), rotation_matrix([1, 0, 0], np.pi)]),
        ("D5h", [rotation_matrix(Z, 2 * np.pi / 5), rotation_matrix([1, 0, 0], np.pi), SIGMA_Z]),
        ("T", [rotation_matrix([1, 1, 1], 2 * np.pi / 3), rotation_matrix(Z, np.pi)]),
        ("Th", [rotation_matrix([1, 1, 1], 2 * np.pi / 3), rotation_matrix(Z, np.pi), -np.eye(3)]),
        ("O", [rotation_matrix([1, 1, 1], 2 * np.pi / 3), rotation_matrix(Z, np.pi / 2)]),
        ("I", [rotation_matrix([0, 1, PHI], 2 * np.pi / 5), rotation_matrix([1, 1, 1], 2 * np.pi / 3)]),
    ],
)
def test_generic_orbits_have_the_generating_group(expected, gens):
    pts = _orbit(gens, [0.83, 0.21, 0.47], [0.13, -0.62, 0.29], [-0.35, 0.44, -0.71])
    g = point_group(pts, tol=1e-4)
    assert g.name == expected
    assert len(g.operations) == len(close_group(gens, atol=1e-9))
    assert schoenflies_name(close_group(gens, atol=1e-9)) == expected


def test_icosahedron_is_ih():
    ico = np.array([[0, s1, s2 * PHI] for s1 in (-1, 1) for s2 in (-1, 1)], float)
    ico = np.concatenate([ico, np.roll(ico, 1, 1), np.roll(ico, 2, 1)])
    g = point_group(ico, tol=1e-4)
    assert (g.name, g.order) == ("Ih", 120)


def test_linear_without_inversion_is_c_inf_v():
    pts = np.array([[0, 0, 0], [0, 0, 1.1], [0, 0, 2.3]])
    g = point_group(pts, ["H", "C", "N"], tol=1e-3)
    assert g.name == "C∞v" and g.infinite
    assert not g.contains(-np.eye(3))
    assert g.contains(rotation_matrix([0, 0, 1], 2 * np.pi / 12))


def test_features_lower_the_symmetry():
    pts, _ = square()
    # pseudovectors along the normal (y): keep D4h's rotations about y, flip under C2'
    up = np.tile([0.0, 1.0, 0.0], (4, 1))
    g = point_group(pts, tol=1e-4, features=up, irreps="1e")
    assert g.name == "C4h"
    # ordinary vectors along y: C4v
    g = point_group(pts, tol=1e-4, features=up, irreps="1o")
    assert g.name == "C4v"
    # scalar features, alternating: D2h (like species)
    g = point_group(pts, tol=1e-4, features=[[1.0], [2.0], [1.0], [2.0]], irreps="0e")
    assert g.name == "D2h"


def test_operation_info_classifies():
    assert operation_info(np.eye(3)).kind == "E"
    assert operation_info(-np.eye(3)).kind == "i"
    f = operation_info(np.diag([1.0, -1, 1]))
    assert f.kind == "sigma" and np.allclose(np.abs(f.axis), [0, 1, 0])
    f = operation_info(SIGMA_Z @ rotation_matrix(Z, np.pi / 2))
    assert (f.kind, f.n, f.k) == ("S", 4, 1)
    f = operation_info(-rotation_matrix(Z, 2 * np.pi / 3))
    assert (f.kind, f.n, f.k) == ("S", 6, 1)
    f = operation_info(rotation_matrix([1, 1, 0], 4 * np.pi / 5))
    assert (f.kind, f.n, f.k) == ("C", 5, 2)


def test_str_and_dict():
    g = point_group(*square(), tol=1e-4)
    s = str(g)
    assert "D4h" in s and "order 16" in s
    d = g.to_dict()
    assert d["name"] == "D4h" and d["order"] == 16 and len(d["operation_names"]) == 16


def test_ase_atoms_input():
    pts, species = water()
    atoms = ase.Atoms(species, positions=pts)
    assert point_group(atoms, tol=1e-3).name == "C2v"


@pytest.mark.parametrize(
    "points, kwargs, match",
    [
        (np.zeros((0, 3)), {}, "empty"),
        ([[0, 0, np.nan], [1, 0, 0]], {}, "NaN"),
        ([[0, 0, 0], [1, 0, 0]], {"tol": 0.0}, "tol"),
        ([[0, 0, 0], [1, 0, 0]], {"tol": -1e-3}, "tol"),
        ([[0, 0], [1, 0]], {}, "shape"),
        ([[1, 0, 0], [1, 0, 0]], {}, "coincide"),
        ([[0, 0, 0], [1, 0, 0]], {"species": ["A"]}, "species"),
    ],
)
def test_bad_input(points, kwargs, match):
    with pytest.raises(ValueError, match=match):
        point_group(points, **kwargs)


def test_is_subgroup_of():
    sq = point_group(*square(), tol=1e-4)
    rect = point_group(*rectangle(), tol=1e-4)
    assert rect.is_subgroup_of(sq) and not sq.is_subgroup_of(rect)
    assert isinstance(sq, PointGroup)


def test_linear_with_features():
    pts, species = co2()
    along = [[0, 0, 0], [0, 0, 1], [0, 0, -1]]  # outward polar vectors: keep D∞h
    assert point_group(pts, species, tol=1e-3, features=along, irreps="1o").name == "D∞h"
    same = [[0, 0, 0], [0, 0, 1], [0, 0, 1]]  # a net dipole: C∞v; a net axial vector: C∞h
    assert point_group(pts, species, tol=1e-3, features=same, irreps="1o").name == "C∞v"
    assert point_group(pts, species, tol=1e-3, features=same, irreps="1e").name == "C∞h"
    perp = [[0, 0, 0], [1, 0, 0], [1, 0, 0]]  # vectors along x on both O: C2v about x
    g = point_group(pts, species, tol=1e-3, features=perp, irreps="1o")
    assert g.name == "C2v" and not g.infinite
    assert g.contains(rotation_matrix([1, 0, 0], np.pi))


def test_feature_errors():
    pts, _ = square()
    with pytest.raises(ValueError, match="irreps"):
        point_group(pts, features=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="columns"):
        point_group(pts, features=np.zeros((4, 3)), irreps="2e")
    with pytest.raises(ValueError, match="rows"):
        point_group(pts, features=np.zeros((3, 3)), irreps="1o")


@pytest.mark.parametrize("expected", ["Td", "D4h", "C3v", "D3d", "D6h"])
def test_rotated_sets_have_conjugated_groups(expected):
    from scipy.spatial.transform import Rotation

    pts, species = SHAPES[expected]()
    g = point_group(pts, species, tol=1e-4)
    for seed in range(2):
        Q = Rotation.random(random_state=seed).as_matrix()
        h = point_group(pts @ Q.T + [0.3, -1.0, 2.0], species, tol=1e-4)
        assert h.name == expected
        conj = np.einsum("ij,gjk,lk->gil", Q, g.operations, Q)
        assert all(h.contains(R, atol=1e-8) for R in conj)


def test_coordinates_too_large_for_a_search_are_refused_not_hung():
    """Issue 14: an SVD of overflowed products never returned; now a ValueError says why."""
    pts = np.array([[1e200, 0, 0], [-1e200, 0, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match="points has values up to 1e\\+200: beyond 1e75"):
        point_group(pts)
    triangle = np.array([[1.0, 0, 0], [-1, 0, 0], [0, 1, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow on the way
        assert point_group(triangle * 1e75, tol=1e73).name == "C2v"
