"""The state of a running order-parameter search and its checkpoints.

A checkpoint is a :func:`curienn.io.save_checkpoint` file of kind
:data:`CHECKPOINT_KIND` (written atomically, stamped with the conventions
version) holding ``config`` (the :class:`SearchConfig` as a dict), ``model`` and
``p`` (the network's and the order parameter's values), the two optimisers'
states, the ``scalars`` of the schedule (``step``, ``phase``, ``best``,
``since_best``, ``model_only_loss``, ``joint_done``, ``joint_best``,
``joint_since_best``), the best state of the joint phase (``best``: model and
``p``), the loss ``history`` and the ``snapshots``. Loading checks the kind, the conventions and the configuration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import torch

from curienn.io import load_checkpoint, save_checkpoint
from curienn.optim import ProxAdam

from ._config import SearchConfig

__all__ = ["CHECKPOINT_KIND", "SearchState"]

#: the ``kind`` stamped into search checkpoints (see :func:`curienn.io.save_checkpoint`)
CHECKPOINT_KIND = "order-parameter-checkpoint"

_SCALARS = ("step", "phase", "best", "since_best", "model_only_loss", "joint_done", "joint_best",
            "joint_since_best")


@dataclass
class SearchState:
    """Everything a search changes while it runs.

    ``model``, ``p`` ``(G, D)`` (the order parameter, a leaf tensor), their
    optimisers ``opt_model`` (Adam) and ``opt_op`` (:class:`~curienn.optim.ProxAdam`);
    the schedule: ``step`` (steps done), ``phase`` (``"model"``, ``"joint"``,
    ``"final"``, ``"done"``), ``best`` / ``since_best`` (the plateau test),
    ``model_only_loss``, ``joint_done``; the joint phase's convergence
    (``joint_best``, the lowest loss met, ``joint_since_best``, steps since, and
    ``best_state``, copies of the model's and the order parameter's values
    there); ``history`` (one dict per step) and ``snapshots`` (order parameter
    and output at a few steps).
    """

    model: torch.nn.Module
    p: torch.Tensor
    opt_model: torch.optim.Optimizer
    opt_op: ProxAdam
    step: int = 0
    phase: str = "model"
    best: float = math.inf
    since_best: int = 0
    model_only_loss: Optional[float] = None
    joint_done: int = 0
    joint_best: float = math.inf
    joint_since_best: int = 0
    best_state: Optional[dict] = None
    history: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)

    def snapshot(self, prediction: torch.Tensor) -> None:
        """Record the order parameter and the output ``prediction`` at this step."""
        self.snapshots.append({
            "step": self.step, "phase": self.phase,
            "values": self.p.detach().cpu().numpy().copy(),
            "output": prediction.detach().cpu().numpy().copy(),
        })

    def remember_best(self, loss: float, plateau_tol: float) -> None:
        """Record the loss ``loss`` of the current model and ``p``; keep a copy of
        both when it is the lowest met (by more than ``plateau_tol``, relative,
        for the plateau count)."""
        if loss < self.joint_best:
            if loss < self.joint_best * (1 - plateau_tol):
                self.joint_since_best = 0
            else:
                self.joint_since_best += 1
            self.joint_best = loss
            self.best_state = {"model": {k: v.detach().clone() for k, v in self.model.state_dict().items()},
                               "p": self.p.detach().clone()}
        else:
            self.joint_since_best += 1

    def restore_best(self) -> None:
        """Put the model and ``p`` back to the best state recorded."""
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state["model"])
            with torch.no_grad():
                self.p.copy_(self.best_state["p"])

    def save(self, path: str, config: SearchConfig) -> None:
        """Write the checkpoint ``path`` atomically."""
        save_checkpoint(path, {
            "config": config.to_dict(),
            "model": self.model.state_dict(),
            "p": self.p.detach().clone(),
            "opt_model": self.opt_model.state_dict(),
            "opt_op": self.opt_op.state_dict(),
            "scalars": {k: getattr(self, k) for k in _SCALARS},
            "history": self.history,
            "best_state": self.best_state,
            "snapshots": [{"step": s["step"], "phase": s["phase"], "values": torch.as_tensor(s["values"]),
                           "output": torch.as_tensor(s["output"])} for s in self.snapshots],
        }, kind=CHECKPOINT_KIND)

    def load(self, path: str, config: SearchConfig) -> None:
        """Resume from the checkpoint ``path``; ``ValueError`` (or
        :class:`~curienn.io.CheckpointError`) when it is not a search checkpoint
        of these conventions, or was written with another configuration."""
        obj = load_checkpoint(path, kind=CHECKPOINT_KIND, required=("config", "model", "p", "scalars"))
        mine = config.to_dict()
        if obj["config"] != mine:
            diff = sorted(k for k in obj["config"] if obj["config"][k] != mine.get(k))
            raise ValueError(f"checkpoint {path} was written with a different configuration (differs in {diff})")
        self.model.load_state_dict(obj["model"])
        with torch.no_grad():
            self.p.copy_(obj["p"])
        self.opt_model.load_state_dict(obj["opt_model"])
        self.opt_op.load_state_dict(obj["opt_op"])
        for k in _SCALARS:
            setattr(self, k, obj["scalars"][k])
        self.history = list(obj["history"])
        self.best_state = obj.get("best_state")
        self.snapshots = [{"step": s["step"], "phase": s["phase"], "values": s["values"].numpy(),
                           "output": s["output"].numpy()} for s in obj["snapshots"]]
