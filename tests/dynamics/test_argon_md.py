"""Velocity Verlet MD of the paper's argon samples."""

import numpy as np
import pytest
import torch

from curienn.dynamics import (
    PAPER_POSITIONS, AnalyticLJ, ArgonForceModel, ArgonNNCalculator, argon_atoms,
    energy_rmsd, md_summary, position_rmsd, run_md, run_samples, total_energies,
)



def test_initial_state_at_10K():
    atoms = argon_atoms(seed=3)
    np.testing.assert_allclose(atoms.positions, np.array(PAPER_POSITIONS))
    np.testing.assert_allclose(atoms.get_masses(), 39.948)
    temps = [argon_atoms(seed=s).get_temperature() for s in range(1, 41)]
    assert 5 < np.mean(temps) < 15
    assert not np.allclose(argon_atoms(1).get_momenta(), argon_atoms(2).get_momenta())


def test_energy_conservation_5000_steps():
    # ASE's VelocityVerlet with the analytic LJ calculator, 1 fs
    traj = run_samples(None, n_steps=5000, seeds=(1,), integrator="ase")
    E = traj.energies()
    assert E.shape == (1, 5001)
    assert np.abs(E - E[:, :1]).max() < 1e-6
    # the bound cluster stays bound (the study: pair distances 3.4..7.4 A)
    d = np.linalg.norm(traj.positions[:, :, :, None] - traj.positions[:, :, None], axis=-1)
    assert d.max() < 9.0
    # and it actually moves
    assert position_rmsd(traj.positions[:, :1].repeat(5001, 1), traj.positions)[-1] > 0.1


def test_batched_verlet_equals_ase_velocity_verlet():
    a = run_samples(None, n_steps=300, seeds=(1, 2), integrator="ase")
    b = run_samples(None, n_steps=300, seeds=(1, 2), integrator="batched")
    assert np.abs(a.positions - b.positions).max() < 1e-12
    assert np.abs(a.momenta - b.momenta).max() < 1e-12


def test_nn_calculator_and_rmsd_metrics():
    torch.set_default_dtype(torch.float64)
    model = ArgonForceModel(4.5, 0.13)
    atoms = argon_atoms(1)
    atoms.calc = ArgonNNCalculator(model)
    f = atoms.get_forces()
    np.testing.assert_allclose(f, model.forces(torch.from_numpy(atoms.positions)).detach().numpy())
    ref = run_samples(None, n_steps=20, seeds=(1, 2))
    nn_ase = run_samples(model, n_steps=20, seeds=(1, 2), integrator="ase")
    nn_bat = run_samples(model, n_steps=20, seeds=(1, 2))
    assert np.abs(nn_ase.positions - nn_bat.positions).max() < 1e-10
    r = position_rmsd(ref.positions, nn_bat.positions)
    assert r[0] == 0 and r[-1] > 0
    e = energy_rmsd(ref.energies(), nn_bat.energies())
    assert e.shape == (21,) and e[0] == pytest.approx(0, abs=1e-15)
    # by hand for one step
    diff = ref.positions[:, 5] - nn_bat.positions[:, 5]
    assert r[5] == pytest.approx(np.sqrt((diff**2).sum(-1).mean()))
    with pytest.raises(ValueError, match="exactly 4 atoms"):
        atoms2 = argon_atoms(1, positions=PAPER_POSITIONS[:3])
        atoms2.calc = ArgonNNCalculator(model)
        atoms2.get_forces()
    with pytest.raises(ValueError, match="integrator"):
        run_samples(None, 5, integrator="leapfrog")


def test_run_md_frames_and_total_energy():
    atoms = argon_atoms(4)
    pos, mom = run_md(atoms, AnalyticLJ(), 10)
    assert pos.shape == (11, 4, 3)
    np.testing.assert_allclose(pos[0], atoms.positions)
    e = total_energies(pos, mom, atoms.get_masses())
    atoms.calc = AnalyticLJ()
    assert e[0] == pytest.approx(atoms.get_potential_energy() + atoms.get_kinetic_energy(), abs=1e-14)


def test_md_summary_per_sample_and_drift(capsys):
    torch.set_default_dtype(torch.float64)
    ref = run_samples(None, n_steps=120, seeds=(1, 2, 3))
    same = md_summary(ref, ref, steps=(100, 1000))
    assert same["position_rmsd_100"] == 0 and same["position_rmsd_per_sample_100"] == [0.0, 0.0, 0.0]
    assert "position_rmsd_1000" not in same and "position_rmsd_120" in same  # the last step is always in
    assert same["reference_energy_drift"] < 1e-7 and max(same["energy_drift_per_sample"]) < 1e-7
    model = ArgonForceModel(4.5, 0.13)  # untrained: the trajectories part and gain energy
    pred = run_samples(model, n_steps=120, seeds=(1, 2, 3), progress=True)
    assert "md (network)" in capsys.readouterr().err  # the progress bar
    s = md_summary(ref, pred, steps=(100,))
    per = np.asarray(s["position_rmsd_per_sample_100"])
    assert per.shape == (3,) and (per > 0).all()
    # Eq. 48 over all samples is the root mean square of the per-sample values
    assert s["position_rmsd_100"] == pytest.approx(np.sqrt(np.mean(per**2)))
    e_pred = pred.energies()
    assert s["energy_drift_per_sample"][1] == pytest.approx(np.abs(e_pred[1] - e_pred[1, 0]).max())
    with pytest.raises(ValueError, match="shapes differ"):
        md_summary(ref, run_samples(None, n_steps=10, seeds=(1, 2, 3)))


def test_position_rmsd_per_sample():
    rng = np.random.default_rng(0)
    ref, pred = rng.normal(size=(3, 7, 4, 3)), rng.normal(size=(3, 7, 4, 3))
    each = position_rmsd(ref, pred, per_sample=True)
    assert each.shape == (3, 7)
    np.testing.assert_allclose(each[1, 2], np.sqrt(np.square(ref[1, 2] - pred[1, 2]).sum(-1).mean()))
    # Eq. 48 is the root of the mean over samples of the squared per-sample RMSDs
    np.testing.assert_allclose(position_rmsd(ref, pred), np.sqrt(np.square(each).mean(0)))
