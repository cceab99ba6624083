"""Pieces of curienn.breaking: layouts, targets, symmetry
of the input gradient, the interpretation helpers."""

import numpy as np
import pytest
import torch

from curienn.breaking import (
    SQUARE_MODEL,
    OrderParameterSearch,
    SearchConfig,
    encode_displacements,
    fourier_components,
    geometric_meaning,
    glazer_from_pseudovectors,
    make_layout,
    parse_supercell,
    square_rectangle_setup,
    structure_displacements,
)


def test_layouts():
    sp = ["Ca", "Ti", "O", "O", "Ti"]
    g = make_layout(5, 3, "global")
    assert g.group_of.tolist() == [0] * 5 and g.names == ["global"]
    s = make_layout(5, 3, "site", species=sp, sites="Ti")
    assert s.group_of.tolist() == [-1, 0, -1, -1, 1]
    assert make_layout(5, 3, "site", species=sp, sites="1,4").group_of.tolist() == [-1, 0, -1, -1, 1]
    k = make_layout(5, 3, "species", species=sp)
    assert k.group_of.tolist() == [0, 1, 2, 2, 1]
    t = make_layout(5, 3, [[1, 4], [0]], mask=[1, 0, 1])
    assert t.group_of.tolist() == [1, 0, -1, -1, 0]
    p = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    e = t.expand(p)
    assert e[1].tolist() == [1.0, 0.0, 3.0] and e[2].abs().sum() == 0 and e[0].tolist() == [4.0, 0.0, 6.0]
    m = make_layout(2, 3, "global", mask=["1e m=0"], component_labels=["1e m=-1", "1e m=0", "1e m=1"])
    assert m.mask.tolist() == [[1, 0, 1]]


@pytest.mark.parametrize("bad, match", [
    (dict(where="everywhere"), "where must be"),
    (dict(where="species"), "needs species"),
    (dict(where=[[0, 9]]), "out of range"),
    (dict(where=[[0, 1], [1]]), "two tied groups"),
    (dict(sites="Xx", species=["A", "B", "A"]), "no site has species 'Xx'"),
    (dict(mask=[1, 0]), "mask must have shape"),
])
def test_layout_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        make_layout(3, 3, **bad)


def test_targets_and_supercell():
    d = np.array([[0.0, 0.3, 0.4], [0.0, 0.0, 0.0]])
    t, ir = encode_displacements(d, "projection", 3, dtype=torch.float64)
    assert ir == "1x0e+1x1o+1x2e+1x3o" and t.shape == (2, 16)
    assert t[1].abs().max() == 0
    v, ir = encode_displacements(d, "vectors")
    assert ir == "1x1o" and np.allclose(v.numpy(), d)
    assert parse_supercell("2x1x3") == (2, 1, 3) and parse_supercell(2) == (2, 2, 2)
    with pytest.raises(ValueError, match="2x2x2"):
        parse_supercell("two")
    with pytest.raises(ValueError, match="encoding"):
        encode_displacements(d, "spline")


def test_structure_displacements_errors():
    from ase import Atoms

    a = Atoms("TiO2", positions=[[0, 0, 0], [1.9, 0, 0], [0, 1.9, 0]], cell=[4, 4, 4], pbc=True)
    b = a.copy()
    b.positions[1] += [0.1, 0, 0]
    b.positions[2] += [0, -0.1, 0]
    d = structure_displacements(a, b)
    assert np.allclose(d, [[0, 0, 0], [0.1, 0, 0], [0, -0.1, 0]])
    # minimum image across the boundary
    c = a.copy()
    c.positions[0] = [3.95, 0, 0]
    assert np.allclose(structure_displacements(a, c)[0], [-0.05, 0, 0])
    with pytest.raises(ValueError, match="atom counts differ: parent has 3, child has 6"):
        structure_displacements(a, a.repeat((2, 1, 1)))
    swapped = Atoms("OTiO", positions=a.positions, cell=a.cell, pbc=True)
    with pytest.raises(ValueError, match="species order differs at atom 0: parent has Ti, child has O"):
        structure_displacements(a, swapped)
    big = a.copy()
    big.set_cell([5, 4, 4], scale_atoms=True)
    with pytest.raises(ValueError, match="cells differ"):
        structure_displacements(a, big)
    flat = a.copy()
    flat.pbc = False
    with pytest.raises(ValueError, match="periodicity differs"):
        structure_displacements(a, flat)


def test_input_gradient_is_d2h_invariant():
    """At zero order parameter the gradient lies in the D2h-invariant subspace
    (Stab(input) ∩ Stab(target)); it vanishes on every other component."""
    from curienn.symmetry import point_group, representation_matrices

    torch.set_default_dtype(torch.float64)
    s = square_rectangle_setup()
    cfg = SearchConfig(model=SQUARE_MODEL, exclude_invariant=False)
    search = OrderParameterSearch(s["positions"], s["target"], s["target_irreps"], config=cfg)
    st = search.new_state()
    p = st.p
    search.loss_fn(st.model(search.data(p))).backward()
    g = p.grad[0].numpy()
    d2h = point_group(s["positions"] * [1.5, 1, 0.5], tol=1e-6)
    assert d2h.name == "D2h"
    P = representation_matrices(search.op_irreps, d2h.operations).mean(axis=0)
    assert np.abs(g).max() > 1e-8
    assert np.abs(g - P @ g).max() < 1e-12 * max(1.0, np.abs(g).max() * 1e6)


def test_parent_invariant_components_are_projected_out():
    s = square_rectangle_setup()
    search = OrderParameterSearch(s["positions"], s["target"], s["target_irreps"],
                                  config=SearchConfig(model=SQUARE_MODEL))
    assert search.parent_group.name == "D4h"
    P = search._inv_proj.numpy()
    assert np.allclose(P @ P, P) and np.allclose(P, P.T)
    lab = search.labels
    for name in ("2e m=0",):  # A1g of D4h for the square perpendicular to y
        e = np.zeros(len(lab))
        e[lab.index(name)] = 1
        assert np.allclose(P @ e, e)
    for name in ("2e m=2", "3e m=-2", "4e m=2", "5e m=-2"):
        e = np.zeros(len(lab))
        e[lab.index(name)] = 1
        assert np.allclose(P @ e, 0)


def test_geometric_meaning():
    assert "rotation" in geometric_meaning("1e")
    assert "displacement" in geometric_meaning("1o")
    assert "quadrupolar strain" in geometric_meaning("2e m=2")
    with pytest.raises(ValueError):
        geometric_meaning("banana")


@pytest.mark.parametrize("tilts, glazer, irreps", [
    ("a+b-b-", "a+b-b-", ["M3+", "R4+"]),
    ("a0b-b-", "a0b-b-", ["R4+"]),
    ("a0a0c+", "a0a0c+", ["M3+"]),
    ("a+a-a-", "a+b-b-", ["M3+", "R4+"]),  # +/- equality is accidental: not reported
    ("a-a-a-", "a-a-a-", ["R4+"]),
])
def test_glazer_from_pseudovectors(tilts, glazer, irreps):
    from curienn.io._perovskite import B_SITES, glazer_pseudovectors

    angles = (10, 8, 8) if tilts == "a+b-b-" else 8
    w = glazer_pseudovectors(tilts, angles)
    t = glazer_from_pseudovectors(w, B_SITES)
    assert t["glazer"] == glazer
    assert t["irreps"] == irreps
    assert t["tilt_fraction"] == pytest.approx(1.0)
    # Fourier: only M and R carry weight; Γ and X are empty
    for f in fourier_components(w, B_SITES):
        if f["name"] in "ΓX":
            assert f["norm"] < 1e-12


def test_per_site_invariant_projection_on_a_crystal():
    """Per-B order parameters on cubic Pm-3m: the invariant field is a uniform 0e
    (no invariant 1e/2e exists on an m-3m site); the search projects it out."""
    from curienn.breaking import perovskite_setup

    s = perovskite_setup()
    parent = s["parent"]
    search = OrderParameterSearch(parent.positions, s["displacements"], "1o",
                                  species=parent.get_chemical_symbols(), cell=np.asarray(parent.cell[:]),
                                  where="site", sites="Ti", config=SearchConfig(irreps="0e+1e+2e", loss="l1"))
    assert search.parent_group.number == 221
    assert search.invariant_operations == 384  # 48 point operations x 8 translations of the 2x2x2 cell
    P = search._inv_proj.numpy()
    assert np.allclose(P @ P, P, atol=1e-12)
    assert round(np.trace(P)) == 1  # one invariant: the same scalar on every B site
    uniform = np.zeros((8, 9))
    uniform[:, 0] = 1.0
    assert np.allclose(P @ uniform.reshape(-1), uniform.reshape(-1))


def test_interrupted_search_resumes_to_the_same_result(tmp_path, monkeypatch):
    s = square_rectangle_setup()
    cfg = SearchConfig(irreps="1e+2e", min_model_steps=4, max_model_steps=4, joint_steps=6, lr_op=1e-2,
                       model=SQUARE_MODEL.__class__(mul=2, hidden_lmax=2, edge_lmax=2, radial_neurons=8))

    def make():
        return OrderParameterSearch(s["positions"], s["target"], s["target_irreps"], config=cfg)

    ref = make().run(progress=False)
    ckpt = str(tmp_path / "ck.pt")
    calls = {"n": 0}
    original = OrderParameterSearch.loss_fn

    def flaky(self, pred):
        calls["n"] += 1
        if calls["n"] == 7:
            raise KeyboardInterrupt
        return original(self, pred)

    monkeypatch.setattr(OrderParameterSearch, "loss_fn", flaky)
    with pytest.raises(KeyboardInterrupt):
        make().run(progress=False, checkpoint=ckpt, checkpoint_every=0.0)
    monkeypatch.setattr(OrderParameterSearch, "loss_fn", original)
    obj = torch.load(ckpt, weights_only=True)
    assert 0 < obj["scalars"]["step"] < 10
    resumed = make().run(progress=False, checkpoint=ckpt, resume=True)
    assert [h["loss"] for h in resumed.history] == pytest.approx([h["loss"] for h in ref.history], rel=1e-10)
    assert np.allclose(resumed.values, ref.values, atol=1e-12)
    # a checkpoint from other conventions is refused
    obj["conventions"] = "someone-else"
    torch.save(obj, ckpt)
    with pytest.raises(ValueError, match="conventions"):
        make().run(progress=False, checkpoint=ckpt, resume=True)
