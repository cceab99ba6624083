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

Loss (``loss="mse"`` or ``"l1"``, averaged over all points and components) plus the
penalty on the order parameter

.. math::

    \Omega(P) = \lambda_1 \,\mathrm{mean}_{g,c}\,|p_{gc}| + \lambda_l \sum_{(l,p)}
    l^{k}\, \mathrm{mean}_{g,\,c \in (l,p)} |p_{gc}|

(``l1``, ``l_penalty``, ``l_power``). Schedule (the papers'): the model alone is
trained (Adam, ``lr_model``) until the loss stops improving (no relative improvement
above ``plateau_tol`` for ``patience`` steps, between ``min_model_steps`` and
``max_model_steps``); then ``joint_steps`` iterations alternate one model step and
one order-parameter step (Adam, ``lr_op``). The penalty is applied as a proximal
step (soft thresholding with Adam's per-component step size
:math:`\eta_c = \mathrm{lr}/(\sqrt{\hat v_c} + \epsilon)`): components whose data
gradient cannot pay for the penalty are exactly zero, rather than oscillating
around zero as the sub-gradient would make them.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Optional, Sequence, Union

import numpy as np
import torch

from curienn.io import load_checkpoint, save_checkpoint

from ._layout import OrderParameterLayout, make_layout
from ._model import ModelOptions, build_model, model_kwargs

__all__ = [
    "DEFAULT_IRREPS",
    "SearchConfig",
    "OrderParameterResult",
    "OrderParameterSearch",
    "ProxAdam",
    "find_order_parameters",
]

#: the default candidate order-parameter irreps
DEFAULT_IRREPS = "1e+1o+2e+2o+3e+3o+4e+4o+5e+5o"

_LOSSES = ("mse", "l1")


@dataclass
class SearchConfig:
    """Hyper-parameters of the search (see the module docstring)."""

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
    alternate: bool = True
    op_decay: float = 1.0
    exclude_invariant: bool = True
    equivariant_penalty: bool = False
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
        for name in ("l1", "l_penalty", "lr_model", "lr_op"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and v >= 0 and math.isfinite(v)):
                raise ValueError(f"{name} must be a non-negative number, got {v!r}")
        for name in ("min_model_steps", "max_model_steps", "joint_steps", "patience"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
        if self.min_model_steps > self.max_model_steps:
            raise ValueError(f"min_model_steps={self.min_model_steps} > max_model_steps={self.max_model_steps}")
        if not 0 < self.op_decay <= 1:
            raise ValueError(f"op_decay must be in (0, 1], got {self.op_decay!r}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["model"] = self.model.to_dict()
        return d

    @property
    def torch_dtype(self) -> torch.dtype:
        return getattr(torch, self.dtype)


@dataclass
class OrderParameterResult:
    """What the search learned.

    ``irreps``: candidate irreps; ``labels``: the ``D`` component labels (``"2e m=2"``);
    ``values``: ``(G, D)`` learned parameters per group (masked); ``site_values``:
    ``(N, D)`` per point; ``layout``; ``model`` (the fitted network); ``history``:
    list of ``{"step", "phase", "loss", "penalty"}``; ``fit``: final data loss, the
    loss of a zero output, their ratio, and the loss of the model alone before the
    order parameter was learned; ``snapshots``: ``{"step", "values", "output"}`` at
    a few steps (for figures); ``prediction``: final ``(N, D_out)`` output;
    ``target``; ``target_irreps``; ``config``; ``seconds``.
    """

    irreps: str
    labels: list
    values: np.ndarray
    site_values: np.ndarray
    layout: OrderParameterLayout
    model: torch.nn.Module
    history: list
    fit: dict
    snapshots: list
    prediction: np.ndarray
    target: np.ndarray
    target_irreps: str
    config: SearchConfig
    seconds: float = 0.0

    def components(self, threshold: float = 0.05) -> list[dict]:
        """Learned components with ``|value| >= threshold * max |value|`` over all
        groups: ``{"group", "name", "component", "irrep", "m", "value"}``, sorted by
        group then component order."""
        vmax = float(np.abs(self.values).max()) if self.values.size else 0.0
        out = []
        if vmax == 0:
            return out
        for g in range(self.values.shape[0]):
            for c, lab in enumerate(self.labels):
                v = float(self.values[g, c])
                if abs(v) >= threshold * vmax:
                    irrep, _, m = lab.partition(" m=")
                    out.append({"group": g, "name": self.layout.names[g], "component": lab,
                                "irrep": irrep, "m": int(m) if m else 0, "value": v})
        return out

    def nonzero_labels(self, threshold: float = 0.05) -> list[str]:
        """Distinct component labels above ``threshold`` (relative), in basis order."""
        seen = {c["component"] for c in self.components(threshold)}
        return [lab for lab in self.labels if lab in seen]

    def table(self, threshold: float = 0.05) -> str:
        """A readable table of the learned components."""
        rows = self.components(threshold)
        lines = [f"learned order parameter ({self.irreps}); components >= {threshold:g} x max:"]
        if not rows:
            lines.append("  (all zero: nothing had to break the symmetry)")
        w = max([len(r["name"]) for r in rows] + [5])
        lines.append(f"  {'where':<{w}}  {'component':<10} {'value':>11}")
        for r in rows:
            lines.append(f"  {r['name']:<{w}}  {r['component']:<10} {r['value']:>+11.5f}")
        f = self.fit
        lines.append(
            f"fit: loss {f['loss']:.4e} = {f['ratio']:.3%} of the zero-output loss {f['zero_loss']:.4e}"
            + (f" (model alone: {f['model_only_loss']:.4e})" if f.get("model_only_loss") is not None else "")
        )
        return "\n".join(lines)

    def to_dict(self, threshold: float = 0.05) -> dict:
        return {
            "irreps": self.irreps,
            "labels": list(self.labels),
            "values": self.values.tolist(),
            "groups": self.layout.names,
            "layout": self.layout.to_dict(),
            "components": self.components(threshold),
            "fit": self.fit,
            "history": self.history,
            "target_irreps": self.target_irreps,
            "config": self.config.to_dict(),
            "seconds": self.seconds,
        }


def _component_irreps(irreps) -> tuple[list, list]:
    """Per component: its ``(l, p)`` block index and the block's ``l``."""
    from curienn.o3 import Irreps

    block, ls = [], []
    for b, (mul, ir) in enumerate(Irreps(irreps)):
        for _ in range(mul * ir.dim):
            block.append(b)
            ls.append(ir.l)
    return block, ls


#: the ``kind`` stamped into search checkpoints (see :func:`curienn.io.save_checkpoint`)
CHECKPOINT_KIND = "order-parameter-checkpoint"


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
        from curienn.o3 import Irreps
        from curienn.symmetry._representation import component_labels

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
        # fixed features: one-hot species (or a constant scalar) + user features
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
                raise ValueError(f"features have {f.shape[1]} columns, irreps {features_irreps} need {Irreps(features_irreps).dim}")
            fixed.append(f)
            fixed_irreps = fixed_irreps + Irreps(features_irreps)
        self.fixed = torch.cat(fixed, dim=1)
        self.fixed_irreps = str(fixed_irreps)
        self.kinds = kinds

        try:
            op_irreps = Irreps(config.irreps) if config.irreps else Irreps("")
        except Exception as exc:  # noqa: BLE001
            raise ValueError(f"invalid candidate irreps {config.irreps!r}: {exc}") from exc
        self.op_irreps = str(op_irreps)
        self.labels = component_labels(op_irreps) if op_irreps.dim else []
        D = op_irreps.dim
        self.layout = make_layout(n, D, where, species=self.species, sites=sites, mask=mask,
                                  component_labels=self.labels)
        block, ls = _component_irreps(op_irreps)
        G = self.layout.num_groups
        # per-component proximal weights: penalty = sum_{g,c} lam_c |p_gc|
        lam = np.full(D, config.l1 / max(G * D, 1))
        counts = np.bincount(block) if D else np.zeros(0, dtype=int)
        lam_block = np.zeros(D)  # group-lasso weight per component's block (equivariant_penalty)
        if config.l_penalty and D:
            for c in range(D):
                w = config.l_penalty * float(ls[c]) ** config.l_power
                if config.equivariant_penalty:
                    lam_block[c] = w / (G * math.sqrt(counts[block[c]]))
                else:
                    lam[c] += w / (G * counts[block[c]])
        self._block = torch.as_tensor(block, dtype=torch.long)
        self._lam_block = torch.as_tensor(lam_block, dtype=dtype)
        self._lam = torch.as_tensor(lam, dtype=dtype)

        self.pos = pos
        self.target = tgt
        self.cell = None if cell is None else torch.as_tensor(np.asarray(cell, dtype=np.float64), dtype=dtype)
        if self.cell is not None:
            pbc_arr = np.broadcast_to(np.asarray(True if pbc is None else pbc, dtype=bool), (3,)).copy()
        else:
            pbc_arr = np.zeros(3, dtype=bool)
        self.pbc = pbc_arr
        self.graph = self._graph(config.model.max_radius)
        self._inv_proj = self._invariant_projector() if config.exclude_invariant else None
        deg = self.graph["edge_src"].numel() / max(n, 1)
        self.num_neighbors = float(deg) if deg > 0 else 1.0

    # ----------------------------------------------------------------------------

    def _graph(self, r_max: float) -> dict:
        from curienn.io._graph import periodic_radius_graph, radius_graph

        if self.cell is not None and self.pbc.any():
            src, dst, shift = periodic_radius_graph(self.pos, r_max, self.cell, torch.as_tensor(self.pbc))
            return {"edge_src": src, "edge_dst": dst, "edge_shift": shift, "cell": self.cell}
        src, dst = radius_graph(self.pos, r_max)
        return {"edge_src": src, "edge_dst": dst}

    def _symmetry_operations(self):
        """The input's symmetry as ``[(R (3, 3) Cartesian, perm (N,))]`` (site ``i`` goes
        to ``perm[i]``): the point group of a finite input (with species and fixed
        features), the space group of a periodic one (spglib, with species; ``None``
        when non-scalar fixed features are given)."""
        from curienn.o3 import Irreps
        from curienn.symmetry import point_group

        pos = self.pos.detach().cpu().numpy().astype(np.float64)
        feats = self.fixed.detach().cpu().numpy().astype(np.float64)
        scalar = all(ir.l == 0 and ir.p == 1 for _, ir in Irreps(self.fixed_irreps))
        kinds = [str(tuple(np.round(f, 9))) for f in feats]
        if self.cell is None or not self.pbc.any():
            scale = float(np.abs(pos - pos.mean(0)).max()) or 1.0
            if scalar:
                g = point_group(pos, kinds, tol=1e-6 * scale)
            else:
                g = point_group(pos, None, tol=1e-6 * scale, features=feats, irreps=self.fixed_irreps,
                                feature_tol=1e-6 * (np.abs(feats).max() or 1.0))
            self.parent_group = g
            ops = []
            for R in g.operations:
                moved = (pos - g.center) @ R.T + g.center
                d = np.linalg.norm(moved[:, None] - pos[None], axis=-1)
                ops.append((R, d.argmin(axis=1)))
            return ops
        if not scalar or not self.pbc.all():
            return None
        from ase import Atoms

        from curienn.symmetry import space_group

        codes = {k: i + 1 for i, k in enumerate(dict.fromkeys(kinds))}
        cell = self.cell.detach().cpu().numpy().astype(np.float64)
        atoms = Atoms(numbers=[codes[k] for k in kinds], positions=pos, cell=cell, pbc=True)
        sg = space_group(atoms, symprec=1e-4)
        self.parent_group = sg
        L = cell
        frac = np.linalg.solve(L.T, pos.T).T
        ops = []
        for W, t in zip(sg.rotations, sg.translations):
            R = L.T @ W @ np.linalg.inv(L.T)
            f2 = frac @ W.T + t
            d = f2[:, None] - frac[None]
            d -= np.round(d)
            dist = np.linalg.norm(d @ L, axis=-1)
            perm = dist.argmin(axis=1)
            if dist[np.arange(len(perm)), perm].max() > 1e-3:
                return None
            ops.append((R, perm))
        return ops

    def _invariant_projector(self) -> Optional[torch.Tensor]:
        """``P`` ``(G D, G D)``: the projector onto the parent-invariant order parameters,

        .. math::

            P = \\frac{1}{|G|} \\sum_{g \\in G} T_g, \\qquad
            (T_g\\, p)_{g \\cdot k} = D(g)\\, p_k,

        with ``G`` the input's symmetry (:meth:`_symmetry_operations`) and ``k`` the
        order-parameter groups (operations that do not map the layout onto itself are
        left out; masked layouts are not projected). Invariant components break no
        symmetry (the model can absorb them: e.g. a uniform scalar on every B site),
        so the search keeps ``p`` in the complement ``(1 - P)``.
        """
        from curienn.symmetry._representation import representation_matrix

        if not self.labels or not np.all(self.layout.mask == 1):
            return None
        ops = self._symmetry_operations()
        if not ops:
            return None
        G, D = self.layout.num_groups, len(self.labels)
        gof = self.layout.group_of
        P = np.zeros((G * D, G * D))
        used = 0
        for R, perm in ops:
            image = {}
            ok = True
            for i, k in enumerate(gof):
                k2 = gof[perm[i]]
                if (k < 0) != (k2 < 0) or (k >= 0 and image.setdefault(int(k), int(k2)) != k2):
                    ok = False
                    break
            if not ok or len(set(image.values())) != len(image):
                continue
            Dg = representation_matrix(self.op_irreps, R)
            for k, k2 in image.items():
                P[k2 * D:(k2 + 1) * D, k * D:(k + 1) * D] += Dg
            used += 1
        if used == 0:
            return None
        P /= used
        self.invariant_operations = used
        return torch.as_tensor(P, dtype=self.config.torch_dtype)

    def model_kwargs(self) -> dict:
        """Keyword arguments of the ``Network`` this search builds."""
        return model_kwargs(self.fixed_irreps, self.op_irreps, self.target_irreps, self.config.model,
                            self.num_neighbors, self.pos.shape[0])

    def data(self, op_values: torch.Tensor) -> dict:
        """The network's input dict for ``(G, D)`` order-parameter values."""
        x = torch.cat([self.fixed, self.layout.expand(op_values)], dim=1)
        return {"pos": self.pos, "x": x, **self.graph}

    def loss_fn(self, pred: torch.Tensor) -> torch.Tensor:
        d = pred - self.target
        return d.pow(2).mean() if self.config.loss == "mse" else d.abs().mean()

    def penalty(self, p: torch.Tensor) -> torch.Tensor:
        m = torch.as_tensor(self.layout.mask, dtype=p.dtype)
        out = (p.abs() * m * self._lam).sum()
        if self.config.equivariant_penalty and self._lam_block.any():
            q = p * m
            nb = int(self._block.max()) + 1
            norms = torch.zeros(q.shape[0], nb, dtype=q.dtype).index_add_(1, self._block, q * q).sqrt()
            wb = torch.zeros(nb, dtype=q.dtype).scatter_(0, self._block, self._lam_block)  # constant per block
            out = out + (norms * wb).sum()
        return out

    def zero_loss(self) -> float:
        return float(self.loss_fn(torch.zeros_like(self.target)))

    # ----------------------------------------------------------------------------

    def _new_state(self) -> dict:
        cfg = self.config
        torch.manual_seed(cfg.seed)
        with _default_dtype(cfg.torch_dtype):
            model = build_model(self.fixed_irreps, self.op_irreps, self.target_irreps, cfg.model,
                                self.num_neighbors, self.pos.shape[0])
        model = model.to(cfg.torch_dtype)
        p = torch.zeros(self.layout.num_groups, len(self.labels), dtype=cfg.torch_dtype, requires_grad=True)
        return {
            "model": model,
            "p": p,
            "opt_model": torch.optim.Adam(model.parameters(), lr=cfg.lr_model),
            "opt_op": ProxAdam(p, lr=cfg.lr_op, lam=self._lam * torch.as_tensor(self.layout.mask, dtype=p.dtype),
                               block=self._block if cfg.equivariant_penalty else None,
                               lam_block=self._lam_block if cfg.equivariant_penalty else None),
            "step": 0,
            "phase": "model",
            "best": math.inf,
            "since_best": 0,
            "model_only_loss": None,
            "joint_done": 0,
            "history": [],
            "snapshots": [],
        }

    def _project(self, p: torch.Tensor) -> None:
        if self._inv_proj is not None:
            with torch.no_grad():
                p.sub_((p.reshape(-1) @ self._inv_proj.T).reshape(p.shape))

    def _snapshot(self, state: dict, pred: torch.Tensor) -> None:
        state["snapshots"].append({
            "step": state["step"], "phase": state["phase"],
            "values": state["p"].detach().cpu().numpy().copy(),
            "output": pred.detach().cpu().numpy().copy(),
        })

    def _save(self, state: dict, path: str) -> None:
        obj = {
            "config": self.config.to_dict(),
            "model": state["model"].state_dict(),
            "p": state["p"].detach().clone(),
            "opt_model": state["opt_model"].state_dict(),
            "opt_op": state["opt_op"].state_dict(),
            "scalars": {k: state[k] for k in ("step", "phase", "best", "since_best", "model_only_loss", "joint_done")},
            "history": state["history"],
            "snapshots": [{"step": s["step"], "phase": s["phase"], "values": torch.as_tensor(s["values"]),
                           "output": torch.as_tensor(s["output"])} for s in state["snapshots"]],
        }
        save_checkpoint(path, obj, kind=CHECKPOINT_KIND)

    def _load(self, state: dict, path: str) -> None:
        obj = load_checkpoint(path, kind=CHECKPOINT_KIND, required=("config", "model", "p", "scalars"))
        if obj["config"] != self.config.to_dict():
            diff = sorted(k for k in obj["config"] if obj["config"][k] != self.config.to_dict().get(k))
            raise ValueError(f"checkpoint {path} was written with a different configuration (differs in {diff})")
        state["model"].load_state_dict(obj["model"])
        with torch.no_grad():
            state["p"].copy_(obj["p"])
        state["opt_model"].load_state_dict(obj["opt_model"])
        state["opt_op"].load_state_dict(obj["opt_op"])
        state.update(obj["scalars"])
        state["history"] = list(obj["history"])
        state["snapshots"] = [{"step": s["step"], "phase": s["phase"], "values": s["values"].numpy(),
                               "output": s["output"].numpy()} for s in obj["snapshots"]]

    def total_steps(self) -> int:
        return self.config.max_model_steps + self.config.joint_steps

    def run(
        self,
        *,
        progress: bool = True,
        checkpoint: Optional[str] = None,
        resume: bool = False,
        checkpoint_every: float = 10.0,
        snapshot_every: Optional[int] = None,
        threads: Optional[int] = None,
    ) -> OrderParameterResult:
        """Run the schedule; return an :class:`OrderParameterResult`.

        ``checkpoint``: file written atomically every ``checkpoint_every`` seconds and
        at the end; with ``resume`` an existing one is loaded first (its conventions
        and configuration must match). ``snapshot_every``: record the order parameter
        and the output every so many steps (default: about 20 snapshots).
        """
        cfg = self.config
        t0 = time.perf_counter()
        if threads:
            torch.set_num_threads(threads)
        state = self._new_state()
        if resume and checkpoint and os.path.exists(checkpoint):
            self._load(state, checkpoint)
        model, p = state["model"], state["p"]
        has_op = p.numel() > 0 and self.layout.num_groups > 0
        every = snapshot_every or max(1, (cfg.max_model_steps + cfg.joint_steps) // 20)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=self.total_steps(), desc="order-parameter search", file=sys.stderr,
                       initial=min(state["step"], self.total_steps()), leave=False)
        last_save = time.perf_counter()
        params = list(model.parameters())

        def forward(detach: bool = False):
            return model(self.data(p.detach() if detach else p))

        def set_grad(flag: bool):
            for q in params:
                q.requires_grad_(flag)

        while True:
            phase = state["phase"]
            if phase == "done":
                break
            if phase == "model":
                pred = forward(detach=True)
                loss = self.loss_fn(pred)
                if state["step"] % every == 0:
                    self._snapshot(state, pred)
                state["opt_model"].zero_grad(set_to_none=True)
                loss.backward()
                state["opt_model"].step()
                lv = float(loss.detach())
                state["history"].append({"step": state["step"], "phase": "model", "loss": lv,
                                         "penalty": float(self.penalty(p.detach())) if has_op else 0.0})
                state["step"] += 1
                n_model = state["step"]
                if lv < state["best"] * (1 - cfg.plateau_tol):
                    state["best"], state["since_best"] = lv, 0
                else:
                    state["since_best"] += 1
                if n_model >= cfg.max_model_steps or (n_model >= cfg.min_model_steps and state["since_best"] >= cfg.patience):
                    state["model_only_loss"] = lv
                    state["phase"] = "joint" if (has_op and cfg.joint_steps > 0) else "final"
            elif phase == "joint":
                frac = state["joint_done"] / max(cfg.joint_steps, 1)
                state["opt_op"].lr = cfg.lr_op * (1 - (1 - cfg.op_decay) * frac)
                if cfg.alternate:
                    # model step at the current order parameter
                    pred = forward()
                    loss = self.loss_fn(pred)
                    state["opt_model"].zero_grad(set_to_none=True)
                    loss.backward()
                    state["opt_model"].step()
                    # order-parameter step at the new model
                    set_grad(False)
                    pred = forward()
                    loss = self.loss_fn(pred)
                    p.grad = None
                    loss.backward()
                    set_grad(True)
                    state["opt_op"].step()
                    self._project(p)
                else:
                    pred = forward()
                    loss = self.loss_fn(pred)
                    state["opt_model"].zero_grad(set_to_none=True)
                    p.grad = None
                    loss.backward()
                    state["opt_model"].step()
                    state["opt_op"].step()
                    self._project(p)
                if state["step"] % every == 0 or state["joint_done"] == 0:
                    self._snapshot(state, pred)
                state["history"].append({"step": state["step"], "phase": "joint", "loss": float(loss.detach()),
                                         "penalty": float(self.penalty(p.detach()))})
                state["step"] += 1
                state["joint_done"] += 1
                if state["joint_done"] >= cfg.joint_steps:
                    state["phase"] = "final"
            else:  # final evaluation
                with torch.no_grad():
                    pred = forward()
                self._snapshot(state, pred)
                state["final_loss"] = float(self.loss_fn(pred))
                state["phase"] = "done"
            if bar is not None:
                bar.n = min(state["step"], self.total_steps())
                if state["history"]:
                    bar.set_postfix(phase=state["history"][-1]["phase"], loss=f"{state['history'][-1]['loss']:.3e}",
                                    refresh=False)
                bar.refresh()
            if checkpoint and (time.perf_counter() - last_save > checkpoint_every or state["phase"] == "done"):
                self._save(state, checkpoint)
                last_save = time.perf_counter()
        if bar is not None:
            bar.close()

        with torch.no_grad():
            pred = forward()
            final = float(self.loss_fn(pred))
        zero = self.zero_loss()
        values = (p.detach() * torch.as_tensor(self.layout.mask, dtype=p.dtype)).cpu().numpy()
        site_values = self.layout.expand(p.detach()).cpu().numpy()
        fit = {
            "loss_kind": cfg.loss,
            "loss": final,
            "zero_loss": zero,
            "ratio": final / zero if zero > 0 else float("nan"),
            "model_only_loss": state["model_only_loss"],
            "penalty": float(self.penalty(p.detach())) if has_op else 0.0,
            "steps": state["step"],
        }
        return OrderParameterResult(
            irreps=self.op_irreps,
            labels=list(self.labels),
            values=values,
            site_values=site_values,
            layout=self.layout,
            model=model,
            history=state["history"],
            fit=fit,
            snapshots=state["snapshots"],
            prediction=pred.detach().cpu().numpy(),
            target=self.target.cpu().numpy(),
            target_irreps=self.target_irreps,
            config=cfg,
            seconds=time.perf_counter() - t0,
        )


class ProxAdam:
    r"""Adam with an exact proximal step for the penalties, for one tensor ``p`` ``(G, D)``.

    With the data gradient :math:`g`, the componentwise penalty
    :math:`\sum_c \lambda_c |p_c|` and (optionally) the group lasso
    :math:`\sum_b \mu_b \lVert p_b\rVert` over blocks ``b`` of components (irreps):

    .. math::

        m &\leftarrow \beta_1 m + (1-\beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1-\beta_2) \tilde g^2, \quad
        \tilde g = g + \lambda \odot \mathrm{sign}\, p + \mu\, p_b/\lVert p_b\rVert,\\
        \eta &= \mathrm{lr} / (\sqrt{\hat v} + \epsilon), \qquad
        p \leftarrow \mathrm{soft}_b\big(\mathrm{soft}(p - \eta \hat m,\ \eta \lambda),\ \eta\mu\big),

    ``soft(x, t) = sign(x) max(|x| - t, 0)`` and the block version
    ``x_b max(1 - t/|x_b|, 0)``. With blocks, :math:`\hat v` is averaged over each
    block, so that the step of an irrep block commutes with rotations of it (the
    block part of the update is then equivariant). Components whose data gradient
    cannot pay for the penalty go to exactly zero and stay there (sub-gradient Adam
    would make them oscillate with amplitude ``lr``); a penalty-dominated component
    shrinks by about ``lr`` per step, as under plain Adam.
    """

    def __init__(self, p: torch.Tensor, lr: float, lam: torch.Tensor, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, block: Optional[torch.Tensor] = None,
                 lam_block: Optional[torch.Tensor] = None) -> None:
        self.p, self.lr, self.lam, self.betas, self.eps = p, lr, lam, betas, eps
        self.block = block
        self.lam_block = lam_block
        self.m = torch.zeros_like(p.detach())
        self.v = torch.zeros_like(p.detach())
        self.t = 0

    def _block_mean(self, x: torch.Tensor) -> torch.Tensor:
        nb = int(self.block.max()) + 1
        s = torch.zeros(x.shape[0], nb, dtype=x.dtype).index_add_(1, self.block, x)
        n = torch.zeros(nb, dtype=x.dtype).index_add_(0, self.block, torch.ones_like(self.block, dtype=x.dtype))
        return (s / n)[:, self.block]

    @torch.no_grad()
    def step(self) -> None:
        g = self.p.grad
        if g is None:
            g = torch.zeros_like(self.p)
        b1, b2 = self.betas
        self.t += 1
        full = g + self.lam * torch.sign(self.p)
        blocks = self.block is not None and self.p.numel() > 0
        if blocks and self.lam_block is not None:
            norm = self._block_mean(self.p * self.p).mul(
                torch.bincount(self.block).to(self.p.dtype)[self.block]).sqrt()
            full = full + self.lam_block * torch.where(norm > 0, self.p / norm.clamp_min(1e-300), torch.zeros_like(norm))
        self.m.mul_(b1).add_(g, alpha=1 - b1)
        self.v.mul_(b2).addcmul_(full, full, value=1 - b2)
        v = self._block_mean(self.v) if blocks else self.v
        eta = self.lr / ((v / (1 - b2**self.t)).sqrt() + self.eps)
        x = self.p - eta * self.m / (1 - b1**self.t)
        x = torch.sign(x) * torch.clamp(x.abs() - eta * self.lam, min=0)
        if blocks and self.lam_block is not None:
            norm = self._block_mean(x * x).mul(torch.bincount(self.block).to(x.dtype)[self.block]).sqrt()
            x = x * torch.clamp(1 - eta * self.lam_block / norm.clamp_min(1e-300), min=0)
        self.p.copy_(x)

    def state_dict(self) -> dict:
        return {"m": self.m.clone(), "v": self.v.clone(), "t": self.t, "lr": self.lr}

    def load_state_dict(self, d: dict) -> None:
        self.m.copy_(d["m"])
        self.v.copy_(d["v"])
        self.t = int(d["t"])
        self.lr = float(d["lr"])


class _default_dtype:
    def __init__(self, dtype):
        self.dtype = dtype

    def __enter__(self):
        self.old = torch.get_default_dtype()
        torch.set_default_dtype(self.dtype)

    def __exit__(self, *exc):
        torch.set_default_dtype(self.old)


def find_order_parameters(positions, target, target_irreps: str, **kwargs) -> OrderParameterResult:
    """Functional form: ``OrderParameterSearch(positions, target, target_irreps, **kw).run(...)``.

    Keywords of :class:`OrderParameterSearch` and of :meth:`OrderParameterSearch.run`
    (``progress``, ``checkpoint``, ``resume``, ``threads``) are both accepted.
    """
    run_keys = ("progress", "checkpoint", "resume", "checkpoint_every", "snapshot_every", "threads")
    run_kw = {k: kwargs.pop(k) for k in run_keys if k in kwargs}
    return OrderParameterSearch(positions, target, target_irreps, **kwargs).run(**run_kw)
