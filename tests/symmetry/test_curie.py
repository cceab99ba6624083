"""Curie's principle as a check: point sets, tensors and crystals."""

import numpy as np
import pytest

from curienn.symmetry import curie_check, point_group, symmetry_of_signals

SQUARE_XZ = np.array([[1, 0, 1], [1, 0, -1], [-1, 0, -1], [-1, 0, 1]], float)
RECT_XZ = SQUARE_XZ * [1.1, 1, 1]


def test_square_to_rectangle_loses_8_operations():
    rep = curie_check(SQUARE_XZ, RECT_XZ, tol=1e-3, lmax=5)
    assert rep.input_symmetry.name == "D4h" and rep.target_symmetry.name == "D2h"
    assert len(rep.lost) == 8 and not rep.allowed
    assert rep.kept.name == "D2h"
    # the lost operations are exactly those that do not map the rectangle onto itself
    for R in rep.lost:
        moved = RECT_XZ @ R.T
        d = np.linalg.norm(moved[:, None] - RECT_XZ[None], axis=2).min(axis=1)
        assert d.max() > 0.05
    comps = [(c.components, c.label) for c in rep.breaking.components]
    assert comps == [(["2e m=2"], "B1g"), (["3e m=-2"], "B1g"), (["4e m=2"], "B1g"), (["5e m=-2"], "B1g")]
    text = str(rep)
    assert "D4h" in text and "D2h" in text and "B1g" in text and "no equivariant map" in text
    d = rep.to_dict()
    assert d["n_lost"] == 8 and d["allowed"] is False and len(d["breaking"]["components"]) == 4


def test_rectangle_to_square_is_allowed():
    rep = curie_check(RECT_XZ, SQUARE_XZ, tol=1e-3, lmax=5)
    assert rep.allowed and rep.lost == [] and rep.breaking is None
    assert "CAN exist" in str(rep)


def test_shifted_target_is_a_different_affine_group():
    # same shape, moved: the operations about different centres differ (except E)
    rep = curie_check(SQUARE_XZ, SQUARE_XZ + [5.0, 0, 0], tol=1e-3)
    assert not rep.allowed
    assert len(rep.lost) == 16 - 4  # those fixing the x axis through both centres survive


def test_tensor_target_inside_sym_input():
    x = np.zeros(5)
    x[4] = 1.0  # 2e m=2: a B1g quantity
    rep = curie_check(SQUARE_XZ, x, irreps_target="2e", tol=1e-3)
    assert rep.target_symmetry.name == "D2h" and len(rep.lost) == 8
    y = np.zeros(5)
    y[2] = 1.0  # 2e m=0 (y^2 - ...): invariant under D4h about y
    assert curie_check(SQUARE_XZ, y, irreps_target="2e", tol=1e-3).allowed


def test_tensor_to_tensor_needs_a_group():
    G = point_group(SQUARE_XZ, tol=1e-3)
    v = [0.0, 1.0, 0.0]
    rep = curie_check(v, v, irreps_input="1o", irreps_target="1e", group=G)
    # polar y-vector: C4v; axial y-vector: C4h; C4v is not inside C4h
    assert (rep.input_symmetry.name, rep.target_symmetry.name) == ("C4v", "C4h")
    assert not rep.allowed and len(rep.lost) == 4
    with pytest.raises(ValueError, match="group"):
        curie_check(v, v, irreps_input="1o", irreps_target="1e")


def test_symmetry_of_signals_for_a_network_output():
    # an "equivariant" output: per-point vectors pointing out from the centre,
    # keeps all of D4h (Curie: Sym(input) <= Sym(output))
    out = SQUARE_XZ / np.linalg.norm(SQUARE_XZ, axis=1, keepdims=True)
    g_in = point_group(SQUARE_XZ, tol=1e-4)
    g_out = symmetry_of_signals(SQUARE_XZ, out, "1o", tol=1e-4)
    assert g_out.name == "D4h" and g_in.is_subgroup_of(g_out)
    # a rectangle-like signal (2e m=2 on every point) breaks it to D2h
    sig = np.zeros((4, 5))
    sig[:, 4] = 1.0
    g_sig = symmetry_of_signals(SQUARE_XZ, sig, "2e", tol=1e-4)
    assert g_sig.name == "D2h" and not g_in.is_subgroup_of(g_sig)


def test_perovskite_curie_check():
    import spglib  # noqa: F401
    from curienn.io._perovskite import glazer_perovskite

    cubic, _ = glazer_perovskite("a0a0a0", 0.0)
    pnma, _ = glazer_perovskite("a+b-b-", (10, 8, 8))
    imma, _ = glazer_perovskite("a0b-b-", (0, 8, 8))
    rep = curie_check(cubic, pnma, symprec=1e-3, lmax=2)
    assert rep.kind == "space group"
    assert (rep.input_symmetry.number, rep.target_symmetry.number) == (221, 62)
    assert len(rep.lost) == 384 - 16 and not rep.allowed
    assert rep.kept.name == "D2h"
    # Pnma (a+b-b-) is a subgroup of Imma (a0b-b-) in this common cell, not conversely
    assert curie_check(pnma, imma, symprec=1e-3).allowed
    back = curie_check(imma, pnma, symprec=1e-3)
    assert not back.allowed and len(back.lost) == 32 - 16


def test_mixing_kinds_is_an_error():
    import spglib  # noqa: F401
    from curienn.io._perovskite import glazer_perovskite

    cubic, _ = glazer_perovskite("a0a0a0", 0.0)
    with pytest.raises(ValueError, match="crystal"):
        curie_check(cubic, SQUARE_XZ)
