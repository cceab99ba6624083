r"""Training the argon force model: Adam (default), FIRE or L-BFGS, with an
exponential learning-rate schedule, progress, atomic checkpoints, resume and
optional DistributedDataParallel.

Loss: the mean squared error of the *scaled* force components (the paper's
Eq. 43 up to the constant factor 12). The learning rate decays as
``lr · (lr_final/lr)^p`` where ``p ∈ [0, 1]`` is the progress, the larger of
``step / max_steps`` and ``elapsed / max_seconds``.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import time
from dataclasses import dataclass, field

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from curienn.io import load_checkpoint as io_load_checkpoint
from curienn.io import save_checkpoint as io_save_checkpoint
from curienn.models.unitary import ARGON_WIDTHS
from curienn.optim import FIRE

from ._dataset import ArgonData
from ._ddp import broadcast_float, get_rank, get_world_size, is_distributed
from ._model import ArgonForceModel

__all__ = ["TrainConfig", "TrainResult", "train_argon", "force_rmse", "save_checkpoint",
           "load_checkpoint", "load_model"]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}
_OPTIMIZERS = ("adam", "fire", "lbfgs")


@dataclass
class TrainConfig:
    """Hyper-parameters of :func:`train_argon` (all serialisable)."""

    optimizer: str = "adam"
    lr: float = 3e-3
    lr_final: float = 3e-5
    batch_size: int = 256  # 0: full batch
    max_steps: int | None = None
    max_seconds: float | None = 300.0
    eval_every: int = 500
    checkpoint_every_s: float = 60.0
    keep_best: bool = True
    seed: int = 0
    dtype: str = "float32"
    widths: list = field(default_factory=lambda: list(ARGON_WIDTHS))
    a: float = 0.01
    fire_mass: float = 0.1
    fire_dt: float = 1e-3
    fire_dt_max: float = 1e-2
    lbfgs_history: int = 50
    lbfgs_iter: int = 20  # L-BFGS iterations per step
    device: str = "cpu"
    compile: bool = False  # torch.compile the training forward (~1.5x faster steps on CPU)

    def validate(self) -> None:
        if self.optimizer not in _OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {_OPTIMIZERS}, got {self.optimizer!r}")
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {tuple(_DTYPES)}, got {self.dtype!r}")
        if self.max_steps is None and self.max_seconds is None:
            raise ValueError("give max_steps or max_seconds (both are None)")
        if self.max_steps is not None and self.max_steps < 0:
            raise ValueError(f"max_steps must be >= 0, got {self.max_steps!r}")
        if self.max_seconds is not None and self.max_seconds < 0:
            raise ValueError(f"max_seconds must be >= 0, got {self.max_seconds!r}")
        if self.batch_size < 0:
            raise ValueError(f"batch_size must be >= 0, got {self.batch_size!r}")
        if not (self.lr > 0 and self.lr_final > 0):
            raise ValueError(f"lr and lr_final must be > 0, got {self.lr!r}, {self.lr_final!r}")
        if self.eval_every < 1:
            raise ValueError(f"eval_every must be >= 1, got {self.eval_every!r}")


@dataclass
class TrainResult:
    """What :func:`train_argon` returns."""

    model: ArgonForceModel
    history: list
    steps: int
    seconds: float


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


#: the ``kind`` stamped into argon training checkpoints (see :func:`curienn.io.save_checkpoint`)
CHECKPOINT_KIND = "argon-checkpoint"
_CHECKPOINT_KEYS = ("model", "model_hparams", "optimizer", "step", "config")


def save_checkpoint(path: str | os.PathLike, payload: dict) -> None:
    """Save an argon training checkpoint atomically (:func:`curienn.io.save_checkpoint`)."""
    io_save_checkpoint(path, payload, kind=CHECKPOINT_KIND)


def load_checkpoint(path: str | os.PathLike, map_location="cpu") -> dict:
    """Load an argon training checkpoint (``weights_only=True``), refusing with a
    :class:`curienn.io.CheckpointError` a file that is not one."""
    return io_load_checkpoint(path, kind=CHECKPOINT_KIND, required=_CHECKPOINT_KEYS, map_location=map_location)


def load_model(path: str | os.PathLike, best: bool = True, map_location="cpu") -> ArgonForceModel:
    """The :class:`ArgonForceModel` saved in a checkpoint: the best-validation
    weights when ``best`` and present, else the last ones."""
    ck = load_checkpoint(path, map_location)
    h = ck["model_hparams"]
    model = ArgonForceModel(h["x_scale"], h["y_scale"], h["widths"], h["a"], dtype=_DTYPES[h["dtype"]])
    state = ck.get("best_state") if best else None
    model.load_state_dict(state if state is not None else ck["model"])
    return model.eval()


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
    resume: bool = True,
    progress: bool = True,
    model: ArgonForceModel | None = None,
) -> TrainResult:
    r"""Train (or resume training) an :class:`ArgonForceModel` on ``data.train``.

    Every ``eval_every`` steps the validation force RMSE (eV/Å) is recorded in
    the history as ``{step, seconds, train_loss, val_loss, val_rmse, lr}``.
    With ``checkpoint`` the state (model, optimiser, sampler, history, best
    weights) is written atomically every ``checkpoint_every_s`` seconds and at
    the end, and an existing file is resumed from when ``resume``. Under
    ``torch.distributed`` (see :mod:`curienn.dynamics._ddp`) each rank trains on
    its slice of the same global batch; every rank resumes from ``checkpoint``,
    only rank 0 evaluates, keeps the best weights and writes.
    """
    cfg = copy.deepcopy(config) if config is not None else TrainConfig()
    cfg.validate()
    rank, world = get_rank(), get_world_size()
    dtype = _DTYPES[cfg.dtype]
    device = torch.device(cfg.device if cfg.device != "cuda" or not is_distributed()
                          else f"cuda:{torch.cuda.current_device()}")
    n_train = len(data.train)
    bs = n_train if cfg.batch_size == 0 or cfg.optimizer == "lbfgs" else min(cfg.batch_size, n_train)
    if bs % world:
        raise ValueError(f"batch_size {bs} must be divisible by the world size {world}")

    if model is None:
        torch.manual_seed(cfg.seed)
        model = ArgonForceModel(data.x_scale, data.y_scale, cfg.widths, cfg.a, dtype=dtype)
    model = model.to(device)
    dtype = model.dtype  # a given model keeps its own precision
    X = data.inputs(data.train, dtype).to(device)
    Y = data.targets(data.train, dtype).to(device)
    Xv = data.inputs(data.val, dtype).to(device)
    Yv = data.targets(data.val, dtype).to(device)

    gen = torch.Generator().manual_seed(cfg.seed)
    opt = _make_optimizer(cfg, model.parameters())
    step, elapsed, history = 0, 0.0, []
    perm, pos = torch.randperm(n_train, generator=gen), 0
    best = (math.inf, None)
    if checkpoint is not None and resume and os.path.exists(checkpoint):
        ck = load_checkpoint(checkpoint, map_location=device)
        if ck["config"]["widths"] != list(cfg.widths) or ck["config"]["optimizer"] != cfg.optimizer:
            raise ValueError(f"checkpoint {os.fspath(checkpoint)!r} was made with a different "
                             f"model or optimizer: {ck['config']}")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, elapsed, history = ck["step"], ck["seconds"], list(ck["history"])
        gen.set_state(ck["generator"])
        perm, pos = ck["perm"], ck["perm_pos"]
        if ck.get("best_state") is not None:
            best = (ck["best_val_loss"], ck["best_state"])
    if is_distributed():
        dist.barrier()  # every rank has read the checkpoint before rank 0 may rewrite it

    ddp_model = model
    if is_distributed():
        ddp_model = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    if cfg.compile:
        ddp_model = torch.compile(ddp_model)  # shares the parameters of ``model``

    def payload():
        return dict(model=model.state_dict(), model_hparams=model.hparams(), optimizer=opt.state_dict(),
                    step=step, seconds=elapsed, history=history, config=dataclasses.asdict(cfg),
                    generator=gen.get_state(), perm=perm, perm_pos=pos,
                    best_state=best[1], best_val_loss=best[0])

    def fraction() -> float:
        f = 0.0
        if cfg.max_steps:
            f = max(f, step / cfg.max_steps)
        if cfg.max_seconds:
            f = max(f, elapsed / cfg.max_seconds)
        return min(f, 1.0)

    def done() -> bool:
        return ((cfg.max_steps is not None and step >= cfg.max_steps)
                or (cfg.max_seconds is not None and elapsed >= cfg.max_seconds))

    def evaluate(train_loss: float) -> None:
        nonlocal best
        with torch.no_grad():
            vl = sum(float((model(Xv[s:s + 8192]) - Yv[s:s + 8192]).square().sum())
                     for s in range(0, len(Xv), 8192)) / max(Yv.numel(), 1)
        rec = dict(step=step, seconds=round(elapsed, 3), train_loss=train_loss, val_loss=vl,
                   val_rmse=math.sqrt(vl) * data.y_scale, lr=opt.param_groups[0].get("lr", float("nan")))
        history.append(rec)
        if cfg.keep_best and vl < best[0]:
            best = (vl, {k: v.detach().clone() for k, v in model.state_dict().items()})

    bar = None
    if progress and rank == 0:
        from tqdm.auto import tqdm

        total = cfg.max_steps if cfg.max_steps is not None else int(cfg.max_seconds)
        bar = tqdm(total=total, initial=min(step if cfg.max_steps is not None else int(elapsed), total),
                   desc=f"argon {cfg.optimizer}", unit="step" if cfg.max_steps is not None else "s",
                   dynamic_ncols=True)

    run_sum, run_n = 0.0, 0
    t0, last_ck = time.perf_counter() - elapsed, time.perf_counter()
    model.train()
    while not done():
        if cfg.optimizer == "adam" or cfg.optimizer == "lbfgs":
            lr = cfg.lr * (cfg.lr_final / cfg.lr) ** fraction()
            for g in opt.param_groups:
                g["lr"] = lr
        if bs == n_train:
            idx = None
        else:
            if pos + bs > n_train:
                perm, pos = torch.randperm(n_train, generator=gen), 0
            idx = perm[pos:pos + bs]
            pos += bs
        if idx is None:
            xb, yb = (X, Y) if world == 1 else (X[rank::world], Y[rank::world])
        else:
            local = idx[rank::world].to(device)
            xb, yb = X[local], Y[local]

        def closure():
            opt.zero_grad(set_to_none=False)
            loss = (ddp_model(xb) - yb).square().mean()
            loss.backward()
            return loss

        loss = opt.step(closure)
        step += 1
        run_sum += float(loss.detach())
        run_n += 1
        elapsed = broadcast_float(time.perf_counter() - t0, device)
        if bar is not None:
            bar.update(1 if cfg.max_steps is not None else max(0, min(int(elapsed), bar.total) - bar.n))
        if rank == 0 and (step % cfg.eval_every == 0 or done()):
            evaluate(run_sum / max(run_n, 1))
            run_sum, run_n = 0.0, 0
            if bar is not None:
                bar.set_postfix(loss=f"{history[-1]['train_loss']:.2e}",
                                val_rmse=f"{history[-1]['val_rmse']:.2e}")
        if (rank == 0 and checkpoint is not None
                and time.perf_counter() - last_ck > cfg.checkpoint_every_s):
            save_checkpoint(checkpoint, payload())
            last_ck = time.perf_counter()
    if bar is not None:
        bar.close()
    if rank == 0 and (not history or history[-1]["step"] != step) and step > 0:
        evaluate(run_sum / max(run_n, 1))
    if rank == 0 and checkpoint is not None:
        save_checkpoint(checkpoint, payload())
    if cfg.keep_best and best[1] is not None:
        model.load_state_dict(best[1])
    model.eval()
    return TrainResult(model, history, step, elapsed)
