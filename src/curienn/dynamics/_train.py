r"""Training the argon force model: the recipe (Adam with warm-up, cosine decay,
importance sampling by force, best-on-validation weights, early stopping; an
optional batch-size ramp), FIRE and L-BFGS, with progress, atomic checkpoints,
resume, interruption and optional DistributedDataParallel.

Loss: the mean squared error of the *scaled* force components (the paper's
Eq. 43 up to the constant factor 12), or the relative loss; scales come from
the model (the dataset's RMS relative-vector length and RMS force component:
one scalar each, so rotation equivariance is kept). The hyper-parameters and
their schedules: :class:`~curienn.dynamics.TrainConfig`; checkpoints:
:func:`~curienn.dynamics.load_checkpoint`.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import time
from dataclasses import dataclass
from typing import Callable

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from curienn.io import deferred_interrupt
from curienn.optim import FIRE

from ._checkpoint import _check_resume, load_checkpoint, save_checkpoint
from ._config import _DTYPES, TrainConfig
from ._dataset import ArgonData, relative_vectors
from ._ddp import broadcast_floats, get_rank, get_world_size, is_distributed
from ._device import resolve_device
from ._model import ArgonForceModel

__all__ = ["TrainResult", "TrainingInterrupted", "train_argon", "force_rmse"]


@dataclass
class TrainResult:
    """What :func:`train_argon` returns: the model (best-validation weights
    when ``keep_best``), the evaluation history, the steps and seconds done,
    and whether early stopping ended the run."""

    model: ArgonForceModel
    history: list
    steps: int
    seconds: float
    stopped_early: bool = False


class TrainingInterrupted(KeyboardInterrupt):
    """Training was interrupted (Ctrl-C) after ``step`` steps.

    ``checkpoint`` is the file holding the state at ``saved_step`` (written on
    the interrupt when ``saved_step == step``; an earlier save after a second
    Ctrl-C), from which ``train_argon(..., resume=True)`` continues; ``None``
    when there is none.
    """

    def __init__(self, checkpoint: str | None, step: int, saved_step: int | None) -> None:
        super().__init__(checkpoint, step, saved_step)
        self.checkpoint, self.step, self.saved_step = checkpoint, step, saved_step

    def __str__(self) -> str:
        if self.checkpoint is None or self.saved_step is None:
            return f"interrupted at step {self.step}; nothing was saved"
        if self.saved_step == self.step:
            return f"interrupted at step {self.step}; checkpoint saved to {self.checkpoint}"
        return (f"interrupted at step {self.step}; the last checkpoint, {self.checkpoint}, "
                f"holds step {self.saved_step}")


@torch.no_grad()
def force_rmse(model: ArgonForceModel, positions: torch.Tensor, forces: torch.Tensor,
               chunk: int = 8192) -> float:
    r"""RMS error of force components, ``sqrt(mean((F_pred - F)^2))`` in eV/Å,
    for positions ``(N, 4, 3)`` and forces ``(N, 4, 3)``."""
    if len(positions) == 0:
        raise ValueError("no configurations to evaluate (empty positions)")
    dev = model.x_scale.device
    sq, n = 0.0, 0
    for s in range(0, len(positions), chunk):
        p = torch.as_tensor(positions[s:s + chunk]).to(dev)
        f = torch.as_tensor(forces[s:s + chunk]).to(dev, torch.float64)
        d = model.forces(p).double() - f
        sq += float(d.square().sum())
        n += d.numel()
    return math.sqrt(sq / n)


def _make_optimizer(cfg: TrainConfig, params):
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.lr)
    if cfg.optimizer == "fire":
        return FIRE(params, mass=cfg.fire_mass, dt=cfg.fire_dt, dt_max=cfg.fire_dt_max)
    return torch.optim.LBFGS(params, lr=cfg.lr, max_iter=cfg.lbfgs_iter, history_size=cfg.lbfgs_history,
                             line_search_fn="strong_wolfe")


def train_argon(
    data: ArgonData,
    config: TrainConfig | None = None,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
    model: ArgonForceModel | None = None,
    overwrite: bool = False,
    allow_other_data: bool = False,
    callback: Callable[[dict, ArgonForceModel], None] | None = None,
) -> TrainResult:
    r"""Train (or resume training) an :class:`ArgonForceModel` on ``data.train``.

    Every ``eval_every`` steps the validation force RMSE (eV/Å) is recorded in
    the history as ``{step, seconds, samples, train_loss, val_loss, val_rmse,
    lr, batch_size}`` and ``callback(record, model)`` is called (its time
    counts). With ``checkpoint`` the state (model, optimiser, sampler,
    history, best weights, a fingerprint of the dataset) is written
    atomically every ``checkpoint_every_s`` seconds (and every
    ``checkpoint_every`` steps), on Ctrl-C and at the end.

    An existing ``checkpoint`` is continued when ``resume`` (refused if it was
    made with another optimizer, model or -- unless ``allow_other_data`` --
    dataset), replaced when ``overwrite``, and otherwise refused
    (``ValueError``): two runs never share a file. ``resume`` without an
    existing file starts afresh.

    ``model`` starts from given weights (e.g. :func:`load_model` of another
    run, to polish it with another optimizer); it keeps its own scales, dtype
    and widths. Ctrl-C saves the checkpoint and raises
    :class:`TrainingInterrupted`. Under ``torch.distributed`` (see
    :mod:`curienn.dynamics._ddp`) each rank trains on its slice of the same
    global batch; every rank resumes from ``checkpoint``, only rank 0
    evaluates, keeps the best weights and writes.
    """
    cfg = copy.deepcopy(config) if config is not None else TrainConfig()
    cfg.validate()
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other: continue the checkpoint, or replace it")
    with deferred_interrupt() as interrupt:
        return _train(data, cfg, checkpoint, resume, progress, model, overwrite, allow_other_data, callback,
                      interrupt)


def _train(data, cfg, checkpoint, resume, progress, model, overwrite, allow_other_data, callback,
           interrupt) -> TrainResult:
    rank, world = get_rank(), get_world_size()
    device = resolve_device(cfg.device)
    if device.type == "cuda" and is_distributed():
        device = torch.device(f"cuda:{torch.cuda.current_device()}")
    checkpoint = None if checkpoint is None else os.fspath(checkpoint)
    ck = None
    if checkpoint is not None and os.path.exists(checkpoint):
        if resume:
            ck = load_checkpoint(checkpoint, map_location=device)
            _check_resume(checkpoint, ck, cfg, data, allow_other_data)
        elif not overwrite:
            raise ValueError(f"checkpoint {checkpoint!r} already exists; continue it with resume "
                             f"(CLI: --resume) or replace it with overwrite (--overwrite)")
    n_train = len(data.train)
    if n_train == 0:
        raise ValueError("the dataset's training split is empty")
    if n_train < world:
        raise ValueError(f"{n_train} training configurations cannot be split over {world} processes")

    if model is None:
        torch.manual_seed(cfg.seed)
        model = ArgonForceModel(data.x_scale, data.y_scale, cfg.widths, cfg.a, dtype=_DTYPES[cfg.dtype])
    elif not isinstance(model, ArgonForceModel):
        raise ValueError(f"model must be an ArgonForceModel, got {type(model).__name__}")
    else:
        cfg.widths, cfg.a, cfg.dtype = list(model.widths), model.a, str(model.dtype).replace("torch.", "")
    model = model.to(device)
    dtype = model.dtype

    def scaled(idx):  # the model's own scales (a given model may come from another dataset)
        x = relative_vectors(data.positions[idx]) / float(model.x_scale)
        y = data.forces[idx].transpose(-1, -2) / float(model.y_scale)
        return x.to(device, dtype), y.to(device, dtype)

    X, Y = scaled(data.train)
    probs = cfg.sampling_weights(Y)
    u = cfg.loss_weights(Y)
    full_weights = None if cfg.loss == "mse" else u.to(device, dtype)  # a full batch: the loss weights
    importance = None  # a sampled batch: u_i / (N p_i) per configuration
    if cfg.sampling != "uniform" or cfg.loss != "mse":
        importance = (u / (n_train * probs)).to(device, dtype)
    Xv, Yv = scaled(data.val) if len(data.val) else scaled(data.train)
    Wv = cfg.loss_weights(Yv, reference=Y).to(device, dtype)  # the objective on the validation split

    gen = torch.Generator().manual_seed(cfg.seed)
    opt = _make_optimizer(cfg, model.parameters())
    step, elapsed, samples, history = 0, 0.0, 0, []
    perm, pos = torch.randperm(n_train, generator=gen), 0
    best, bad_evals, stopped = (math.inf, None), 0, False
    if ck is not None:
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, elapsed, history = ck["step"], ck["seconds"], list(ck["history"])
        samples = ck.get("samples", 0)
        gen.set_state(ck["generator"])
        perm, pos = ck["perm"], ck["perm_pos"]
        if ck.get("data_fingerprint") != data.fingerprint():  # allowed other data: a new epoch order
            perm, pos = torch.randperm(n_train, generator=gen), 0
        if ck.get("best_state") is not None:
            best = (ck["best_val_loss"], ck["best_state"])
        bad_evals = ck.get("bad_evals", 0)
        old = ck["config"]
        # an early-stopped run stays stopped unless the budget was raised
        stopped = bool(ck.get("stopped_early")) and (old.get("max_steps"), old.get("max_seconds")) == (
            cfg.max_steps, cfg.max_seconds)
        if not stopped:
            bad_evals = 0
    if is_distributed():
        dist.barrier()  # every rank has read the checkpoint before rank 0 may rewrite it

    ddp_model = model
    if is_distributed():
        ddp_model = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    if cfg.compile:
        # one static graph per batch size of the ramp (a handful), not a slower dynamic one
        ddp_model = torch.compile(ddp_model, dynamic=False)  # shares the parameters of ``model``

    def payload():
        return dict(model=model.state_dict(), model_hparams=model.hparams(), optimizer=opt.state_dict(),
                    step=step, seconds=elapsed, samples=samples, history=history,
                    config=dataclasses.asdict(cfg), generator=gen.get_state(), perm=perm, perm_pos=pos,
                    best_state=best[1], best_val_loss=best[0], bad_evals=bad_evals, stopped_early=stopped,
                    data_fingerprint=data.fingerprint(), data_meta=dict(data.meta))

    def fraction() -> float:
        f = 0.0
        if cfg.max_steps:
            f = max(f, step / cfg.max_steps)
        if cfg.max_seconds:
            f = max(f, elapsed / cfg.max_seconds)
        return min(f, 1.0)

    def done() -> bool:
        return (stopped or (cfg.max_steps is not None and step >= cfg.max_steps)
                or (cfg.max_seconds is not None and elapsed >= cfg.max_seconds))

    def evaluate(train_loss: float, batch_size: int) -> None:
        nonlocal best, bad_evals, stopped
        with torch.no_grad():  # per configuration: the mean square over its 12 components
            per = torch.cat([(model(Xv[s:s + 8192]) - Yv[s:s + 8192]).double().square().mean((-1, -2))
                             for s in range(0, len(Xv), 8192)])
        mse, vl = float(per.mean()), float((per * Wv.double()).mean())  # vl: the objective (= mse for "mse")
        rec = dict(step=step, seconds=round(elapsed, 3), samples=samples, train_loss=train_loss, val_loss=vl,
                   val_rmse=math.sqrt(mse) * float(model.y_scale),
                   lr=opt.param_groups[0].get("lr", float("nan")), batch_size=batch_size)
        if vl < best[0] * (1.0 - cfg.min_delta):
            bad_evals = 0
        elif fraction() > cfg.warmup and cfg.learning_rate(fraction()) <= cfg.patience_lr * cfg.lr:
            bad_evals += 1
        if cfg.keep_best and vl < best[0]:
            best = (vl, {k: v.detach().clone() for k, v in model.state_dict().items()})
        elif not cfg.keep_best:
            best = (min(best[0], vl), None)
        if cfg.patience is not None and bad_evals >= cfg.patience:
            stopped = True
            rec["stopped_early"] = True
        history.append(rec)
        if callback is not None:
            callback(rec, model)

    bar = None
    if progress and rank == 0:
        from tqdm.auto import tqdm

        total = cfg.max_steps if cfg.max_steps is not None else int(cfg.max_seconds)
        bar = tqdm(total=total, initial=min(step if cfg.max_steps is not None else int(elapsed), total),
                   desc=f"argon {cfg.optimizer}", unit="step" if cfg.max_steps is not None else "s",
                   dynamic_ncols=True)

    run_sum, run_n, bs = 0.0, 0, cfg.batch(fraction(), n_train, world)
    t0, last_ck, last_ck_step = time.perf_counter() - elapsed, time.perf_counter(), step
    saved_step = ck["step"] if ck is not None else None

    def save() -> None:
        nonlocal last_ck, last_ck_step, saved_step
        save_checkpoint(checkpoint, payload())
        last_ck, last_ck_step, saved_step = time.perf_counter(), step, step

    model.train()
    try:
        if broadcast_floats([float(interrupt.requested)], device)[0]:
            raise KeyboardInterrupt  # a Ctrl-C during the set-up
        while not done():
            f = fraction()
            if cfg.optimizer != "fire":
                lr = cfg.learning_rate(f)
                for g in opt.param_groups:
                    g["lr"] = lr
            bs = cfg.batch(f, n_train, world)
            if bs == n_train:
                idx = None
            elif cfg.sampling != "uniform":
                idx = torch.multinomial(probs, bs, replacement=True, generator=gen)
            else:
                if pos + bs > n_train:
                    perm, pos = torch.randperm(n_train, generator=gen), 0
                idx = perm[pos:pos + bs]
                pos += bs
            wb = None
            if idx is None:
                xb, yb = (X, Y) if world == 1 else (X[rank::world], Y[rank::world])
                if full_weights is not None:
                    wb = full_weights if world == 1 else full_weights[rank::world]
            else:
                local = idx[rank::world].to(device)
                xb, yb = X[local], Y[local]
                if importance is not None:
                    wb = importance[local]

            def closure():
                opt.zero_grad(set_to_none=False)
                sq = (ddp_model(xb) - yb).square()
                loss = sq.mean() if wb is None else (sq.mean((-1, -2)) * wb).mean()
                loss.backward()
                return loss

            loss = opt.step(closure)
            step += 1
            samples += bs
            run_sum += float(loss.detach())
            run_n += 1
            now, hit = broadcast_floats([time.perf_counter() - t0, float(interrupt.requested)], device)
            elapsed = now
            if bar is not None:
                bar.update(1 if cfg.max_steps is not None else max(0, min(int(elapsed), bar.total) - bar.n))
            if hit:
                raise KeyboardInterrupt
            if step % cfg.eval_every == 0 or done():
                if rank == 0:
                    evaluate(run_sum / max(run_n, 1), bs)
                    if bar is not None:
                        bar.set_postfix(loss=f"{history[-1]['train_loss']:.2e}",
                                        val_rmse=f"{history[-1]['val_rmse']:.2e}")
                run_sum, run_n = 0.0, 0
                stopped = bool(broadcast_floats([float(stopped)], device)[0])
            if rank == 0 and checkpoint is not None and (
                    time.perf_counter() - last_ck > cfg.checkpoint_every_s
                    or (cfg.checkpoint_every is not None and step - last_ck_step >= cfg.checkpoint_every)):
                save()
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        # a second Ctrl-C (forced), or an interrupt that was not deferred: the step may be half done
        if interrupt.forced or not interrupt.requested:
            raise TrainingInterrupted(checkpoint, step, saved_step) from None
        if checkpoint is not None:
            if rank == 0:
                save()
            saved_step = step
        raise TrainingInterrupted(checkpoint, step, saved_step) from None
    if bar is not None:
        bar.close()
    if rank == 0 and (not history or history[-1]["step"] != step) and step > 0:
        evaluate(run_sum / max(run_n, 1), bs)
    if rank == 0 and checkpoint is not None:
        save()
    if cfg.keep_best and best[1] is not None:
        model.load_state_dict(best[1])
    model.eval()
    return TrainResult(model, history, step, elapsed, stopped)
