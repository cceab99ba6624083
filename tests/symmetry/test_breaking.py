"""Order parameters of symmetry breaking, checked with e3nn's Wigner matrices and
standard character tables as independent oracles."""

import numpy as np
import pytest
import torch

from curienn.symmetry._breaking import breaking_irreps
from curienn.symmetry._group import rotation_matrix as rot
from curienn.symmetry._point_group import point_group
from curienn.symmetry._tensor import tensor_symmetry

import e3nn.o3 as e3nn_o3

SQUARE_XZ = np.array([[1, 0, 1], [1, 0, -1], [-1, 0, -1], [-1, 0, 1]], float)
RECT_XZ = SQUARE_XZ * [1.1, 1, 1]
CUBE = np.array([[a, b, c] for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)], float)


def _D(irrep, R):
    return e3nn_o3.Irrep(irrep).D_from_matrix(torch.tensor(R, dtype=torch.float64)).numpy()


def _rank(P):
    return int(round(np.trace(P)))


def _oracle_counts(G, H, lmax):
    """dim Fix(H) - dim Fix(G) per irrep, with e3nn's matrices."""
    out = {}
    in_h = [any(np.allclose(R, S, atol=1e-8) for S in H.operations) for R in G.operations]
    assert sum(in_h) == len(H.operations)
    for l in range(lmax + 1):
        for p in "eo":
            ir = f"{l}{p}"
            D = _D(ir, G.operations)
            out[ir] = _rank(D[in_h].mean(axis=0)) - _rank(D.mean(axis=0))
    return out


def test_square_to_rectangle_is_b1g_single_components():
    G = point_group(SQUARE_XZ, tol=1e-4)
    H = point_group(RECT_XZ, tol=1e-4)
    assert (G.name, H.name) == ("D4h", "D2h")
    rep = breaking_irreps(G, H, lmax=5)
    got = [(c.components, c.label) for c in rep.components]
    assert got == [(["2e m=2"], "B1g"), (["3e m=-2"], "B1g"), (["4e m=2"], "B1g"), (["5e m=-2"], "B1g")]
    assert rep.labels() == ["B1g"]
    assert not any(c.irrep.endswith("o") for c in rep.components)
    assert "1e" not in rep.by_irrep()
    # counts agree with e3nn: dim Fix(D2h) - dim Fix(D4h)
    oracle = _oracle_counts(G, H, 5)
    for ir, n in oracle.items():
        assert len(rep.by_irrep().get(ir, [])) == n, ir
    # each vector transforms as B1g of the standard D4h table (C2' along x, z)
    X, Y, Z = np.eye(3)
    b1g = [(rot(Y, np.pi / 2), -1), (rot(Y, np.pi), 1), (rot(X, np.pi), 1), (rot([1, 0, 1], np.pi), -1),
           (-np.eye(3), 1), (np.eye(3) - 2 * np.outer(Y, Y), 1)]
    Rs = np.array([R for R, _ in b1g])
    for c in rep.components:
        for D, (_, chi) in zip(_D(c.irrep, Rs), b1g):
            assert np.allclose(D @ c.vector, chi * c.vector, atol=1e-6)
    assert rep.components[0].characters["2C4"] == -1
    assert "B1g" in str(rep)


def test_oriented_in_xy_plane_components_mix():
    sq = SQUARE_XZ[:, [0, 2, 1]]  # square in the xy plane
    rep = breaking_irreps(point_group(sq, tol=1e-4), point_group(sq * [1.1, 1, 1], tol=1e-4), lmax=3)
    two = rep.by_irrep()["2e"][0]
    assert two.components == ["2e m=0", "2e m=2"]
    assert np.isclose(two.coefficients[1] / two.coefficients[0], 1 / np.sqrt(3))
    assert rep.by_irrep()["3e"][0].components == ["3e m=-2"]


def test_cube_to_tetragonal_is_eg():
    G = point_group(CUBE, tol=1e-4)
    H = point_group(CUBE * [1, 1, 1.2], tol=1e-4)
    rep = breaking_irreps(G, H, lmax=4)
    assert {c.label for c in rep.components} == {"Eg"}
    oracle = _oracle_counts(G, H, 4)
    assert {ir: len(v) for ir, v in rep.by_irrep().items()} == {ir: n for ir, n in oracle.items() if n}
    assert oracle["2e"] == 1 and oracle["4e"] == 1


def test_cube_to_tetrahedron_is_a2u_in_3o():
    tet = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float)
    G = point_group(CUBE, tol=1e-4)
    H = point_group(tet, tol=1e-4)
    assert H.is_subgroup_of(G)
    rep = breaking_irreps(G, H, lmax=3)
    assert [(c.irrep, c.label) for c in rep.components] == [("3o", "A2u")]
    # xyz is the e3nn 3o component m=-2
    assert rep.components[0].components == ["3o m=-2"]


def test_nothing_broken():
    G = point_group(SQUARE_XZ, tol=1e-4)
    rep = breaking_irreps(G, G, lmax=4)
    assert rep.components == [] and "none" in str(rep)


def test_tensor_symmetry_eq1():
    G = point_group(SQUARE_XZ, tol=1e-4)
    x = np.zeros(5)
    x[4] = 1.0  # 2e m=2: the rectangle's order parameter
    sym = tensor_symmetry(x, "2e", G)
    assert sym.name == "D2h"
    assert sym.is_subgroup_of(point_group(RECT_XZ, tol=1e-4)) and point_group(RECT_XZ, tol=1e-4).is_subgroup_of(sym)
    # a polar vector along y inside Oh: C4v; a pseudovector along y: C4h
    cube = point_group(CUBE, tol=1e-4)
    assert tensor_symmetry([0.0, 1.0, 0.0], "1o", cube).name == "C4v"
    assert tensor_symmetry([0.0, 1.0, 0.0], "1e", cube).name == "C4h"
    assert tensor_symmetry(torch.tensor([0.0, 1.0, 0.0]), "1e", cube.operations).order == 8


def test_bad_input():
    G = point_group(SQUARE_XZ, tol=1e-4)
    H = point_group(CUBE, tol=1e-4)
    with pytest.raises(ValueError, match="not a subgroup"):
        breaking_irreps(G, H)
    with pytest.raises(ValueError, match="lmax"):
        breaking_irreps(G, G, lmax=-1)
    with pytest.raises(ValueError, match="components"):
        tensor_symmetry(np.zeros(4), "1o", G)
    with pytest.raises(ValueError, match="NaN"):
        tensor_symmetry([np.nan, 0, 0], "1o", G)
    with pytest.raises(ValueError, match="tol"):
        tensor_symmetry([1.0, 0, 0], "1o", G, tol=0)


def test_linear_molecule_bends():
    from curienn.symmetry import character_table

    co2 = point_group([[0, 0, 0], [0, 0, 1.16], [0, 0, -1.16]], ["C", "O", "O"], tol=1e-3)
    bent = point_group([[0, 0, 0], [0, 0.3, 1.16], [0, 0.3, -1.16]], ["C", "O", "O"], tol=1e-3)
    assert (co2.name, bent.name) == ("D∞h", "C2v") and bent.is_subgroup_of(co2)
    table = character_table(co2)
    # (x, y, z) of a linear molecule along z: Σu+ (z) + Πu (x, y)
    assert table.decompose(np.trace(table.operations, axis1=1, axis2=2)) == {"Σu+": 1, "Πu": 1}
    rep = breaking_irreps(co2, bent, lmax=2)
    one = rep.by_irrep()["1o"]
    assert [(c.components, c.label) for c in one] == [(["1o m=0"], "Πu")]  # the y dipole
