"""The search stops on a convergence criterion, keeps the best state, restarts with
the next seeds when the fit is poor, and answers a zero target without a step."""

import os

import numpy as np
import pytest

from curienn.breaking import ModelOptions, OrderParameterProblem, OrderParameterSearch, SearchConfig, search

SMALL = ModelOptions(mul=2, hidden_lmax=2, edge_lmax=2, radial_neurons=8)


def _square(**kw):
    return OrderParameterProblem.square_to_rectangle(model=SMALL, irreps="1e+2e", max_model_steps=3, lr_op=1e-2,
                                                     **kw)


def test_the_joint_phase_stops_once_the_loss_is_below_tol():
    never = search(_square(joint_steps=30), progress=False)
    assert never.fit["steps"] == 33
    early = search(_square(joint_steps=30, tol=1e6, min_joint_steps=4), progress=False)
    assert early.fit["steps"] == 3 + 4  # converged as soon as allowed (any loss is below tol)
    assert [h["loss"] for h in early.history] == pytest.approx([h["loss"] for h in never.history[:7]], rel=1e-12)


def test_a_plateau_stops_the_joint_phase_and_the_best_state_is_kept():
    res = search(_square(joint_steps=60, joint_patience=3, plateau_tol=0.5), progress=False)
    joint = [h["loss"] for h in res.history if h["phase"] == "joint"]
    assert 3 <= len(joint) < 60  # stopped: no 50% improvement in 3 steps
    assert res.fit["loss"] <= min(joint) * (1 + 1e-9)  # the best state met (or a better last one)


def test_restarts_use_the_next_seeds_and_keep_the_best(tmp_path):
    ckpt = str(tmp_path / "ck.pt")
    problem = _square(joint_steps=4, restarts=2, good_ratio=1e-12)  # never good enough: three runs
    res = search(problem, progress=False, checkpoint=ckpt)
    runs = res.fit["attempts"]
    assert [a["seed"] for a in runs] == [0, 1, 2] and not res.fit["converged"]
    best = min(runs, key=lambda a: a["loss"])
    assert res.fit["seed"] == best["seed"] == res.config.seed and res.fit["loss"] == best["loss"]
    assert all(os.path.exists(p) for p in (ckpt, str(tmp_path / "ck.seed1.pt"), str(tmp_path / "ck.seed2.pt")))
    again = search(_square(joint_steps=4, restarts=2, good_ratio=1e-12), progress=False, checkpoint=ckpt,
                   resume=True)  # every run reloaded as it finished
    assert [a["loss"] for a in again.fit["attempts"]] == [a["loss"] for a in runs]
    one = search(_square(joint_steps=4, restarts=2), progress=False)  # good enough at once: one run
    assert len(one.fit["attempts"]) == 1 or one.fit["attempts"][0]["ratio"] > 0.02


def test_a_zero_target_needs_no_step():
    pos = np.array([[0.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0]])
    res = OrderParameterSearch(pos, np.zeros((3, 3)), "1o", config=SearchConfig(irreps="1e")).run(progress=False)
    assert res.fit["steps"] == 0 and res.fit["ratio"] == 0.0 and res.fit["loss"] == 0.0
    assert "zero output fits it exactly" in res.fit["note"] and np.all(res.prediction == 0)
