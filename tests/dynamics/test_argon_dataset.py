"""The paper's 4-atom argon dataset."""

import pytest
import torch

from curienn.dynamics import PAIRS, ArgonData, lj_energy_forces, make_argon_dataset, relative_vectors


def test_dataset_statistics_split_and_seed(tmp_path):
    d = make_argon_dataset(3000, seed=7)
    assert d.positions.shape == (3000, 4, 3) and d.forces.shape == (3000, 4, 3)
    assert (len(d.train), len(d.val), len(d.test)) == (1800, 600, 600)
    allidx = torch.cat([d.train, d.val, d.test])
    assert torch.equal(allidx.sort().values, torch.arange(3000))
    # the rejection rule: no pair closer than 2.8 A
    dist = torch.cdist(d.positions, d.positions)
    dist = dist + 1e3 * torch.eye(4)
    assert dist.min() >= 2.8
    # coordinates ~ N(0, 3 A) (slightly wider after rejection)
    assert 2.9 < d.positions.std().item() < 3.4
    # relative vectors have std ~ 4.5 A, forces ~ 0.13 eV/A (the study's numbers)
    assert d.x_scale == pytest.approx(4.5, rel=0.05)
    assert 0.08 < d.y_scale < 0.2
    # seeded
    d2 = make_argon_dataset(3000, seed=7)
    assert torch.equal(d.positions, d2.positions) and torch.equal(d.test, d2.test)
    assert not torch.equal(make_argon_dataset(3000, seed=8).positions, d.positions)
    # targets are the LJ forces
    _, f = lj_energy_forces(d.positions[:10])
    assert torch.allclose(d.forces[:10], f)
    # round trip through disk
    d.save(tmp_path / "argon.pt")
    e = ArgonData.load(tmp_path / "argon.pt")
    assert torch.equal(e.forces, d.forces) and e.y_scale == d.y_scale


def test_inputs_and_targets_layout():
    d = make_argon_dataset(50, seed=1)
    x = d.inputs(dtype=torch.float64)
    y = d.targets(dtype=torch.float64)
    assert x.shape == (50, 3, 6) and y.shape == (50, 3, 4)
    for c, (i, j) in enumerate(PAIRS):
        assert torch.allclose(x[:, :, c] * d.x_scale, d.positions[:, j] - d.positions[:, i])
    assert torch.allclose(y[:, :, 2] * d.y_scale, d.forces[:, 2])
    assert relative_vectors(d.positions[:3]).shape == (3, 3, 6)
    with pytest.raises(ValueError, match=r"\(2, 5, 3\)"):
        relative_vectors(torch.zeros(2, 5, 3))


def test_bad_arguments():
    with pytest.raises(ValueError, match="split"):
        make_argon_dataset(10, split=(0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match="-3"):
        make_argon_dataset(-3)


def test_fingerprint_identifies_the_data(tmp_path):
    d = make_argon_dataset(100, seed=2)
    assert d.fingerprint() == make_argon_dataset(100, seed=2).fingerprint()
    assert d.fingerprint() != make_argon_dataset(100, seed=3).fingerprint()
    assert d.fingerprint() != make_argon_dataset(101, seed=2).fingerprint()
    assert d.fingerprint() != make_argon_dataset(100, seed=2, split=(0.5, 0.3, 0.2)).fingerprint()
    d.save(tmp_path / "d.pt")
    assert ArgonData.load(tmp_path / "d.pt").fingerprint() == d.fingerprint()
