r"""``TrainConfig``: the hyper-parameters of argon training, with the recipe as
defaults, and the schedules they define.

Schedules are functions of the progress ``p ∈ [0, 1]`` of the budget (the
larger of ``step / max_steps`` and ``elapsed / max_seconds``):

- learning rate: linear warm-up over ``warmup`` of the budget, then
  ``cosine`` ``lr_final + (lr - lr_final)(1 + cos πq)/2``, ``exponential``
  ``lr (lr_final/lr)^q`` or ``constant`` (``q`` the progress after warm-up);
- batch size: ``batch_size``, or growing to ``batch_size_final`` in doublings
  at equal fractions of the budget;
- which configurations a batch holds (:meth:`TrainConfig.sampling_weights`)
  and how the loss weighs them (:meth:`TrainConfig.loss_weights`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from curienn.models.unitary import ARGON_WIDTHS

__all__ = ["TrainConfig", "OPTIMIZER_DEFAULTS"]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}
_OPTIMIZERS = ("adam", "fire", "lbfgs")
_SCHEDULES = ("cosine", "exponential", "constant")
_SAMPLINGS = ("uniform", "force")
_LOSSES = ("mse", "relative")


#: per-optimizer defaults applied by :meth:`TrainConfig.with_optimizer`
OPTIMIZER_DEFAULTS = {
    "lbfgs": dict(lr=1.0, lr_final=1.0, schedule="constant", warmup=0.0, batch_size=0, batch_size_final=None,
                  eval_every=1),
    "fire": dict(batch_size=0, batch_size_final=None, warmup=0.0, eval_every=10),
}


@dataclass
class TrainConfig:
    """Hyper-parameters of :func:`train_argon` (all serialisable).

    The defaults are the recipe of ``docs/argon.md``: Adam, learning rate
    warmed up over the first 2% of the budget to ``3e-3`` and decayed on a
    cosine to ``1e-6``; batches of 256 drawn with probabilities that grow with
    the configurations' forces (:meth:`sampling_weights`); validation every
    ``eval_every`` steps, the best-validation weights kept, early stop after
    ``patience`` evaluations without a relative improvement of ``min_delta``,
    counted once the learning rate is below ``patience_lr`` of its peak (at a
    high learning rate the validation error is noisy, and a stall there is no
    sign of convergence: counted from the warm-up on, a 60-minute run stopped
    after 22 minutes).
    A batch-size ramp (``batch_size_final``) is available; on one CPU core it
    lost to the constant batch at equal wall time (``docs/argon.md``).
    """

    optimizer: str = "adam"
    lr: float = 3e-3
    lr_final: float = 1e-6
    schedule: str = "cosine"
    warmup: float = 0.02
    batch_size: int = 256  # 0: full batch
    batch_size_final: int | None = None  # a ramp: doublings up to this; None: constant
    loss: str = "mse"  # "mse" (the paper's), or "relative": configurations weighted by 1/(s² + c²)
    relative_floor: float = 1.0  # c of the relative loss, in medians of the configurations' force scale s
    sampling: str = "force"  # "uniform", or "force": importance sampling by the force scale
    sampling_mix: float = 0.5  # the share of the force-proportional part (the rest uniform)
    max_steps: int | None = None
    max_seconds: float | None = 300.0
    eval_every: int = 1000
    patience: int | None = 20  # evaluations without improvement before stopping; None: never
    min_delta: float = 1e-3  # relative improvement of the validation loss that resets the patience
    patience_lr: float = 0.1  # the patience counts once the learning rate is below this fraction of lr
    checkpoint_every_s: float = 60.0
    checkpoint_every: int | None = None  # also every this many steps
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
    compile: bool = False  # torch.compile the training forward

    @classmethod
    def with_optimizer(cls, optimizer: str = "adam", **overrides) -> "TrainConfig":
        """A config for ``optimizer`` with that optimizer's own defaults
        (:data:`OPTIMIZER_DEFAULTS`: L-BFGS takes unit steps on a constant
        schedule; FIRE is the paper's full-batch method), then ``overrides``."""
        if optimizer not in _OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {_OPTIMIZERS}, got {optimizer!r}")
        return cls(optimizer=optimizer, **{**OPTIMIZER_DEFAULTS.get(optimizer, {}), **overrides})

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first bad field."""
        if self.optimizer not in _OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {_OPTIMIZERS}, got {self.optimizer!r}")
        if self.schedule not in _SCHEDULES:
            raise ValueError(f"schedule must be one of {_SCHEDULES}, got {self.schedule!r}")
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
        if self.batch_size_final is not None and 0 < self.batch_size and self.batch_size_final < self.batch_size:
            raise ValueError(f"batch_size_final must be >= batch_size > 0, got {self.batch_size_final!r} "
                             f"(batch_size {self.batch_size!r})")
        if not (self.lr > 0 and self.lr_final > 0):
            raise ValueError(f"lr and lr_final must be > 0, got {self.lr!r}, {self.lr_final!r}")
        if self.loss not in _LOSSES:
            raise ValueError(f"loss must be one of {_LOSSES}, got {self.loss!r}")
        if not self.relative_floor > 0:
            raise ValueError(f"relative_floor must be > 0, got {self.relative_floor!r}")
        if self.sampling not in _SAMPLINGS:
            raise ValueError(f"sampling must be one of {_SAMPLINGS}, got {self.sampling!r}")
        if not 0 <= self.sampling_mix < 1:
            raise ValueError(f"sampling_mix is a fraction in [0, 1), got {self.sampling_mix!r}")
        if not 0 <= self.warmup < 1:
            raise ValueError(f"warmup is a fraction of the budget in [0, 1), got {self.warmup!r}")
        if self.eval_every < 1:
            raise ValueError(f"eval_every must be >= 1, got {self.eval_every!r}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"patience must be >= 1 or None, got {self.patience!r}")
        if not 0 < self.patience_lr <= 1:
            raise ValueError(f"patience_lr is a fraction in (0, 1], got {self.patience_lr!r}")
        if self.checkpoint_every is not None and self.checkpoint_every < 1:
            raise ValueError(f"checkpoint_every must be >= 1 or None, got {self.checkpoint_every!r}")

    def learning_rate(self, progress: float) -> float:
        """The learning rate at ``progress`` ∈ [0, 1] of the budget."""
        p = min(max(progress, 0.0), 1.0)
        if self.warmup > 0 and p < self.warmup:
            return self.lr * max(p / self.warmup, 1e-3)
        q = (p - self.warmup) / (1.0 - self.warmup)
        if self.schedule == "cosine":
            return self.lr_final + 0.5 * (self.lr - self.lr_final) * (1.0 + math.cos(math.pi * q))
        if self.schedule == "exponential":
            return self.lr * (self.lr_final / self.lr) ** q
        return self.lr

    def loss_weights(self, y: torch.Tensor, reference: torch.Tensor | None = None) -> torch.Tensor:
        r"""Per-configuration weights ``u`` ``(N,)`` of the loss, from the scaled
        forces ``y`` ``(N, 3, 4)``: ones for ``"mse"``; for ``"relative"``
        ``u_i = 1/(s_i² + c²)``, ``s_i`` the RMS force component of
        configuration ``i`` and ``c = relative_floor × median(s)`` of
        ``reference`` (default ``y``; the training split, so that validation
        uses the same weights), scaled to mean 1 over ``reference``.

        The relative loss asks for the same *relative* accuracy everywhere
        instead of the same absolute one: the bound-cluster configurations that
        MD visits have forces ~16x below the dataset's RMS and are all but
        ignored by the mean squared error (``docs/argon.md``).
        """
        s2 = y.detach().double().cpu().square().mean((-1, -2))
        if self.loss == "mse":
            return torch.ones_like(s2)
        r2 = s2 if reference is None else reference.detach().double().cpu().square().mean((-1, -2))
        c2 = (self.relative_floor * r2.sqrt().median()) ** 2
        return (1.0 / (s2 + c2)) / (1.0 / (r2 + c2)).mean()

    def sampling_weights(self, y: torch.Tensor) -> torch.Tensor:
        r"""Probabilities ``p`` ``(N,)`` of drawing each training configuration,
        from its scaled forces ``y`` ``(N, 3, 4)``: uniform, or for ``"force"``
        ``p_i = (1 - λ)/N + λ g_i / Σ g``, ``λ = sampling_mix``, with
        ``g_i = u_i s_i`` the expected gradient scale of configuration ``i``
        (``s_i`` its RMS force component, ``u_i`` its :meth:`loss_weights`).

        Drawn with replacement and weighted by ``u_i / (N p_i)`` in the loss, a
        batch estimates the same loss with less variance: the force
        distribution is heavy-tailed (the 20% largest configurations carry 99%
        of the squared forces), so uniform batches spend most samples where the
        gradient is small. The mixture keeps every ``p_i >= (1 - λ)/N``.
        """
        n = y.shape[0]
        uniform = torch.full((n,), 1.0 / n, dtype=torch.float64)
        if self.sampling == "uniform":
            return uniform
        g = y.detach().double().cpu().square().mean((-1, -2)).sqrt() * self.loss_weights(y)
        if not torch.isfinite(g).all() or g.sum() <= 0:
            return uniform
        return (1.0 - self.sampling_mix) * uniform + self.sampling_mix * g / g.sum()

    def batch(self, progress: float, n_train: int, world: int = 1) -> int:
        """The (global) batch size at ``progress``: doublings from ``batch_size``
        to ``batch_size_final`` at equal fractions of the budget, capped at
        ``n_train`` and rounded down to a multiple of ``world``."""
        if self.batch_size == 0 or self.optimizer == "lbfgs":
            return n_train
        bs = self.batch_size
        if self.batch_size_final is not None and self.batch_size_final > bs:
            ratio = self.batch_size_final / bs
            stages = 1 + max(1, round(math.log2(ratio)))
            stage = min(int(min(max(progress, 0.0), 1.0) * stages), stages - 1)
            bs = int(round(bs * ratio ** (stage / (stages - 1))))
        bs = min(bs, n_train)
        return max(world, bs - bs % world)
