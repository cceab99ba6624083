"""mode_decomposition: irreps, labels and amplitudes of the parent's space group
(ISODISTORT-style), for displacements and per-site pseudovectors."""

import numpy as np
import pytest
from ase import Atoms

from curienn.io import glazer_perovskite
from curienn.symmetry import match_structures, mode_decomposition, space_group


def _decompose(parent, child, **kw):
    return mode_decomposition(match_structures(parent, child), **kw)


@pytest.mark.parametrize("tilts, b_origin, a_origin", [
    ("a+b-b-", {"M3+", "R4+"}, {"M2+", "R5-"}),   # Pnma: the paper's M3+ + R4+ (B at the origin)
    ("a0a0c-", {"R4+"}, {"R5-"}),                 # I4/mcm
    ("a0a0c+", {"M3+"}, {"M2+"}),                 # P4/mbm
    ("a-a-a-", {"R4+"}, {"R5-"}),                 # R-3c
])
def test_tilt_labels_with_the_origin_stated(pairs, tilts, b_origin, a_origin):
    parent, child = pairs.tilted_pair(tilts)
    omega = child.arrays["pseudovector"]
    d = _decompose(parent, child, fields={"tilt": (omega, "1e")})
    assert d.space_group == "Pm-3m" and d.origin.startswith("Ti")
    assert set(d.active("tilt", 1e-6)) == b_origin
    disp = d.amplitudes()
    assert set(list(disp)[:len(b_origin)]) == b_origin  # the tilts are the largest displacement modes
    a = _decompose(parent, child, fields={"tilt": (omega, "1e")}, origin="Ca")
    assert a.origin.startswith("Ca")
    assert set(a.active("tilt", 1e-6)) == a_origin
    # the origin changes labels, not amplitudes
    assert sorted(a.amplitudes().values()) == pytest.approx(sorted(disp.values()), rel=1e-10)


def test_pnma_amplitudes_follow_the_tilt_angles(pairs):
    """Per-B pseudovector pattern of a+b-b- (10, 8, 8 deg): in-phase x at M, anti-phase y, z at R."""
    child, omega = glazer_perovskite("a+b-b-", (10.0, 8.0, 8.0))
    parent = pairs.cubic_perovskite(np.cbrt(child.get_volume() / 8))
    d = _decompose(parent, child, fields={"tilt": (child.arrays["pseudovector"], "1e")})
    amp = d.amplitudes("tilt", threshold=1e-9)
    # A_s = root-sum-square over the 8 B sites of the supercell
    assert amp["M3+"] == pytest.approx(np.sqrt(8) * np.radians(10.0), rel=1e-9)
    assert amp["R4+"] == pytest.approx(np.sqrt(8 * 2) * np.radians(8.0), rel=1e-9)
    assert d.amplitudes("tilt", threshold=1e-9, per_parent_cell=True)["M3+"] == pytest.approx(np.radians(10.0))
    m = d.mode("R4+", "tilt")
    assert (m.star, m.dimension, m.mulliken, m.little_cogroup) == ("R", 3, "T1g", "Oh")
    assert d.mode("M3+", "tilt").little_cogroup == "D4h"


@pytest.mark.parametrize("direction, group", [((0, 0, 1), "P4mm"), ((1, 1, 0), "Amm2"), ((1, 1, 1), "R3m")])
def test_ferroelectric_batio3_is_gm4_minus(pairs, direction, group):
    parent = pairs.cubic_perovskite(4.0, ("Ba", "Ti", "O"))
    child = parent.copy()
    u = 0.08 * np.asarray(direction) / np.linalg.norm(direction)
    child.positions[1] += u
    child.positions[2:] -= 0.5 * u
    assert space_group(child, symprec=1e-3).international == group
    d = _decompose(parent, child)
    assert d.active(threshold=1e-9) == ["GM4-"]
    assert len(d.kpoints) == 1  # a single cell holds Gamma only
    m = d.mode("GM4-")
    assert (m.dimension, m.mulliken) == (3, "T1u")
    assert m.amplitude == pytest.approx(np.linalg.norm(d.match.displacements))


def _pattern(kind):
    """A 2x2x2 LaMnO3-like supercell with a Jahn-Teller (Q2, checkerboard in xy, in phase
    along z) or an antipolar A-site (along x, alternating along y) displacement pattern."""
    parent = Atoms("LaMnO3", scaled_positions=[[.5, .5, .5], [0, 0, 0], [.5, 0, 0], [0, .5, 0], [0, 0, .5]],
                   cell=4.0 * np.eye(3), pbc=True)
    child = parent.repeat((2, 2, 2))
    f = child.get_scaled_positions() * 2
    u = np.zeros((len(child), 3))
    for i, (x, s) in enumerate(zip(f, child.get_chemical_symbols())):
        n = np.floor(x + 1e-6).astype(int)
        if kind == "jt" and s == "O":
            sign = (-1) ** (n[0] + n[1])
            if abs(x[0] - n[0] - 0.5) < 1e-6:
                u[i] = [0.05 * sign, 0, 0]
            elif abs(x[1] - n[1] - 0.5) < 1e-6:
                u[i] = [0, -0.05 * sign, 0]
        if kind == "antipolar" and s == "La":
            u[i] = [0.05 * (-1) ** n[1], 0, 0]
    child.positions += u
    return parent, child


@pytest.mark.parametrize("kind, b_label, a_label", [("jt", "M2+", "M3+"), ("antipolar", "X5+", "X5-")])
def test_jahn_teller_and_antipolar_patterns(kind, b_label, a_label):
    parent, child = _pattern(kind)
    d = _decompose(parent, child)
    assert d.active(threshold=1e-9) == [b_label]
    assert _decompose(parent, child, origin="La").active(threshold=1e-9) == [a_label]
    assert d.mode(b_label).amplitude == pytest.approx(np.linalg.norm(d.match.displacements))


@pytest.mark.parametrize("perturb", ["permute", "rot_z90", "rot_random", "lattice_shift", "origin_half", "all",
                                     "sqrt2_cell", "big_cell"])
def test_amplitudes_are_invariant_under_the_matching_perturbations(pairs, perturb):
    parent, child = pairs.tilted_pair("a+b-b-")
    omega = child.arrays["pseudovector"]
    c, _, R = pairs.perturbed(child, perturb)
    ref = _decompose(parent, child).amplitudes(per_parent_cell=True)
    got = _decompose(parent, c).amplitudes(per_parent_cell=True)
    assert list(got) == list(ref)
    assert list(got.values()) == pytest.approx(list(ref.values()), rel=1e-8)
    if perturb in ("permute", "rot_z90", "rot_random", "all"):  # per-site pseudovectors travel with their atoms
        om = c.arrays["pseudovector"] @ R.T  # a proper rotation turns a pseudovector like a vector
        t = _decompose(parent, c, fields={"tilt": (om, "1e")}, include_displacements=False)
        assert t.amplitudes("tilt") == pytest.approx(
            _decompose(parent, child, fields={"tilt": (omega, "1e")}).amplitudes("tilt"), rel=1e-9)


def test_the_modes_add_up_to_the_field(pairs):
    """Completeness on a random field over all of Gamma, X, M, R (and on a pseudovector field)."""
    parent = pairs.cubic_perovskite(4.0)
    child = parent.repeat((2, 2, 2))
    rng = np.random.default_rng(0)
    child.positions += rng.normal(scale=0.05, size=(40, 3))
    spins = rng.normal(size=(40, 3))
    d = _decompose(parent, child, fields={"spin": (spins, "1e")})
    assert {m.star for m in d.modes} == {"GM", "X", "M", "R"}
    for name, field in (("displacement", d.match.displacements), ("spin", spins)):
        rows = [m for m in d.modes if m.field == name]
        assert sum(m.amplitude ** 2 for m in rows) == pytest.approx(np.sum(field ** 2), rel=1e-10)
        assert np.allclose(sum(m.values for m in rows), field, atol=1e-10)
        for m in rows[:6]:  # each part is a projection: orthogonal to the rest
            assert np.sum(m.values * (field - m.values)) == pytest.approx(0.0, abs=1e-10)
    # every label is a CDML label of Pm-3m
    assert all(m.label[:-1].rstrip("12345") in ("GM", "X", "M", "R") for m in d.modes)


def test_incommensurate_looking_k_and_a_nonsymmorphic_parent(pairs):
    parent = pairs.cubic_perovskite(4.0)
    child = parent.repeat((1, 1, 4))
    rng = np.random.default_rng(2)
    child.positions += rng.normal(scale=0.03, size=child.positions.shape)
    d = _decompose(parent, child)
    assert {m.star for m in d.modes} == {"GM", "X", "k(0,0,1/4)"}
    assert any(m.label.startswith("k(0,0,1/4):") for m in d.modes)
    assert sum(m.amplitude ** 2 for m in d.modes) == pytest.approx(np.sum(d.match.displacements ** 2))
    # P4/mbm (non-symmorphic) parent, Pnma child
    par, _ = glazer_perovskite("a0a0c+", 8.0)
    ch, _ = glazer_perovskite("a-a-c+", (4.0, 4.0, 8.0))
    d = _decompose(par, ch)
    assert d.space_group == "P4/mbm"
    assert sum(m.amplitude ** 2 for m in d.modes) == pytest.approx(np.sum(d.match.displacements ** 2))
    assert d.active(threshold=1e-2) == ["Z:Eg"]


def test_hexagonal_k_point_pairs_conjugate_irreps():
    """sqrt3 x sqrt3 supercell of a polar hexagonal parent (P3m1): K and -K are
    different stars and complex irreps pair up; the amplitudes stay complete."""
    hexa = np.array([[3.0, 0, 0], [-1.5, 1.5 * np.sqrt(3), 0], [0, 0, 4.0]])
    parent = Atoms("ZnS", scaled_positions=[[0, 0, 0], [1 / 3, 2 / 3, 0.3]], cell=hexa, pbc=True)
    assert space_group(parent).number == 156
    from ase.build import make_supercell

    child = make_supercell(parent, [[2, 1, 0], [-1, 1, 0], [0, 0, 1]])
    child.positions += np.random.default_rng(3).normal(scale=0.05, size=child.positions.shape)
    d = _decompose(parent, child)
    assert {m.star for m in d.modes} == {"GM", "K"}
    assert sum(m.amplitude ** 2 for m in d.modes) == pytest.approx(np.sum(d.match.displacements ** 2))
    assert np.allclose(sum(m.values for m in d.modes), d.match.displacements, atol=1e-10)
    assert all(m.dimension % 2 == 0 for m in d.modes if m.star == "K")  # K + (-K) together


def test_strain_only_child_is_a_valid_answer(pairs):
    parent = pairs.cubic_perovskite(3.9)
    child = parent.repeat((2, 2, 2))
    child.set_cell(child.cell[:] @ np.diag([1.02, 1.02, 0.99]), scale_atoms=True)
    d = _decompose(parent, pairs.rotated(child, pairs.random_rotation(4)))
    assert d.amplitudes(threshold=1e-9) == {}
    s = d.strain.amplitudes(1e-9)
    assert set(s) == {"0e GM1+", "2e GM3+"}
    e = np.diag([0.02, 0.02, -0.01])
    assert s["2e GM3+"] == pytest.approx(np.linalg.norm(e - np.trace(e) / 3 * np.eye(3)), rel=1e-9)


def test_noise_level_differences_give_identical_results(pairs):
    parent, child = pairs.tilted_pair("a+b-b-")
    noisy = child.copy()
    noisy.positions += np.random.default_rng(4).uniform(-5e-9, 5e-9, size=noisy.positions.shape)
    a, b = _decompose(parent, child).amplitudes(), _decompose(parent, noisy).amplitudes()
    assert list(a) == list(b)
    assert np.allclose(list(a.values()), list(b.values()), atol=5e-8)


def test_parent_given_as_a_rotated_supercell_gets_the_same_labels(pairs):
    parent, child = pairs.tilted_pair("a+b-b-")
    big = pairs.rotated(parent.repeat((2, 2, 2)), pairs.random_rotation(9))
    d = _decompose(big, child)
    assert d.space_group == "Pm-3m" and len(d.kpoints) == 8 and d.match.n_cells == 1
    ref = _decompose(parent, child).amplitudes()
    assert list(d.amplitudes()) == list(ref)  # A_s: same child supercell, same amplitudes
    assert list(d.amplitudes().values()) == pytest.approx(list(ref.values()), rel=1e-9)


def test_cif_and_extxyz_of_one_structure_agree(pairs, tmp_path):
    from ase.io import read, write

    parent, child = pairs.tilted_pair("a+b-b-", 7.0)
    write(tmp_path / "c.cif", child)
    write(tmp_path / "c.extxyz", child)
    write(tmp_path / "p.vasp", parent, format="vasp")
    p = read(tmp_path / "p.vasp")
    a = _decompose(p, read(tmp_path / "c.cif"))
    b = _decompose(p, read(tmp_path / "c.extxyz"))
    assert np.abs(read(tmp_path / "c.cif").positions - read(tmp_path / "c.extxyz").positions).max() > 0
    assert list(a.amplitudes()) == list(b.amplitudes()) == ["R4+", "M3+", "X5+"]
    assert np.allclose(list(a.amplitudes().values()), list(b.amplitudes().values()), atol=1e-5)
    assert np.array_equal(a.match.supercell, b.match.supercell)


def test_bad_input_is_refused(pairs):
    parent, child = pairs.tilted_pair("a0a0c-")
    m = match_structures(parent, child)
    with pytest.raises(ValueError, match=r"shape \(39, 3\); expected \(40, 3\)"):
        mode_decomposition(m, fields={"x": (np.zeros((39, 3)), "1e")})
    with pytest.raises(ValueError, match="cannot read field type"):
        mode_decomposition(m, fields={"x": (np.zeros((40, 3)), "vector")})
    with pytest.raises(ValueError, match="not a species"):
        mode_decomposition(m, origin="Sr")
    with pytest.raises(ValueError, match="nothing to decompose"):
        mode_decomposition(m, include_displacements=False)
    mol = Atoms("CH4", positions=[[0, 0, 0], [1, 1, 1], [-1, -1, 1], [-1, 1, -1], [1, -1, -1]])
    with pytest.raises(ValueError, match="frame must be"):
        mode_decomposition(m, frame="lab")
    # a molecule: irreps of its point group (Td), no strain
    d = mode_decomposition(match_structures(mol, mol))
    assert d.space_group == "Td" and not d.periodic and d.strain is None and d.amplitudes(threshold=1e-9) == {}
