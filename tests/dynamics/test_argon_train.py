"""Training the argon force model: the recipe's schedules, optimisers, checkpoints, resume."""

import math
import signal

import pytest
import torch

from curienn.dynamics import (
    OPTIMIZER_DEFAULTS, TrainConfig, TrainingInterrupted, force_rmse, load_checkpoint, load_model,
    make_argon_dataset, train_argon,
)


@pytest.fixture(scope="module")
def data():
    return make_argon_dataset(400, seed=0)


def _cfg(**kw):
    base = dict(widths=[6, 12, 4], max_seconds=None, max_steps=40, batch_size=32, batch_size_final=None,
                eval_every=10, dtype="float64", keep_best=False, lr=1e-2, lr_final=1e-3, schedule="exponential",
                warmup=0.0, patience=None)
    base.update(kw)
    return TrainConfig(**base)


def test_learning_rate_schedules():
    c = TrainConfig(lr=1e-2, lr_final=1e-4, warmup=0.1, schedule="cosine")
    assert c.learning_rate(0.05) == pytest.approx(5e-3)  # linear warm-up
    assert c.learning_rate(0.1) == pytest.approx(1e-2)
    assert c.learning_rate(0.55) == pytest.approx(1e-4 + 0.5 * (1e-2 - 1e-4))  # half-way down the cosine
    assert c.learning_rate(1.0) == pytest.approx(1e-4)
    assert c.learning_rate(0.0) > 0  # never exactly zero
    e = TrainConfig(lr=1e-2, lr_final=1e-4, warmup=0.0, schedule="exponential")
    assert e.learning_rate(0.5) == pytest.approx(1e-3)
    assert TrainConfig(schedule="constant", warmup=0.0).learning_rate(0.7) == TrainConfig().lr
    # the recipe's default: monotone after the warm-up
    r = TrainConfig()
    lrs = [r.learning_rate(p / 100) for p in range(3, 101)]
    assert all(a >= b for a, b in zip(lrs, lrs[1:]))


def test_batch_size_ramp():
    c = TrainConfig(batch_size=256, batch_size_final=2048)
    sizes = [c.batch(p / 1000, 60_000) for p in range(1001)]
    assert sizes[0] == 256 and sizes[-1] == 2048
    assert sorted(set(sizes)) == [256, 512, 1024, 2048]  # doublings at quarters of the budget
    assert c.batch(0.26, 60_000) == 512 and c.batch(0.24, 60_000) == 256
    assert c.batch(1.0, 1000) == 1000  # capped at the training set
    assert c.batch(0.0, 60_000, world=3) % 3 == 0
    assert TrainConfig(batch_size=0).batch(0.3, 777) == 777
    assert TrainConfig(batch_size=100, batch_size_final=None).batch(0.9, 60_000) == 100


def test_importance_sampling_is_unbiased_and_steadier(data):
    y = data.targets(data.train, torch.float64)
    n = y.shape[0]
    c = TrainConfig(sampling="force", sampling_mix=0.5)
    p = c.sampling_weights(y)
    assert p.sum().item() == pytest.approx(1.0) and p.min().item() >= 0.5 / n - 1e-15
    # big forces are drawn more often
    s = y.square().mean((-1, -2))
    assert p[s.argmax()] > 10 * p[s.argmin()]
    # E_p[w l] = mean l for any per-configuration loss l, with w = 1/(N p)
    loss = torch.rand(n, dtype=torch.float64) * s
    assert (p * loss / (n * p)).sum().item() == pytest.approx(loss.mean().item(), rel=1e-12)
    # and a batch estimate of the mean squared force varies less than a uniform batch's
    g = torch.Generator().manual_seed(0)
    imp = [(s[i] / (n * p[i])).mean().item() for i in (torch.multinomial(p, 16, True, generator=g)
                                                       for _ in range(400))]
    uni = [s[torch.randint(n, (16,), generator=g)].mean().item() for _ in range(400)]
    assert abs(sum(imp) / 400 - s.mean().item()) < 0.1 * s.mean().item()
    assert torch.tensor(imp).std() < 0.7 * torch.tensor(uni).std()
    assert torch.equal(TrainConfig(sampling="uniform").sampling_weights(y), torch.full((n,), 1.0 / n,
                                                                                       dtype=torch.float64))
    with pytest.raises(ValueError, match="sampling"):
        TrainConfig(sampling="random").validate()


def test_relative_loss_weights_and_training(data):
    y = data.targets(data.train, torch.float64)
    c = TrainConfig(loss="relative", relative_floor=1.0)
    u = c.loss_weights(y)
    s = y.square().mean((-1, -2)).sqrt()
    c2 = s.median() ** 2
    assert u.mean().item() == pytest.approx(1.0)
    assert torch.allclose(u / u[0], (s[0] ** 2 + c2) / (s**2 + c2))  # 1/(s² + c²), up to the scale
    assert torch.equal(TrainConfig().loss_weights(y), torch.ones(len(y), dtype=torch.float64))
    # force sampling follows the gradient scale u s: it no longer favours the largest forces
    p = c.sampling_weights(y)
    assert p[s.argmax()] < 2 * p.mean()
    # validation uses the training split's floor
    yv = data.targets(data.val, torch.float64)
    sv = yv.square().mean((-1, -2))
    assert torch.allclose(c.loss_weights(yv, reference=y), (1 / (sv + c2)) / (1 / (s**2 + c2)).mean())
    # training with it: the history's val_loss is the weighted objective, val_rmse the plain RMSE
    res = train_argon(data, _cfg(loss="relative", sampling="uniform", max_steps=20, keep_best=True), progress=False)
    rmse = force_rmse(res.model, data.positions[data.val], data.forces[data.val])
    h = min(res.history, key=lambda r: r["val_loss"])
    assert h["val_rmse"] == pytest.approx(rmse, rel=1e-6)
    assert abs(h["val_loss"] - (h["val_rmse"] / float(res.model.y_scale)) ** 2) > 1e-6
    # full batch (FIRE): the loss is the weighted objective too, so it falls on the training split
    cfg = _cfg(loss="relative", optimizer="fire", batch_size=0, max_steps=1, eval_every=1)
    first = train_argon(data, cfg, progress=False).history[0]["train_loss"]  # the loss before the first step
    m0 = train_argon(data, _cfg(loss="relative", max_steps=0), progress=False).model
    with torch.no_grad():
        per = (m0(data.inputs(data.train, torch.float64)) - y).square().mean((-1, -2))
    assert first == pytest.approx(float((u * per).mean()), rel=1e-9)
    assert first != pytest.approx(float(per.mean()), rel=1e-3)
    with pytest.raises(ValueError, match="loss"):
        TrainConfig(loss="mae").validate()


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
    assert res.history[-1]["samples"] == 150 * 32


def test_recipe_defaults_ramp_and_warm_up(data):
    res = train_argon(data, TrainConfig(widths=[6, 8, 4], max_seconds=None, max_steps=40, eval_every=5,
                                        batch_size=16, batch_size_final=64, warmup=0.25, patience=None),
                      progress=False)
    sizes = [h["batch_size"] for h in res.history]
    assert sizes[0] == 16 and sizes[-1] == 64 and sorted(sizes) == sizes
    lrs = [h["lr"] for h in res.history]
    assert lrs[0] < lrs[1]  # warming up
    assert lrs[-1] < 0.01 * max(lrs)  # cosine decay to lr_final
    assert res.history[-1]["samples"] == sum(TrainConfig(batch_size=16, batch_size_final=64).batch(s / 40, 240)
                                             for s in range(40))


def test_early_stopping(data):
    # a zero learning rate never improves: patience 3 stops after 3 evaluations past the first
    cfg = _cfg(lr=1e-12, lr_final=1e-12, max_steps=1000, eval_every=2, patience=3, keep_best=True,
               patience_lr=1.0)
    res = train_argon(data, cfg, progress=False)
    assert res.stopped_early and res.steps == 8 and res.history[-1]["stopped_early"]
    # by default the patience only counts once the schedule has brought the rate below a tenth
    cfg = _cfg(lr=1e-12, lr_final=1e-14, schedule="cosine", max_steps=100, eval_every=2, patience=3)
    first = next(k for k in range(2, 101, 2) if cfg.learning_rate(k / 100) <= 0.1e-12)  # 1st counted
    res = train_argon(data, cfg, progress=False)
    assert 70 < first < 90 and res.stopped_early and res.steps == first + 4


@pytest.mark.parametrize("optimizer", ["adam", "fire"])
def test_checkpoint_resume_is_exact(tmp_path, data, optimizer):
    # a constant lr: the schedule depends on max_steps, which differs between the two parts
    kw = dict(optimizer=optimizer, batch_size=0 if optimizer == "fire" else 32, lr=3e-3, lr_final=3e-3)
    full = train_argon(data, _cfg(max_steps=20, **kw), progress=False)
    ck = tmp_path / "ck.pt"
    part = train_argon(data, _cfg(max_steps=10, **kw), checkpoint=ck, progress=False)
    assert ck.exists() and [p.name for p in tmp_path.iterdir()] == ["ck.pt"]  # no temporary left over
    assert part.steps == 10
    rest = train_argon(data, _cfg(max_steps=20, **kw), checkpoint=ck, resume=True, progress=False)
    assert rest.steps == 20
    for a, b in zip(full.model.state_dict().values(), rest.model.state_dict().values()):
        assert torch.equal(a, b)
    loaded = load_model(ck, best=False)
    pos = data.positions[:5]
    assert torch.allclose(loaded.forces(pos), full.model.forces(pos))
    ck2 = torch.load(ck, weights_only=True)
    assert ck2["conventions"] and [h["step"] for h in ck2["history"]] == [10, 20]
    assert ck2["data_fingerprint"] == data.fingerprint()


def test_existing_checkpoint_is_never_mixed(tmp_path, data):
    ck = tmp_path / "ck.pt"
    train_argon(data, _cfg(max_steps=4), checkpoint=ck, progress=False)
    before = ck.read_bytes()
    with pytest.raises(ValueError, match="already exists.*resume.*overwrite"):
        train_argon(data, _cfg(max_steps=8), checkpoint=ck, progress=False)
    assert ck.read_bytes() == before
    with pytest.raises(ValueError, match="exclude"):
        train_argon(data, _cfg(max_steps=8), checkpoint=ck, resume=True, overwrite=True, progress=False)
    res = train_argon(data, _cfg(max_steps=3), checkpoint=ck, overwrite=True, progress=False)
    assert res.steps == 3 and load_checkpoint(ck)["step"] == 3
    # resume without a file starts afresh
    fresh = train_argon(data, _cfg(max_steps=2), checkpoint=tmp_path / "new.pt", resume=True, progress=False)
    assert fresh.steps == 2


def test_resume_refuses_other_data_model_or_optimizer(tmp_path, data):
    ck = tmp_path / "ck.pt"
    train_argon(data, _cfg(max_steps=4), checkpoint=ck, progress=False)
    for other in (make_argon_dataset(300, seed=0), make_argon_dataset(400, seed=1)):
        with pytest.raises(ValueError, match="another dataset.*n=400, seed=0.*--allow-other-data"):
            train_argon(other, _cfg(max_steps=8), checkpoint=ck, resume=True, progress=False)
    res = train_argon(make_argon_dataset(400, seed=1), _cfg(max_steps=8), checkpoint=ck, resume=True,
                      allow_other_data=True, progress=False)
    assert res.steps == 8
    with pytest.raises(ValueError, match="widths"):
        train_argon(data, _cfg(widths=[6, 10, 4], max_steps=9), checkpoint=ck, resume=True,
                    allow_other_data=True, progress=False)
    with pytest.raises(ValueError, match=r"'adam' run.*cannot be resumed with optimizer 'fire'.*--init"):
        train_argon(data, _cfg(optimizer="fire", max_steps=9), checkpoint=ck, resume=True,
                    allow_other_data=True, progress=False)


def test_polish_a_run_with_another_optimizer_in_float64(tmp_path, data):
    adam = train_argon(data, _cfg(dtype="float32", max_steps=30), checkpoint=tmp_path / "a.pt", progress=False)
    start = load_model(tmp_path / "a.pt", dtype=torch.float64)
    assert start.dtype == torch.float64
    before = force_rmse(start, data.positions[data.val], data.forces[data.val])
    assert before == pytest.approx(adam.history[-1]["val_rmse"], rel=1e-4)
    cfg = TrainConfig.with_optimizer("lbfgs", max_seconds=None, max_steps=3, patience=None)
    assert (cfg.lr, cfg.batch_size) == (OPTIMIZER_DEFAULTS["lbfgs"]["lr"], 0)
    pol = train_argon(data, cfg, model=start, checkpoint=tmp_path / "p.pt", progress=False)
    assert pol.model.dtype == torch.float64 and load_model(tmp_path / "p.pt").dtype == torch.float64
    assert force_rmse(pol.model, data.positions[data.val], data.forces[data.val]) < before


def test_fire_and_lbfgs_run(data):
    f = train_argon(data, _cfg(optimizer="fire", batch_size=0, max_steps=30), progress=False)
    assert f.history[-1]["val_loss"] < f.history[0]["val_loss"] * 1.5
    g = train_argon(data, _cfg(optimizer="lbfgs", max_steps=6, eval_every=2, lr=1.0, lr_final=1.0),
                    progress=False)
    assert g.history[-1]["val_loss"] < 0.9 * g.history[0]["val_loss"]


def test_keep_best_and_bad_config(tmp_path, data):
    res = train_argon(data, _cfg(keep_best=True, max_steps=30), checkpoint=tmp_path / "b.pt", progress=False)
    best = min(h["val_rmse"] for h in res.history)
    assert force_rmse(res.model, data.positions[data.val], data.forces[data.val]) == pytest.approx(best)
    assert force_rmse(load_model(tmp_path / "b.pt"), data.positions[data.val],
                      data.forces[data.val]) == pytest.approx(best)
    for bad, match in ((dict(optimizer="sgd"), "sgd"), (dict(max_steps=None, max_seconds=None), "max_steps or"),
                       (dict(schedule="linear"), "linear"), (dict(warmup=1.0), "warmup"),
                       (dict(batch_size=64, batch_size_final=32), "batch_size_final"),
                       (dict(patience=0), "patience"), (dict(sampling_mix=1.0), "sampling_mix"), (dict(patience_lr=0), "patience_lr"),
                       (dict(device="cuda:7"), "available: cpu")):
        with pytest.raises(ValueError, match=match):
            train_argon(data, _cfg(**bad), progress=False)
    with pytest.raises(ValueError, match="sgd"):
        TrainConfig.with_optimizer("sgd")


def _interrupt_resumed_run(tmp_path, data, interrupt):
    """A 5-step run with its checkpoint, resumed; ``interrupt()`` is called from inside the
    resumed run's second validation (step 15). Returns the TrainingInterrupted and the file."""
    ck = tmp_path / "ck.pt"
    train_argon(data, _cfg(max_steps=5), checkpoint=ck, progress=False)
    calls = {"n": 0}

    def cb(rec, model):
        calls["n"] += 1
        if calls["n"] == 2:
            interrupt()

    with pytest.raises(TrainingInterrupted) as exc:
        train_argon(data, _cfg(max_steps=50, eval_every=5), checkpoint=ck, resume=True, progress=False,
                    callback=cb)
    return exc.value, ck


def test_second_ctrl_c_saves_nothing(tmp_path, data):
    """Two real Ctrl-Cs inside a step: the first is deferred, the second interrupts the step
    at once, and the half-done step is not written over the last checkpoint."""

    def twice():
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)

    exc, ck = _interrupt_resumed_run(tmp_path, data, twice)
    assert exc.step == 15 and exc.saved_step == 5
    assert load_checkpoint(ck)["step"] == 5


def test_interrupt_saves_a_whole_step(tmp_path, data, monkeypatch):
    """A KeyboardInterrupt raised from inside a step (a second Ctrl-C) saves nothing new;
    the deferred first Ctrl-C (tested with a signal in tests/cli) saves the step."""

    def raise_it():
        raise KeyboardInterrupt

    exc, ck = _interrupt_resumed_run(tmp_path, data, raise_it)
    assert exc.step == 15 and exc.saved_step == 5
    assert "last checkpoint" in str(exc) and load_checkpoint(ck)["step"] == 5
    assert isinstance(exc, KeyboardInterrupt)
    assert math.isfinite(load_checkpoint(ck)["history"][-1]["val_loss"])
