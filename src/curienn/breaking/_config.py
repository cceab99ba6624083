"""The settings of an order-parameter search (see :mod:`curienn.breaking._search`
for what each one does): candidate irreps, loss, penalties, schedule, the model
(:class:`~curienn.breaking.ModelOptions`), seed and dtype.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch

from ._model import ModelOptions

__all__ = ["DEFAULT_IRREPS", "SearchConfig"]

#: the default candidate order-parameter irreps
DEFAULT_IRREPS = "1e+1o+2e+2o+3e+3o+4e+4o+5e+5o"

_LOSSES = ("mse", "l1")


@dataclass
class SearchConfig:
    r"""Hyper-parameters of the search.

    ``irreps``: candidate order-parameter irreps; ``loss``: ``"mse"`` or ``"l1"``
    (mean over points and components); ``l1``, ``l_penalty``, ``l_power``: the
    penalty :math:`\lambda_1\,\mathrm{mean}|p| + \lambda_l \sum_l l^k\,\mathrm{mean}|p_l|`;
    ``lr_model``, ``lr_op``: Adam step sizes. Schedule: the model alone for
    ``min_model_steps`` to ``max_model_steps`` steps (it stops on a plateau: no
    relative improvement above ``plateau_tol`` for ``patience`` steps), then at
    most ``joint_steps`` steps of model and order parameter (``alternate``: a
    model step, then an order-parameter step at the new model; ``op_decay``: the
    final factor of a linear decay of ``lr_op``). The joint phase stops early,
    after at least ``min_joint_steps``, once the fit converged: the loss is at
    most ``tol`` x the zero-output loss, or (``joint_patience > 0``) its best
    value has not improved by ``plateau_tol`` (relative) for ``joint_patience``
    steps; the best state of the joint phase is kept. ``restarts``: when the
    final loss is above ``good_ratio`` x the zero-output loss, run again with the
    next seeds (at most this many more times) and keep the best run. ``exclude_invariant``: keep the order
    parameter out of the parent-invariant subspace; ``equivariant_penalty``: the
    l-penalty as a group lasso per irrep block; ``seed``; ``dtype``
    (``"float32"``/``"float64"``); ``model``: :class:`ModelOptions` (a dict is
    converted). Invalid values raise ``ValueError`` naming the field.

    Example:
        >>> SearchConfig(irreps="1e+2e", joint_steps=20).to_dict()["model"]["hidden_lmax"]
        5
        >>> SearchConfig(loss="huber")
        Traceback (most recent call last):
        ...
        ValueError: loss must be one of ('mse', 'l1'), got 'huber'
    """

    irreps: str = DEFAULT_IRREPS
    loss: str = "mse"
    l1: float = 1e-4
    l_penalty: float = 0.0
    l_power: float = 2.0
    lr_model: float = 1e-2
    lr_op: float = 1e-3
    min_model_steps: int = 10
    max_model_steps: int = 100
    patience: int = 5
    plateau_tol: float = 1e-3
    joint_steps: int = 100
    min_joint_steps: int = 0
    joint_patience: int = 0
    tol: float = 0.0
    restarts: int = 0
    good_ratio: float = 0.02
    alternate: bool = True
    op_decay: float = 1.0
    exclude_invariant: bool = True
    equivariant_penalty: bool = False
    normalize_loss: bool = False
    seed: int = 0
    dtype: str = "float64"
    model: ModelOptions = field(default_factory=ModelOptions)

    def __post_init__(self):
        if isinstance(self.model, dict):
            self.model = ModelOptions(**self.model)
        if self.loss not in _LOSSES:
            raise ValueError(f"loss must be one of {_LOSSES}, got {self.loss!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        for name in ("l1", "l_penalty", "lr_model", "lr_op", "tol", "good_ratio"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and v >= 0 and math.isfinite(v)):
                raise ValueError(f"{name} must be a non-negative number, got {v!r}")
        for name in ("min_model_steps", "max_model_steps", "joint_steps", "patience", "min_joint_steps",
                     "joint_patience", "restarts"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
        if self.min_model_steps > self.max_model_steps:
            raise ValueError(f"min_model_steps={self.min_model_steps} > max_model_steps={self.max_model_steps}")
        if not 0 < self.op_decay <= 1:
            raise ValueError(f"op_decay must be in (0, 1], got {self.op_decay!r}")

    def to_dict(self) -> dict:
        """Plain values (the model as a dict): what checkpoints and reports record."""
        d = asdict(self)
        d["model"] = self.model.to_dict()
        return d

    @property
    def torch_dtype(self) -> torch.dtype:
        """``torch.float32`` or ``torch.float64``."""
        return getattr(torch, self.dtype)
