"""Lennard-Jones argon: against ASE and against finite differences."""

import numpy as np
import pytest
import torch
from ase import Atoms, units

from curienn.dynamics import (
    ARGON_EPSILON, ARGON_SIGMA, AnalyticLJ, ase_lennard_jones, lj_energy_forces, sample_positions,
)


def test_constants():
    assert ARGON_EPSILON == pytest.approx(120 * units.kB)
    assert ARGON_EPSILON == pytest.approx(0.010341, abs=1e-6)
    assert ARGON_SIGMA == 3.4


def test_pair_minimum_and_depth():
    torch.set_default_dtype(torch.float64)
    r0 = 2 ** (1 / 6) * ARGON_SIGMA
    pos = torch.tensor([[0.0, 0.0, 0.0], [r0, 0.0, 0.0]])
    e, f = lj_energy_forces(pos)
    assert e.item() == pytest.approx(-ARGON_EPSILON, rel=1e-12)
    assert f.abs().max().item() < 1e-14


def test_forces_equal_ase_with_large_cutoff():
    pos = sample_positions(20, seed=3)
    e, f = lj_energy_forces(torch.from_numpy(pos))
    far = 0
    for k in range(len(pos)):
        atoms = Atoms("Ar4", positions=pos[k])
        atoms.calc = ase_lennard_jones()
        assert atoms.get_potential_energy() == pytest.approx(e[k].item(), abs=1e-12)
        np.testing.assert_allclose(atoms.get_forces(), f[k].numpy(), atol=1e-12)
        atoms.calc = AnalyticLJ()
        np.testing.assert_allclose(atoms.get_forces(), f[k].numpy(), atol=1e-14)
        d = np.linalg.norm(pos[k][:, None] - pos[k][None], axis=-1)
        far += (d > 3 * ARGON_SIGMA).any()
    assert far > 0  # some pairs lie beyond ASE's default cut-off: the large rc matters


def test_ase_default_cutoff_is_a_trap():
    """ASE's default rc = 3 sigma truncates pairs that the dataset contains."""
    from ase.calculators.lj import LennardJones

    pos = np.array([[0.0, 0, 0], [11.0, 0, 0]])
    atoms = Atoms("Ar2", positions=pos)
    atoms.calc = LennardJones(epsilon=ARGON_EPSILON, sigma=ARGON_SIGMA)
    assert np.abs(atoms.get_forces()).max() == 0.0
    _, f = lj_energy_forces(torch.from_numpy(pos))
    assert f.abs().max().item() > 1e-6


def test_forces_are_minus_gradient_finite_differences():
    pos = torch.from_numpy(sample_positions(5, seed=4))
    _, f = lj_energy_forces(pos)
    h = 1e-6
    fd = torch.zeros_like(pos)
    for a in range(4):
        for c in range(3):
            dp = torch.zeros_like(pos)
            dp[:, a, c] = h
            ep, _ = lj_energy_forces(pos + dp)
            em, _ = lj_energy_forces(pos - dp)
            fd[:, a, c] = -(ep - em) / (2 * h)
    assert torch.allclose(f, fd, atol=1e-9)
    # and autograd agrees too
    p = pos.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(lj_energy_forces(p)[0].sum(), p)
    assert torch.allclose(f, -g, atol=1e-14)
    # Newton's third law: no net force
    assert f.sum(-2).abs().max() < 1e-15


def test_cutoff_shift_and_bad_input():
    pos = torch.tensor([[0.0, 0.0, 0.0], [4.0, 0.0, 0.0], [20.0, 0.0, 0.0]], dtype=torch.float64)
    e_cut, f_cut = lj_energy_forces(pos, cutoff=10.0)
    e_two, _ = lj_energy_forces(pos[:2])
    s6 = (ARGON_SIGMA / 10.0) ** 6
    assert e_cut.item() == pytest.approx(e_two.item() - 4 * ARGON_EPSILON * (s6 * s6 - s6), abs=1e-15)
    assert f_cut[2].abs().max() == 0
    with pytest.raises(ValueError, match=r"\(3,\)"):
        lj_energy_forces(torch.zeros(3))
    with pytest.raises(ValueError, match="cutoff"):
        lj_energy_forces(pos, cutoff=-1.0)
