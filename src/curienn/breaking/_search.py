r"""The papers' search for symmetry-breaking order parameters (Smidt, Geiger & Miller,
PRR 3, L012002 (2021)), as a tool.

An equivariant network :math:`F_\theta` maps per-point inputs
:math:`x_i = f_i \oplus P_i` (fixed features :math:`f`, learnable order parameter
:math:`P`, see :mod:`curienn.breaking._layout`) on the input geometry to per-point
outputs compared with a target :math:`T` (e.g. the projected displacements to a
lower-symmetry structure). By Curie's principle the output can have no lower
symmetry than the input; a target of lower symmetry can only be fitted once
:math:`P` breaks the symmetry, and the gradient
:math:`\partial L/\partial P` is invariant under
:math:`\mathrm{Stab}(\text{input}) \cap \mathrm{Stab}(\text{target})`, so the learned
:math:`P` lies in the symmetry-breaking (and the invariant) components.

Loss (``loss="mse"`` or ``"l1"``, averaged over all points and components) plus
the penalty :math:`\Omega(P)` of :mod:`curienn.breaking._penalty`. Schedule (the
papers'), one method per phase: :meth:`~OrderParameterSearch._model_step` trains
the model alone (Adam, ``lr_model``) until the loss stops improving (no relative
improvement above ``plateau_tol`` for ``patience`` steps, between
``min_model_steps`` and ``max_model_steps``); :meth:`~OrderParameterSearch._joint_step`
then runs at most ``joint_steps`` iterations of model and order parameter (one model
step and one order-parameter step, Adam ``lr_op``), until the fit converged (the loss
below ``tol`` x the zero-output loss, or no better for ``joint_patience`` steps);
:meth:`~OrderParameterSearch._final_step` keeps the best state met and evaluates the
fit. :func:`~curienn.breaking._run.run_search` runs the schedule, and again with
the next seeds when the fit stays above ``good_ratio`` (``restarts``). The penalty is applied as a proximal step
(:class:`curienn.optim.ProxAdam`): components whose data gradient cannot pay for
the penalty are exactly zero, rather than oscillating around zero as the
sub-gradient would make them. With ``equivariant_penalty`` every step commutes
with the input's symmetry (block-wise penalties and second moments), so a
symmetric gradient keeps the order parameter exactly symmetric: the learned
pattern has the symmetry the theory says, not one that round-off chose.
Parent-invariant components are projected out (:mod:`curienn.breaking._projector`). The state of a run is a
:class:`~curienn.breaking._state.SearchState`, checkpointed atomically.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np
import torch

from curienn.io import periodic_radius_graph, radius_graph
from curienn.o3 import Irreps
from curienn.optim import ProxAdam
from curienn.symmetry import component_labels

from ._config import SearchConfig
from ._layout import make_layout
from ._model import build_model, default_dtype, model_kwargs
from ._penalty import PenaltyWeights
from ._projector import input_symmetry, invariant_projector
from ._result import OrderParameterResult
from ._run import SearchInterrupted, run_search
from ._state import SearchState

__all__ = ["OrderParameterSearch", "SearchInterrupted", "find_order_parameters"]


class OrderParameterSearch:
    """The search on one input geometry and target (see the module docstring).

    Args:
        positions: ``(N, 3)`` input geometry.
        target: ``(N, D_out)`` per-point target with irreps ``target_irreps``.
        target_irreps: e.g. ``"0e+1o+2e+3o+4e+5o"`` (projection) or ``"1o"``.
        species: ``N`` labels (fixed one-hot ``0e`` features when there are several).
        cell, pbc: periodic boundary conditions (rows are lattice vectors).
        features, features_irreps: extra fixed per-point features ``(N, F)``.
        where, sites, mask: where the order parameter lives (:func:`make_layout`).
        config: :class:`SearchConfig`.

    :meth:`run` trains and returns an :class:`OrderParameterResult`; an
    :class:`~curienn.breaking.OrderParameterProblem` builds one with
    :meth:`from_problem`.
    """

    def __init__(
        self,
        positions,
        target,
        target_irreps: str,
        *,
        species: Optional[Sequence[str]] = None,
        cell=None,
        pbc=None,
        features=None,
        features_irreps: Optional[str] = None,
        where: Union[str, Sequence[Sequence[int]]] = "global",
        sites=None,
        mask=None,
        config: Optional[SearchConfig] = None,
    ) -> None:
        self.config = config = config or SearchConfig()
        dtype = config.torch_dtype
        pos = torch.as_tensor(np.asarray(positions, dtype=np.float64), dtype=dtype)
        if pos.ndim != 2 or pos.shape[1] != 3:
            raise ValueError(f"positions must have shape (N, 3), got {tuple(pos.shape)}")
        n = pos.shape[0]
        self.target_irreps = str(Irreps(target_irreps))
        tgt = torch.as_tensor(np.asarray(target, dtype=np.float64), dtype=dtype)
        if tgt.shape != (n, Irreps(target_irreps).dim):
            raise ValueError(
                f"target must have shape ({n}, {Irreps(target_irreps).dim}) for irreps {self.target_irreps}, "
                f"got {tuple(tgt.shape)}"
            )
        self.species = list(species) if species is not None else None
        if self.species is not None and len(self.species) != n:
            raise ValueError(f"species has {len(self.species)} entries for {n} points")
        self.fixed, self.fixed_irreps, self.kinds = self._fixed_features(n, features, features_irreps, dtype)

        try:
            op_irreps = Irreps(config.irreps) if config.irreps else Irreps("")
        except Exception as exc:  # noqa: BLE001
            raise ValueError(f"invalid candidate irreps {config.irreps!r}: {exc}") from exc
        self.op_irreps = str(op_irreps)
        self.labels = component_labels(op_irreps) if op_irreps.dim else []
        self.layout = make_layout(n, op_irreps.dim, where, species=self.species, sites=sites, mask=mask,
                                  component_labels=self.labels)
        self._weights = PenaltyWeights.build(op_irreps, self.layout, config, dtype)

        self.pos = pos
        self.target = tgt
        self.cell = None if cell is None else torch.as_tensor(np.asarray(cell, dtype=np.float64), dtype=dtype)
        if self.cell is not None:
            self.pbc = np.broadcast_to(np.asarray(True if pbc is None else pbc, dtype=bool), (3,)).copy()
        else:
            self.pbc = np.zeros(3, dtype=bool)
        self.graph = self._graph(config.model.max_radius)
        self.parent_group = None
        self.invariant_operations = 0
        self._inv_proj = self._invariant_projector() if config.exclude_invariant else None
        deg = self.graph["edge_src"].numel() / max(n, 1)
        self.num_neighbors = float(deg) if deg > 0 else 1.0
        zero = self.zero_loss()
        self._scale = 1.0 / zero if config.normalize_loss and zero > 0 else 1.0

    @classmethod
    def from_problem(cls, problem) -> "OrderParameterSearch":
        """The search of an :class:`~curienn.breaking.OrderParameterProblem`."""
        return cls(problem.positions, problem.target, problem.target_irreps, species=problem.species,
                   cell=problem.cell, pbc=problem.pbc, features=problem.features,
                   features_irreps=problem.features_irreps, where=problem.where, sites=problem.sites,
                   mask=problem.mask, config=problem.config)

    # ---------------------------------------------------------------- construction

    def _fixed_features(self, n: int, features, features_irreps, dtype) -> tuple[torch.Tensor, str, list]:
        """One-hot species (or a constant scalar) plus the user's features."""
        kinds = list(dict.fromkeys(self.species)) if self.species else ["*"]
        onehot = torch.zeros(n, len(kinds), dtype=dtype)
        for i in range(n):
            onehot[i, kinds.index(self.species[i]) if self.species else 0] = 1.0
        fixed = [onehot]
        fixed_irreps = Irreps(f"{len(kinds)}x0e")
        if features is not None:
            if features_irreps is None:
                raise ValueError("features need features_irreps")
            f = torch.as_tensor(np.asarray(features, dtype=np.float64), dtype=dtype).reshape(n, -1)
            if f.shape[1] != Irreps(features_irreps).dim:
                raise ValueError(f"features have {f.shape[1]} columns, irreps {features_irreps} "
                                 f"need {Irreps(features_irreps).dim}")
            fixed.append(f)
            fixed_irreps = fixed_irreps + Irreps(features_irreps)
        return torch.cat(fixed, dim=1), str(fixed_irreps), kinds

    def _graph(self, r_max: float) -> dict:
        if self.cell is not None and self.pbc.any():
            src, dst, shift = periodic_radius_graph(self.pos, r_max, self.cell, torch.as_tensor(self.pbc))
            return {"edge_src": src, "edge_dst": dst, "edge_shift": shift, "cell": self.cell}
        src, dst = radius_graph(self.pos, r_max)
        return {"edge_src": src, "edge_dst": dst}

    def _invariant_projector(self) -> Optional[torch.Tensor]:
        """The projector onto the parent-invariant order parameters
        (:mod:`curienn.breaking._projector`), ``None`` when there is none."""
        if not self.labels or not np.all(self.layout.mask == 1):
            return None
        cell = None if self.cell is None else self.cell.detach().cpu().numpy().astype(np.float64)
        self.parent_group, sites = input_symmetry(
            self.pos.detach().cpu().numpy().astype(np.float64), self.fixed.detach().cpu().numpy().astype(np.float64),
            self.fixed_irreps, cell, self.pbc)
        P, self.invariant_operations = invariant_projector(self.layout, self.op_irreps, sites)
        return None if P is None else torch.as_tensor(P, dtype=self.config.torch_dtype)

    # ---------------------------------------------------------------- the objective

    def model_kwargs(self) -> dict:
        """Keyword arguments of the ``Network`` this search builds."""
        return model_kwargs(self.fixed_irreps, self.op_irreps, self.target_irreps, self.config.model,
                            self.num_neighbors, self.pos.shape[0])

    def data(self, op_values: torch.Tensor) -> dict:
        """The network's input dict for ``(G, D)`` order-parameter values."""
        x = torch.cat([self.fixed, self.layout.expand(op_values)], dim=1)
        return {"pos": self.pos, "x": x, **self.graph}

    def loss_fn(self, pred: torch.Tensor) -> torch.Tensor:
        """The data loss (mean over points and components)."""
        d = pred - self.target
        return d.pow(2).mean() if self.config.loss == "mse" else d.abs().mean()

    def objective(self, pred: torch.Tensor) -> torch.Tensor:
        """What the optimisers minimise: the data loss, divided by the zero-output
        loss with ``normalize_loss``."""
        return self.loss_fn(pred) * self._scale

    def penalty(self, p: torch.Tensor) -> torch.Tensor:
        r"""The penalty :math:`\Omega(p)` (:class:`~curienn.breaking._penalty.PenaltyWeights`)."""
        return self._weights.penalty(p, self.config.equivariant_penalty)

    def zero_loss(self) -> float:
        """The loss of a zero output (the scale of the fit)."""
        return float(self.loss_fn(torch.zeros_like(self.target)))

    def total_steps(self) -> int:
        """The most steps :meth:`run` takes (model-only steps may stop earlier)."""
        return self.config.max_model_steps + self.config.joint_steps

    # ---------------------------------------------------------------- the schedule

    def new_state(self, seed: Optional[int] = None) -> SearchState:
        """A fresh :class:`SearchState`: the network (seeded with ``seed``, default
        the configuration's), ``p = 0`` and the optimisers."""
        cfg = self.config
        torch.manual_seed(cfg.seed if seed is None else seed)
        with default_dtype(cfg.torch_dtype):
            model = build_model(self.fixed_irreps, self.op_irreps, self.target_irreps, cfg.model,
                                self.num_neighbors, self.pos.shape[0])
        model = model.to(cfg.torch_dtype)
        p = torch.zeros(self.layout.num_groups, len(self.labels), dtype=cfg.torch_dtype, requires_grad=True)
        w = self._weights
        opt_op = ProxAdam(p, lr=cfg.lr_op, lam=w.lam * w.mask, block=w.block if cfg.equivariant_penalty else None,
                          lam_block=w.lam_block if cfg.equivariant_penalty else None)
        return SearchState(model, p, torch.optim.Adam(model.parameters(), lr=cfg.lr_model), opt_op)

    def _has_op(self, state: SearchState) -> bool:
        return state.p.numel() > 0 and self.layout.num_groups > 0

    def _project(self, p: torch.Tensor) -> None:
        if self._inv_proj is not None:
            with torch.no_grad():
                p.sub_((p.reshape(-1) @ self._inv_proj.T).reshape(p.shape))

    def _model_step(self, state: SearchState, every: int) -> None:
        """Phase 1: one Adam step of the model alone (order parameter fixed);
        moves to the joint phase on a plateau or after ``max_model_steps``."""
        cfg = self.config
        pred = state.model(self.data(state.p.detach()))
        loss = self.objective(pred)
        if state.step % every == 0:
            state.snapshot(pred)
        state.opt_model.zero_grad(set_to_none=True)
        loss.backward()
        state.opt_model.step()
        lv = float(loss.detach()) / self._scale
        has_op = self._has_op(state)
        state.history.append({"step": state.step, "phase": "model", "loss": lv,
                              "penalty": float(self.penalty(state.p.detach())) if has_op else 0.0})
        state.step += 1
        if lv < state.best * (1 - cfg.plateau_tol):
            state.best, state.since_best = lv, 0
        else:
            state.since_best += 1
        if state.step >= cfg.max_model_steps or (state.step >= cfg.min_model_steps
                                                 and state.since_best >= cfg.patience):
            state.model_only_loss = lv
            state.phase = "joint" if (has_op and cfg.joint_steps > 0) else "final"

    def _joint_step(self, state: SearchState, every: int) -> None:
        """Phase 2: model and order parameter together (alternating or simultaneous
        steps; proximal penalty; projection out of the invariant subspace). The
        loss of the state before the step decides convergence (see
        :class:`SearchConfig`): a converged state ends the phase untouched."""
        cfg, model, p = self.config, state.model, state.p
        frac = state.joint_done / max(cfg.joint_steps, 1)
        state.opt_op.lr = cfg.lr_op * (1 - (1 - cfg.op_decay) * frac)
        pred = model(self.data(p))
        loss = self.objective(pred)
        now = float(loss.detach()) / self._scale
        state.remember_best(now, cfg.plateau_tol)
        if state.joint_done >= cfg.min_joint_steps and (
                now <= cfg.tol * self.zero_loss() or 0 < cfg.joint_patience <= state.joint_since_best):
            state.phase = "final"
            return
        state.opt_model.zero_grad(set_to_none=True)
        p.grad = None
        loss.backward()
        state.opt_model.step()
        if cfg.alternate:  # the order-parameter step is taken at the new model
            params = list(model.parameters())
            for q in params:
                q.requires_grad_(False)
            pred = model(self.data(p))
            loss = self.objective(pred)
            p.grad = None
            loss.backward()
            for q in params:
                q.requires_grad_(True)
        state.opt_op.step()
        self._project(p)
        if state.step % every == 0 or state.joint_done == 0:
            state.snapshot(pred)
        state.history.append({"step": state.step, "phase": "joint", "loss": float(loss.detach()) / self._scale,
                              "penalty": float(self.penalty(p.detach()))})
        state.step += 1
        state.joint_done += 1
        if state.joint_done >= cfg.joint_steps:
            state.phase = "final"

    def _final_step(self, state: SearchState, every: int) -> None:
        """Phase 3: keep the best state of the joint phase and evaluate the
        fitted model at the learned order parameter."""
        with torch.no_grad():
            pred = state.model(self.data(state.p))
            if state.best_state is not None and state.joint_best < float(self.loss_fn(pred)):
                state.restore_best()
                pred = state.model(self.data(state.p))
        state.snapshot(pred)
        state.phase = "done"

    def run(self, **options) -> OrderParameterResult:
        """Run the schedule (with the restarts of the configuration); return an
        :class:`OrderParameterResult`. Keywords: ``progress``, ``checkpoint``,
        ``resume``, ``checkpoint_every``, ``snapshot_every``, ``threads``,
        ``callback`` (see :func:`run_search`)."""
        return run_search(self, **options)


def find_order_parameters(positions, target, target_irreps: str, **kwargs) -> OrderParameterResult:
    """Functional form: ``OrderParameterSearch(positions, target, target_irreps, **kw).run(...)``.

    Keywords of :class:`OrderParameterSearch` and of :meth:`OrderParameterSearch.run`
    (``progress``, ``checkpoint``, ``resume``, ``threads``, ...) are both accepted.
    """
    run_keys = ("progress", "checkpoint", "resume", "checkpoint_every", "snapshot_every", "threads", "callback")
    run_kw = {k: kwargs.pop(k) for k in run_keys if k in kwargs}
    return OrderParameterSearch(positions, target, target_irreps, **kwargs).run(**run_kw)
