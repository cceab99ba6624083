r"""FIRE (Bitzek et al., PRL 97, 170201, 2006) as a ``torch.optim.Optimizer``,
in the variant Ma & Chan used to train network weights (arXiv:2208.12146,
Appendix A).

All parameters are flattened into one vector ``x`` and the negative gradient
of the loss is the "force" ``F = -∇L(x)``. One :meth:`FIRE.step` is:

1. ``x ← x + v Δt``,  ``v ← v + (F/m) Δt``          (Step 4)
2. ``P = F · v``                                     (Step 5)
3. ``N ← N + 1``; ``v ← (1 - α) v + α ‖v‖ F/‖F‖``    (Step 6)
4. if ``P > 0`` and ``N > N_min``: ``Δt ← min(f_inc Δt, Δt_max)``, ``α ← f_α α`` (Step 7)
5. if ``P <= 0``: ``Δt ← f_dec Δt``, ``v ← 0``, ``α ← α_start``, ``N ← 0``    (Step 8)

``F`` is taken at the parameters *before* the step (the closure, if given, is
evaluated first and must return the loss after calling ``backward``).
Defaults are the paper's: ``m = 0.1``, ``Δt = 1e-3``, ``Δt_max = 1e-2``,
``N_min = 5``, ``f_inc = 1.1``, ``f_dec = 0.5``, ``α_start = 0.1``,
``f_α = 0.99``. FIRE is a full-batch method; with mini-batches ``P`` is noisy
and the velocity is reset more often, but it still runs. Complex parameters
are treated as pairs of reals. Under ``DistributedDataParallel`` the
all-reduced gradients make the (global) FIRE state identical on every rank.
"""

from __future__ import annotations

from typing import Callable, Iterable

import torch

__all__ = ["FIRE"]


def _real(t: torch.Tensor) -> torch.Tensor:
    return torch.view_as_real(t) if t.is_complex() else t


class FIRE(torch.optim.Optimizer):
    r"""Fast inertial relaxation engine over all parameters at once.

    Parameters
    ----------
    params:
        parameters to optimise (a single parameter group: FIRE's state --
        ``Δt``, ``α``, ``N`` and the norms -- is global).
    mass:
        pseudo-mass ``m`` (> 0).
    dt, dt_max:
        initial and largest time step.
    n_min, f_inc, f_dec, alpha_start, f_alpha:
        the FIRE constants.
    max_step:
        optional cap on ``‖v Δt‖`` of one step (ASE's ``maxstep``, applied to
        the whole flattened vector); ``None`` (the paper) for no cap.
    """

    def __init__(
        self,
        params: Iterable,
        mass: float = 0.1,
        dt: float = 1e-3,
        dt_max: float = 1e-2,
        n_min: int = 5,
        f_inc: float = 1.1,
        f_dec: float = 0.5,
        alpha_start: float = 0.1,
        f_alpha: float = 0.99,
        max_step: float | None = None,
    ) -> None:
        checks = {
            "mass": (mass, mass > 0), "dt": (dt, dt > 0), "dt_max": (dt_max, dt_max >= dt),
            "n_min": (n_min, n_min >= 0), "f_inc": (f_inc, f_inc >= 1),
            "f_dec": (f_dec, 0 < f_dec <= 1), "alpha_start": (alpha_start, 0 <= alpha_start <= 1),
            "f_alpha": (f_alpha, 0 < f_alpha <= 1),
            "max_step": (max_step, max_step is None or max_step > 0),
        }
        for name, (value, ok) in checks.items():
            if not ok:
                raise ValueError(f"invalid FIRE parameter {name}={value!r}")
        defaults = dict(mass=mass, dt_max=dt_max, n_min=n_min, f_inc=f_inc, f_dec=f_dec,
                        alpha_start=alpha_start, f_alpha=f_alpha, max_step=max_step, dt=dt)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(f"FIRE takes a single parameter group, got {len(self.param_groups)}")

    # the global state lives in the group dict so that state_dict() keeps it
    @property
    def dt(self) -> float:
        return self.param_groups[0]["dt"]

    @property
    def alpha(self) -> float:
        return self.param_groups[0].setdefault("alpha", self.param_groups[0]["alpha_start"])

    @property
    def n_positive(self) -> int:
        return self.param_groups[0].setdefault("n_positive", 0)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        group = self.param_groups[0]
        alpha, n_pos, dt = self.alpha, self.n_positive, group["dt"]
        params = [p for p in group["params"] if p.grad is not None]
        if not params:
            return loss
        vs = []
        for p in params:
            st = self.state[p]
            if "velocity" not in st:
                st["velocity"] = torch.zeros_like(p)
            vs.append(st["velocity"])
        Fs = [-p.grad for p in params]

        # Step 4: x += v dt (optionally capped), v += F dt / m
        scale = dt
        if group["max_step"] is not None:
            vnorm = torch.sqrt(sum(_real(v).square().sum() for v in vs)).item()
            if vnorm * dt > group["max_step"]:
                scale = group["max_step"] / vnorm
        for p, v, F in zip(params, vs, Fs):
            p.add_(v, alpha=scale)
            v.add_(F, alpha=dt / group["mass"])

        # Step 5: power; Step 6: mixing
        P = sum((_real(F) * _real(v)).sum() for F, v in zip(Fs, vs)).item()
        n_pos += 1
        vnorm = torch.sqrt(sum(_real(v).square().sum() for v in vs)).item()
        fnorm = torch.sqrt(sum(_real(F).square().sum() for F in Fs)).item()
        if fnorm > 0:
            for v, F in zip(vs, Fs):
                v.mul_(1.0 - alpha).add_(F, alpha=alpha * vnorm / fnorm)

        # Steps 7 and 8: adapt
        if P > 0:
            if n_pos > group["n_min"]:
                dt = min(dt * group["f_inc"], group["dt_max"])
                alpha *= group["f_alpha"]
        else:
            dt *= group["f_dec"]
            for v in vs:
                v.zero_()
            alpha = group["alpha_start"]
            n_pos = 0
        group["dt"], group["alpha"], group["n_positive"] = dt, alpha, n_pos
        group["last_power"] = P
        return loss
