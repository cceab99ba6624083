"""Training the argon force model: optimisers, checkpoints, resume."""

import pytest
import torch

from curienn.dynamics import TrainConfig, force_rmse, load_model, make_argon_dataset, train_argon



@pytest.fixture(scope="module")
def data():
    return make_argon_dataset(400, seed=0)


def _cfg(**kw):
    base = dict(widths=[6, 12, 4], max_seconds=None, max_steps=40, batch_size=32, eval_every=10,
                dtype="float64", keep_best=False, lr=1e-2, lr_final=1e-3)
    base.update(kw)
    return TrainConfig(**base)


def test_adam_training_reduces_the_error(data):
    model0 = train_argon(data, _cfg(max_steps=0, widths=[6, 16, 16, 4]), progress=False)
    rmse0 = force_rmse(model0.model, data.positions[data.val], data.forces[data.val])
    res = train_argon(data, _cfg(max_steps=150, widths=[6, 16, 16, 4]), progress=False)
    assert res.steps == 150 and len(res.history) == 15
    rmse = force_rmse(res.model, data.positions[data.val], data.forces[data.val])
    assert rmse < 0.95 * rmse0  # heavy-tailed forces: a tiny net moves slowly
    assert res.history[-1]["val_loss"] < 0.9 * res.history[0]["val_loss"]
    assert res.history[-1]["val_rmse"] == pytest.approx(rmse, rel=1e-9)
    # the lr schedule: lr * (lr_final/lr)^(step/max_steps), set before step 10
    assert res.history[0]["lr"] == pytest.approx(1e-2 * 0.1 ** (9 / 150), rel=1e-6)


@pytest.mark.parametrize("optimizer", ["adam", "fire"])
def test_checkpoint_resume_is_exact(tmp_path, data, optimizer):
    # a constant lr: the schedule depends on max_steps, which differs between the two parts
    kw = dict(optimizer=optimizer, batch_size=0 if optimizer == "fire" else 32, lr=3e-3, lr_final=3e-3)
    full = train_argon(data, _cfg(max_steps=20, **kw), progress=False)
    ck = tmp_path / "ck.pt"
    part = train_argon(data, _cfg(max_steps=10, **kw), checkpoint=ck, progress=False)
    assert ck.exists() and not (tmp_path / "ck.pt.tmp").exists()
    assert part.steps == 10
    rest = train_argon(data, _cfg(max_steps=20, **kw), checkpoint=ck, progress=False)
    assert rest.steps == 20
    for a, b in zip(full.model.state_dict().values(), rest.model.state_dict().values()):
        assert torch.equal(a, b)
    loaded = load_model(ck, best=False)
    pos = data.positions[:5]
    assert torch.allclose(loaded.forces(pos), full.model.forces(pos))
    ck2 = torch.load(ck, weights_only=True)
    assert ck2["conventions"] and [h["step"] for h in ck2["history"]] == [10, 20]


def test_fire_and_lbfgs_run(data):
    f = train_argon(data, _cfg(optimizer="fire", batch_size=0, max_steps=30), progress=False)
    assert f.history[-1]["val_loss"] < f.history[0]["val_loss"] * 1.5
    g = train_argon(data, _cfg(optimizer="lbfgs", max_steps=6, eval_every=2, lr=1.0, lr_final=1.0),
                    progress=False)
    assert g.history[-1]["val_loss"] < 0.9 * g.history[0]["val_loss"]


def test_keep_best_and_bad_config(tmp_path, data):
    res = train_argon(data, _cfg(keep_best=True, max_steps=30), checkpoint=tmp_path / "b.pt",
                      progress=False)
    best = min(h["val_rmse"] for h in res.history)
    assert force_rmse(res.model, data.positions[data.val], data.forces[data.val]) == pytest.approx(best)
    assert force_rmse(load_model(tmp_path / "b.pt"), data.positions[data.val],
                      data.forces[data.val]) == pytest.approx(best)
    with pytest.raises(ValueError, match="sgd"):
        train_argon(data, _cfg(optimizer="sgd"), progress=False)
    with pytest.raises(ValueError, match="max_steps or max_seconds"):
        train_argon(data, _cfg(max_steps=None, max_seconds=None), progress=False)
    with pytest.raises(ValueError, match="different"):
        train_argon(data, _cfg(widths=[6, 10, 4]), checkpoint=tmp_path / "b.pt", progress=False)
