"""Character tables computed from the groups, checked against the standard
tables (Cotton; Atkins-Child-Phillips), written out here with the usual class
order and representatives built independently."""

import re

import numpy as np
import pytest

from curienn.symmetry._character_table import character_table
from curienn.symmetry._group import close_group, rotation_matrix as rot
from curienn.symmetry._point_group import point_group

X, Y, Z = np.eye(3)
I3 = np.eye(3)


def mirror(n):
    n = np.asarray(n, float) / np.linalg.norm(n)
    return I3 - 2 * np.outer(n, n)


SIGMA_H = mirror(Z)


def deg(a):
    return np.radians(a)


# ---- the groups, built from shapes with the principal axis along z -----------
def _square_xy():
    return np.array([[1, 1, 0], [1, -1, 0], [-1, -1, 0], [-1, 1, 0]], float)


def _cuboid():
    return np.array([[a * 1.0, b * 1.3, c * 1.7] for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)])


def _cube():
    return np.array([[a, b, c] for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)], float)


def _tetra():
    return np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float)


def _pyramid():
    return np.concatenate([_square_xy(), [[0, 0, 1.2]]])


def _benzene_xy():
    t = deg(60) * np.arange(6)
    c = np.stack([np.cos(t), np.sin(t), 0 * t], 1)
    return np.concatenate([1.39 * c, 2.48 * c]), ["C"] * 6 + ["H"] * 6


def _ethane_z():
    h = []
    for t in deg(120) * np.arange(3):
        h.append([np.cos(t), np.sin(t), 1.2])
        h.append([np.cos(t + deg(60)), np.sin(t + deg(60)), -1.2])
    return np.array([[0, 0, 0.76], [0, 0, -0.76]] + h), ["C", "C"] + ["H"] * 6


def _water_z():  # molecule in the yz plane? no: in the xz plane, C2 along z
    return np.array([[0, 0, 0], [0.76, 0, 0.59], [-0.76, 0, 0.59]]), ["O", "H", "H"]


# ---- standard tables: (name, shape, [(class, representative)], {label: chars}) -
STANDARD = {
    "D4h": (
        lambda: (_square_xy(), None),
        [("E", I3), ("2C4", rot(Z, deg(90))), ("C2", rot(Z, deg(180))), ("2C2'", rot(X, deg(180))),
         ("2C2''", rot([1, 1, 0], deg(180))), ("i", -I3), ("2S4", SIGMA_H @ rot(Z, deg(90))),
         ("σh", SIGMA_H), ("2σv", mirror(X)), ("2σd", mirror([1, 1, 0]))],
        {
            "A1g": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            "A2g": [1, 1, 1, -1, -1, 1, 1, 1, -1, -1],
            "B1g": [1, -1, 1, 1, -1, 1, -1, 1, 1, -1],
            "B2g": [1, -1, 1, -1, 1, 1, -1, 1, -1, 1],
            "Eg": [2, 0, -2, 0, 0, 2, 0, -2, 0, 0],
            "A1u": [1, 1, 1, 1, 1, -1, -1, -1, -1, -1],
            "A2u": [1, 1, 1, -1, -1, -1, -1, -1, 1, 1],
            "B1u": [1, -1, 1, 1, -1, -1, 1, -1, -1, 1],
            "B2u": [1, -1, 1, -1, 1, -1, 1, -1, 1, -1],
            "Eu": [2, 0, -2, 0, 0, -2, 0, 2, 0, 0],
        },
    ),
    "D2h": (
        lambda: (_cuboid(), None),
        [("E", I3), ("C2(z)", rot(Z, np.pi)), ("C2(y)", rot(Y, np.pi)), ("C2(x)", rot(X, np.pi)),
         ("i", -I3), ("σ(xy)", mirror(Z)), ("σ(xz)", mirror(Y)), ("σ(yz)", mirror(X))],
        {
            "Ag": [1, 1, 1, 1, 1, 1, 1, 1],
            "B1g": [1, 1, -1, -1, 1, 1, -1, -1],
            "B2g": [1, -1, 1, -1, 1, -1, 1, -1],
            "B3g": [1, -1, -1, 1, 1, -1, -1, 1],
            "Au": [1, 1, 1, 1, -1, -1, -1, -1],
            "B1u": [1, 1, -1, -1, -1, -1, 1, 1],
            "B2u": [1, -1, 1, -1, -1, 1, -1, 1],
            "B3u": [1, -1, -1, 1, -1, 1, 1, -1],
        },
    ),
    "Oh": (
        lambda: (_cube(), None),
        [("E", I3), ("8C3", rot([1, 1, 1], deg(120))), ("6C2", rot([1, 1, 0], np.pi)),
         ("6C4", rot(Z, deg(90))), ("3C2", rot(Z, np.pi)), ("i", -I3), ("6S4", SIGMA_H @ rot(Z, deg(90))),
         ("8S6", -rot([1, 1, 1], deg(120))), ("3σh", mirror(Z)), ("6σd", mirror([1, -1, 0]))],
        {
            "A1g": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            "A2g": [1, 1, -1, -1, 1, 1, -1, 1, 1, -1],
            "Eg": [2, -1, 0, 0, 2, 2, 0, -1, 2, 0],
            "T1g": [3, 0, -1, 1, -1, 3, 1, 0, -1, -1],
            "T2g": [3, 0, 1, -1, -1, 3, -1, 0, -1, 1],
            "A1u": [1, 1, 1, 1, 1, -1, -1, -1, -1, -1],
            "A2u": [1, 1, -1, -1, 1, -1, 1, -1, -1, 1],
            "Eu": [2, -1, 0, 0, 2, -2, 0, 1, -2, 0],
            "T1u": [3, 0, -1, 1, -1, -3, -1, 0, 1, 1],
            "T2u": [3, 0, 1, -1, -1, -3, 1, 0, 1, -1],
        },
    ),
    "Td": (
        lambda: (_tetra(), None),
        [("E", I3), ("8C3", rot([1, 1, 1], deg(120))), ("3C2", rot(Z, np.pi)),
         ("6S4", SIGMA_H @ rot(Z, deg(90))), ("6σd", mirror([1, -1, 0]))],
        {
            "A1": [1, 1, 1, 1, 1],
            "A2": [1, 1, 1, -1, -1],
            "E": [2, -1, 2, 0, 0],
            "T1": [3, 0, -1, 1, -1],
            "T2": [3, 0, -1, -1, 1],
        },
    ),
    "C4v": (
        lambda: (_pyramid(), None),
        [("E", I3), ("2C4", rot(Z, deg(90))), ("C2", rot(Z, np.pi)), ("2σv", mirror(X)),
         ("2σd", mirror([1, 1, 0]))],
        {
            "A1": [1, 1, 1, 1, 1],
            "A2": [1, 1, 1, -1, -1],
            "B1": [1, -1, 1, 1, -1],
            "B2": [1, -1, 1, -1, 1],
            "E": [2, 0, -2, 0, 0],
        },
    ),
    "D6h": (
        _benzene_xy,
        [("E", I3), ("2C6", rot(Z, deg(60))), ("2C3", rot(Z, deg(120))), ("C2", rot(Z, np.pi)),
         ("3C2'", rot(X, np.pi)), ("3C2''", rot(Y, np.pi)), ("i", -I3), ("2S3", SIGMA_H @ rot(Z, deg(120))),
         ("2S6", SIGMA_H @ rot(Z, deg(60))), ("σh", SIGMA_H), ("3σd", mirror(X)), ("3σv", mirror(Y))],
        {
            "A1g": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            "A2g": [1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1],
            "B1g": [1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1],
            "B2g": [1, -1, 1, -1, -1, 1, 1, -1, 1, -1, -1, 1],
            "E1g": [2, 1, -1, -2, 0, 0, 2, 1, -1, -2, 0, 0],
            "E2g": [2, -1, -1, 2, 0, 0, 2, -1, -1, 2, 0, 0],
            "A1u": [1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1],
            "A2u": [1, 1, 1, 1, -1, -1, -1, -1, -1, -1, 1, 1],
            "B1u": [1, -1, 1, -1, 1, -1, -1, 1, -1, 1, -1, 1],
            "B2u": [1, -1, 1, -1, -1, 1, -1, 1, -1, 1, 1, -1],
            "E1u": [2, 1, -1, -2, 0, 0, -2, -1, 1, 2, 0, 0],
            "E2u": [2, -1, -1, 2, 0, 0, -2, 1, 1, -2, 0, 0],
        },
    ),
    "D3d": (
        _ethane_z,
        [("E", I3), ("2C3", rot(Z, deg(120))), ("3C2'", rot(Y, np.pi)), ("i", -I3),
         ("2S6", -rot(Z, deg(120))), ("3σd", mirror(Y))],
        {
            "A1g": [1, 1, 1, 1, 1, 1],
            "A2g": [1, 1, -1, 1, 1, -1],
            "Eg": [2, -1, 0, 2, -1, 0],
            "A1u": [1, 1, 1, -1, -1, -1],
            "A2u": [1, 1, -1, -1, -1, 1],
            "Eu": [2, -1, 0, -2, 1, 0],
        },
    ),
    "C2v": (
        _water_z,
        [("E", I3), ("C2", rot(Z, np.pi)), ("σv(xz)", mirror(Y)), ("σv'(yz)", mirror(X))],
        {"A1": [1, 1, 1, 1], "A2": [1, 1, -1, -1], "B1": [1, -1, 1, -1], "B2": [1, -1, -1, 1]},
    ),
}


@pytest.mark.parametrize("name", list(STANDARD))
def test_against_standard_table(name):
    shape, classes, rows = STANDARD[name]
    pts, species = shape()
    g = point_group(pts, species, tol=1e-4)
    assert g.name == name
    table = character_table(g)
    assert table.name == name
    assert sorted(table.labels) == sorted(rows)
    assert len(table.classes) == len(classes)
    for label, chars in rows.items():
        got = [table.character(label, R) for _, R in classes]
        assert np.allclose(got, chars, atol=1e-9), (label, got, chars)
    # class sizes agree with the standard class names (leading count)
    for cname, R in classes:
        size = int(cname[0]) if cname[0].isdigit() else 1
        assert len(table.classes[table.class_index(R)]) == size, cname


def test_square_perpendicular_to_y_rectangle_mode_is_b1g():
    # square in the xz plane with edges along x and z: C2' along x, z
    sq = np.array([[1, 0, 1], [1, 0, -1], [-1, 0, -1], [-1, 0, 1]], float)
    table = character_table(point_group(sq, tol=1e-4))
    assert table.character("B1g", rot(X, np.pi)) == 1
    assert table.character("B1g", rot(Z, np.pi)) == 1
    assert table.character("B1g", rot([1, 0, 1], np.pi)) == -1
    assert table.character("B1g", rot(Y, deg(90))) == -1


GENERATED = {
    "C3": [rot(Z, deg(120))],
    "C6h": [rot(Z, deg(60)), -I3],
    "S4": [SIGMA_H @ rot(Z, deg(90))],
    "T": [rot([1, 1, 1], deg(120)), rot(Z, np.pi)],
    "Th": [rot([1, 1, 1], deg(120)), rot(Z, np.pi), -I3],
    "D3h": [rot(Z, deg(120)), rot(X, np.pi), SIGMA_H],
    "D4d": [SIGMA_H @ rot(Z, deg(45)), rot(X, np.pi)],
    "Ih": [rot([0, 1, (1 + 5**0.5) / 2], deg(72)), rot([1, 1, 1], deg(120)), -I3],
}


@pytest.mark.parametrize("name", list(GENERATED))
def test_orthogonality_and_labels(name):
    ops = close_group(GENERATED[name], atol=1e-9)
    table = character_table(ops)
    assert table.name == name
    n = len(ops)
    sizes = np.array([len(c) for c in table.classes])
    # (real) irreps: sum of squared complex degrees = |G|; orthogonal rows
    chi = np.array([ir.characters for ir in table.irreps])
    gram = (chi * sizes) @ chi.T / n
    expected = np.diag([1.0 if ir.kind == "real" else 2.0 for ir in table.irreps])
    assert np.allclose(gram, expected, atol=1e-9)
    assert sum(ir.dim ** 2 / (1 if ir.kind == "real" else 2) for ir in table.irreps) == n
    assert len(set(table.labels)) == len(table.labels)


def test_specific_labels():
    assert character_table(close_group(GENERATED["C3"], atol=1e-9)).labels == ["A", "E"]
    assert character_table(close_group(GENERATED["T"], atol=1e-9)).labels == ["A", "E", "T"]
    assert character_table(close_group(GENERATED["D3h"], atol=1e-9)).labels == ["A1'", "A2'", "E'", "A1''", "A2''", "E''"]
    assert character_table(close_group(GENERATED["D4d"], atol=1e-9)).labels == ["A1", "A2", "B1", "B2", "E1", "E2", "E3"]
    assert character_table(close_group(GENERATED["S4"], atol=1e-9)).labels == ["A", "B", "E"]
    assert set(character_table(close_group(GENERATED["Ih"], atol=1e-9)).labels) == {
        f"{x}{p}" for x in ("A", "T1", "T2", "G", "H") for p in "gu"}


@pytest.mark.parametrize("name, expected", [("D4h", {"A2u": 1, "Eu": 1}), ("Oh", {"T1u": 1}),
                                            ("Td", {"T2": 1}), ("D6h", {"A2u": 1, "E1u": 1})])
def test_vector_representation_decomposes(name, expected):
    pts, species = STANDARD[name][0]()
    table = character_table(point_group(pts, species, tol=1e-4))
    chi = np.trace(table.operations, axis1=1, axis2=2)  # (x, y, z) is 1o: chi = tr R
    assert table.decompose(chi) == expected


def test_bad_groups():
    with pytest.raises(ValueError, match="closed"):
        character_table(np.array([I3, rot(Z, deg(90))]))
    with pytest.raises(ValueError, match="shape"):
        character_table(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="identity"):
        character_table(np.array([rot(Z, np.pi)]))


# ---- class names, as the textbook tables write them (Cotton; Atkins-Child-Phillips) ----
_PHI = (1 + 5**0.5) / 2
CLASS_NAMES = {
    "C3h": ([rot(Z, deg(120)), SIGMA_H], "E C3 C3^2 S3 S3^5 σh"),
    "C5h": ([rot(Z, deg(72)), SIGMA_H], "E C5 C5^2 C5^3 C5^4 S5 S5^3 S5^7 S5^9 σh"),
    "C4h": ([rot(Z, deg(90)), -I3], "E C4 C4^3 C2 i S4 S4^3 σh"),
    "C6h": ([rot(Z, deg(60)), -I3], "E C6 C6^5 C3 C3^2 C2 i S6 S6^5 S3 S3^5 σh"),
    "D3h": ([rot(Z, deg(120)), rot(X, np.pi), SIGMA_H], "E 2C3 3C2' 2S3 σh 3σv"),
    "D5h": ([rot(Z, deg(72)), rot(X, np.pi), SIGMA_H], "E 2C5 2C5^2 5C2' 2S5 2S5^3 σh 5σv"),
    "D6h": ([rot(Z, deg(60)), rot(X, np.pi), -I3], "E 2C6 2C3 C2 3C2' 3C2'' i 2S6 2S3 σh 3σv 3σd"),
    "S4": ([SIGMA_H @ rot(Z, deg(90))], "E C2 S4 S4^3"),
    "S6": ([-rot(Z, deg(120))], "E C3 C3^2 i S6 S6^5"),
    "S8": ([SIGMA_H @ rot(Z, deg(45))], "E C4 C4^3 C2 S8 S8^3 S8^5 S8^7"),
    "D2d": ([SIGMA_H @ rot(Z, deg(90)), rot(X, np.pi)], "E C2 2C2' 2S4 2σd"),
    "D3d": ([rot(Z, deg(120)), rot(X, np.pi), -I3], "E 2C3 3C2' i 2S6 3σd"),
    "D4d": ([SIGMA_H @ rot(Z, deg(45)), rot(X, np.pi)], "E 2C4 C2 4C2' 2S8 2S8^3 4σd"),
    "D5d": ([rot(Z, deg(72)), rot(X, np.pi), -I3], "E 2C5 2C5^2 5C2' i 2S10 2S10^3 5σd"),
    "T": ([rot([1, 1, 1], deg(120)), rot(Z, np.pi)], "E 4C3 4C3^2 3C2"),
    "Th": ([rot([1, 1, 1], deg(120)), rot(Z, np.pi), -I3], "E 4C3 4C3^2 3C2 i 4S6 4S6^5 3σh"),
    "Td": ([rot([1, 1, 1], deg(120)), SIGMA_H @ rot(Z, deg(90))], "E 8C3 3C2 6S4 6σd"),
    "Oh": ([rot(Z, deg(90)), rot([1, 1, 1], deg(120)), -I3], "E 6C4 8C3 3C2 6C2' i 8S6 6S4 3σh 6σd"),
    "Ih": ([rot([0, 1, _PHI], deg(72)), rot([1, 1, 1], deg(120)), -I3],
           "E 12C5 12C5^2 20C3 15C2 i 12S10 12S10^3 20S6 15σ"),
}


def _power(kind, n, m, axis):
    """C_n^m or S_n^m = sigma^m C_n^m about ``axis``, built from the definition."""
    C = rot(axis, 2 * np.pi * m / n)
    return C if kind == "C" else np.linalg.matrix_power(mirror(axis), m) @ C


@pytest.mark.parametrize("name", list(CLASS_NAMES))
def test_class_names_are_the_textbook_ones(name):
    gens, expected = CLASS_NAMES[name]
    table = character_table(close_group(gens, atol=1e-9))
    assert table.name == name
    assert table.class_names == expected.split()
    # the names are true: C_n^m / S_n^m built from the name about one orientation of the
    # principal axis (z here) lies in the class of that name (S3^2 would be a proper C3^2)
    if name[0] in "TOI":
        return
    for axis in (Z, -Z):
        found = []
        for cname, members in zip(table.class_names, table.classes):
            kind, n, m = _parse_power(cname)
            if kind is None or n <= 2:
                continue
            R = _power(kind, n, m, axis)
            found.append(any(np.allclose(table.operations[i], R, atol=1e-8) for i in members))
        if all(found):
            break
    else:
        raise AssertionError(f"{name}: no orientation of z makes every C_n^m / S_n^m name true")


def _parse_power(cname):
    m = re.fullmatch(r"\d*([CS])(\d+)(?:\^(\d+))?'*", cname)
    if m is None:
        return None, 0, 0
    return m.group(1), int(m.group(2)), int(m.group(3) or 1)
