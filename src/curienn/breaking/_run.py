"""Running an :class:`~curienn.breaking.OrderParameterSearch`: the step loop with
its progress bar, checkpoints and stop callback, the restarts with further seeds
when a run does not fit, and the :class:`OrderParameterResult`.

Restarts: run ``k`` (``k = 0 .. restarts``) uses the seed ``seed + k`` and its own
checkpoint (``checkpoint`` for the first, ``<stem>.seed<N><ext>`` for the others,
so that ``resume`` continues each); a new run starts only while the best final
loss is above ``good_ratio`` x the zero-output loss. The best run is returned;
``fit["attempts"]`` lists every run (seed, loss ratio, steps).

A target that is exactly zero (e.g. a child that differs from its parent only by
a homogeneous strain) has nothing to fit: no step is taken, the zero output is
the exact answer (``fit["ratio"] = 0``, ``fit["note"]`` says why).
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import replace
from typing import Callable, Optional

import torch

from ._result import OrderParameterResult

__all__ = ["SearchInterrupted", "run_search"]


class SearchInterrupted(Exception):
    """Raised by :meth:`OrderParameterSearch.run` when its ``callback`` asks it to
    stop: the state after the last complete step is in ``checkpoint`` (when the
    run had one), and ``run(resume=True)`` continues from there."""

    def __init__(self, step: int, checkpoint: Optional[str]) -> None:
        where = f"; checkpoint {checkpoint}" if checkpoint else " (no checkpoint)"
        super().__init__(f"order-parameter search stopped after step {step}{where}")
        self.step = step
        self.checkpoint = checkpoint


def _attempt_checkpoint(checkpoint: Optional[str], k: int, seed: int) -> Optional[str]:
    if checkpoint is None or k == 0:
        return checkpoint
    stem, ext = os.path.splitext(checkpoint)
    return f"{stem}.seed{seed}{ext}"


def run_search(
    search,
    *,
    progress: bool = True,
    checkpoint: Optional[str] = None,
    resume: bool = False,
    checkpoint_every: float = 10.0,
    snapshot_every: Optional[int] = None,
    threads: Optional[int] = None,
    callback: Optional[Callable[[dict], bool]] = None,
) -> OrderParameterResult:
    """Run ``search`` (see the module docstring); return the best run's result.

    Args:
        progress: a progress bar on stderr.
        checkpoint: file written atomically every ``checkpoint_every`` seconds,
            when stopped by ``callback``, and at the end (:mod:`._state`).
        resume: load ``checkpoint`` first when it exists (its conventions and
            configuration must match; a finished run is returned as it was).
        snapshot_every: record the order parameter and the output every so many
            steps (default: about 20 snapshots).
        threads: ``torch.set_num_threads``.
        callback: called after every step with ``{"step", "phase", "loss",
            "total", "seed"}``; a true return value stops the search at this step
            boundary: the checkpoint is written and :class:`SearchInterrupted`
            is raised (the hook for Ctrl-C handlers and time limits).
    """
    if threads:
        torch.set_num_threads(threads)
    cfg = search.config
    if search.zero_loss() == 0:
        return _zero_target(search)
    best, attempts = None, []
    for k in range(cfg.restarts + 1):
        config = replace(cfg, seed=cfg.seed + k)
        path = _attempt_checkpoint(checkpoint, k, config.seed)
        result = _run_once(search, config, path, resume, checkpoint_every, snapshot_every, progress, callback)
        attempts.append({"seed": config.seed, "ratio": result.fit["ratio"], "loss": result.fit["loss"],
                         "steps": result.fit["steps"], "seconds": result.seconds})
        if best is None or result.fit["loss"] < best.fit["loss"]:
            best = result
        if not best.fit["ratio"] > cfg.good_ratio:
            break
    best.fit["attempts"] = attempts
    best.fit["converged"] = bool(best.fit["ratio"] <= cfg.good_ratio)
    best.seconds = sum(a["seconds"] for a in attempts)
    return best


def _run_once(search, config, checkpoint, resume, checkpoint_every, snapshot_every, progress,
              callback) -> OrderParameterResult:
    t0 = time.perf_counter()
    state = search.new_state(config.seed)
    if resume and checkpoint and os.path.exists(checkpoint):
        state.load(checkpoint, config)
    every = snapshot_every or max(1, search.total_steps() // 20)
    phases = {"model": search._model_step, "joint": search._joint_step, "final": search._final_step}
    total = search.total_steps()
    bar = None
    if progress:
        from tqdm.auto import tqdm  # optional (curienn[md]): only for the progress bar

        desc = "order-parameter search" + (f" (seed {config.seed})" if config.seed != search.config.seed else "")
        bar = tqdm(total=total, desc=desc, file=sys.stderr, initial=min(state.step, total), leave=False)
    last_save = time.perf_counter()
    try:
        while state.phase != "done":
            phases[state.phase](state, every)
            last = state.history[-1] if state.history else {"phase": state.phase, "loss": math.nan}
            if bar is not None:
                bar.n = min(state.step, total)
                bar.set_postfix(phase=last["phase"], loss=f"{last['loss']:.3e}", refresh=False)
                bar.refresh()
            stop = callback is not None and bool(callback(
                {"step": state.step, "phase": state.phase, "loss": last["loss"], "total": total,
                 "seed": config.seed}))
            if checkpoint and (stop or state.phase == "done" or time.perf_counter() - last_save > checkpoint_every):
                state.save(checkpoint, config)
                last_save = time.perf_counter()
            if stop and state.phase != "done":
                raise SearchInterrupted(state.step, checkpoint)
    finally:
        if bar is not None:
            bar.close()
    return _result(search, state, config, time.perf_counter() - t0)


def _result(search, state, config, seconds: float, note: Optional[str] = None) -> OrderParameterResult:
    p = state.p.detach()
    with torch.no_grad():
        pred = state.model(search.data(p)) if note is None else torch.zeros_like(search.target)
        final = float(search.loss_fn(pred))
    zero = search.zero_loss()
    fit = {
        "loss_kind": config.loss,
        "loss": final,
        "zero_loss": zero,
        "ratio": final / zero if zero > 0 else 0.0,
        "model_only_loss": state.model_only_loss,
        "penalty": float(search.penalty(p)) if search._has_op(state) else 0.0,
        "steps": state.step,
        "seed": config.seed,
    }
    if note:
        fit["note"] = note
    mask = torch.as_tensor(search.layout.mask, dtype=p.dtype)
    return OrderParameterResult(
        irreps=search.op_irreps, labels=list(search.labels), values=(p * mask).cpu().numpy(),
        site_values=search.layout.expand(p).cpu().numpy(), layout=search.layout, model=state.model,
        history=state.history, fit=fit, snapshots=state.snapshots, prediction=pred.cpu().numpy(),
        target=search.target.cpu().numpy(), target_irreps=search.target_irreps, config=config, seconds=seconds,
        parent_group=search.parent_group,
    )


def _zero_target(search) -> OrderParameterResult:
    state = search.new_state()
    state.phase = "done"
    res = _result(search, state, search.config, 0.0,
                  note="the target is zero (no atom moves): the zero output fits it exactly and no order "
                       "parameter is needed to reproduce it")
    res.fit.update(attempts=[], converged=True)
    return res
