"""The trained argon models shipped in ``benchmarks/results/argon/`` load with
``weights_only`` and still give the numbers that docs/argon.md reports."""

import json
from pathlib import Path

import numpy as np
import pytest

from curienn.dynamics import PAPER_SEEDS, force_rmse, load_model, make_argon_dataset, md_summary, run_samples

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "argon"


@pytest.fixture(scope="module")
def fresh():
    # configurations none of the models saw (another seed than the benchmark's dataset)
    return make_argon_dataset(4000, seed=123)


def test_60_minute_model_force_rmse(fresh):
    model = load_model(RESULTS / "model60.pt")
    rmse = force_rmse(model, fresh.positions, fresh.forces)
    # docs/argon.md: 0.00432 eV/Å on the benchmark's test split
    assert 0.003 < rmse < 0.005, rmse


def test_md_model_reproduces_its_summary(fresh):
    model = load_model(RESULTS / "model_md.pt")
    assert force_rmse(model, fresh.positions, fresh.forces) < 0.01
    recorded = json.loads((RESULTS / "md_summary_model_md.json").read_text())
    ref = run_samples(None, 1000, PAPER_SEEDS)
    pred = run_samples(model, 1000, PAPER_SEEDS)
    got = md_summary(ref, pred, steps=(100, 1000))
    # chaotic MD amplifies round-off differences between machines; 2% is far below the
    # difference between the models (the 60-minute model: 0.154 Å at 1,000 steps)
    np.testing.assert_allclose(got["position_rmsd_per_sample_1000"],
                               recorded["position_rmsd_per_sample_1000"], rtol=0.02)
    # issue 13's target: every one of the paper's 10 samples within 0.1 Å of the analytic
    # trajectory after 1,000 steps
    assert max(got["position_rmsd_per_sample_1000"]) < 0.1
