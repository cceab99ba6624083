"""What an order-parameter search returns: :class:`OrderParameterResult`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import torch

from ._config import SearchConfig
from ._layout import OrderParameterLayout

__all__ = ["OrderParameterResult"]


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
    ``target``; ``target_irreps``; ``config``; ``seconds``; ``parent_group``:
    the input's symmetry the search used (a :class:`~curienn.symmetry.PointGroup`
    or :class:`~curienn.symmetry.SpaceGroup`; ``None`` when not computed).
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
    parent_group: Optional[Any] = None

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

    def table(self, threshold: float = 0.05, fit: bool = True) -> str:
        """A readable table of the learned components (and a line on the fit)."""
        rows = self.components(threshold)
        lines = [f"learned order parameter ({self.irreps}); components >= {threshold:g} x max:"]
        if not rows:
            lines.append("  (all zero)")
        w = max([len(r["name"]) for r in rows] + [5])
        if rows:
            lines.append(f"  {'where':<{w}}  {'component':<10} {'value':>11}")
        for r in rows:
            lines.append(f"  {r['name']:<{w}}  {r['component']:<10} {r['value']:>+11.5f}")
        f = self.fit
        if not fit:
            return "\n".join(lines)
        lines.append(
            f"fit: loss {f['loss']:.4e} = {f['ratio']:.3%} of the zero-output loss {f['zero_loss']:.4e}"
            + (f" (model alone: {f['model_only_loss']:.4e})" if f.get("model_only_loss") is not None else "")
        )
        return "\n".join(lines)

    def to_dict(self, threshold: float = 0.05) -> dict:
        """JSON-ready summary (no model, no snapshots)."""
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
