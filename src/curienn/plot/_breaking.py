"""Figures of the order-parameter search (:mod:`curienn.breaking`), with matplotlib.

* :func:`plot_loss_history` -- data loss per step, phases marked, optional floor;
* :func:`plot_components` -- the learned components (bar chart per group);
* :func:`plot_signal_evolution` -- the papers' Fig. 2/3: the learned input signal
  and the output signals on the points at the start, middle and end of the
  order-parameter phase;
* :func:`plot_pseudovectors` -- learned (and target) rotation pseudovectors on
  the B sites of a perovskite cell;
* :func:`breaking_figures` -- all of them for a :class:`curienn.breaking.SearchReport`.

Each returns the figure and saves it when ``path`` is given.
"""

from __future__ import annotations

import os
from typing import Optional, Sequence

import numpy as np

from ._mpl import pyplot, save
from ._spherical import plot_point_signals, plot_signal

__all__ = ["plot_loss_history", "plot_components", "plot_signal_evolution", "plot_pseudovectors",
           "plot_breaking_report", "breaking_figures"]


def plot_loss_history(history: Sequence[dict], path=None, floor: Optional[float] = None,
                      zero_loss: Optional[float] = None, title: str = "order-parameter search"):
    """Data loss per step (log scale), the model-only phase shaded."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    steps = np.array([h["step"] for h in history])
    loss = np.array([h["loss"] for h in history])
    ax.semilogy(steps, loss, "-", color="C0", label="data loss")
    pen = np.array([h.get("penalty", 0.0) for h in history])
    if pen.any():
        ax.semilogy(steps[pen > 0], pen[pen > 0], "--", color="C2", label="penalty")
    model_steps = [h["step"] for h in history if h["phase"] == "model"]
    if model_steps:
        ax.axvspan(min(model_steps), max(model_steps) + 1, color="0.9", label="model only")
    if floor is not None:
        ax.axhline(floor, color="C3", ls=":", label=f"Curie floor {floor:.4g}")
    if zero_loss is not None:
        ax.axhline(zero_loss, color="0.4", ls="-.", lw=0.8, label=f"zero output {zero_loss:.4g}")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, path, bbox_inches="tight")


def plot_components(labels: Sequence[str], values, names: Sequence[str], path=None, threshold: float = 0.05):
    """Bar chart of the learned components (``values`` ``(G, D)``); components below
    ``threshold`` x max in every group are left out."""
    plt = pyplot()
    v = np.atleast_2d(np.asarray(values, dtype=np.float64))
    vmax = np.abs(v).max() if v.size else 0.0
    keep = [c for c in range(v.shape[1]) if vmax > 0 and np.abs(v[:, c]).max() >= threshold * vmax]
    fig, ax = plt.subplots(figsize=(max(4, 0.5 * len(keep) * max(1, min(v.shape[0], 4)) + 2), 3.4))
    if keep:
        G = v.shape[0]
        show = list(range(min(G, 12)))
        width = 0.8 / len(show)
        for k, g in enumerate(show):
            ax.bar(np.arange(len(keep)) + k * width, v[g, keep], width, label=names[g])
        ax.set_xticks(np.arange(len(keep)) + 0.4 - width / 2)
        ax.set_xticklabels([labels[c] for c in keep], rotation=45, ha="right")
        if len(show) > 1:
            ax.legend(fontsize=6, ncol=2)
    else:
        ax.text(0.5, 0.5, "all components zero", ha="center", transform=ax.transAxes)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylabel("learned value")
    ax.set_title("learned order parameter")
    fig.tight_layout()
    return save(fig, path, bbox_inches="tight")


def _pick_snapshots(snapshots, phase="joint"):
    joint = [s for s in snapshots if s["phase"] in (phase, "final", "done")]
    if len(joint) < 3:
        joint = list(snapshots)
    if not joint:
        return []
    idx = sorted({0, len(joint) // 2, len(joint) - 1})
    return [joint[i] for i in idx]


def plot_signal_evolution(snapshots, positions, op_irreps: str, out_lmax: int, path=None,
                          normalization_note: str = ""):
    """The papers' Fig. 2/3: for the start, middle and end of the order-parameter
    phase, the learned global input signal (top) and the output signals at the
    points (bottom), drawn as surfaces :math:`|f(\\hat x)|\\hat x` coloured by f."""
    plt = pyplot()
    snaps = _pick_snapshots(snapshots)
    fig = plt.figure(figsize=(4 * len(snaps), 7.5))
    pos = np.asarray(positions, dtype=np.float64)
    for k, s in enumerate(snaps):
        ax = fig.add_subplot(2, len(snaps), k + 1, projection="3d")
        v = np.asarray(s["values"])[0] if np.asarray(s["values"]).size else None
        if v is not None and np.abs(v).max() > 0:
            plot_signal(v, op_irreps, ax=ax, res=40, axes=False,
                        title=f"input order parameter, step {s['step']}")
        else:
            ax.set_title(f"input order parameter = 0, step {s['step']}", fontsize=9)
            ax.set_axis_off()
        ax2 = fig.add_subplot(2, len(snaps), len(snaps) + k + 1, projection="3d")
        plot_point_signals(pos, np.asarray(s["output"]), out_lmax, ax=ax2, res=24, axes=False, edges=True,
                           title=f"output signals, step {s['step']}")
        try:
            ax2.view_init(elev=90, azim=-90, vertical_axis="y")
            ax.view_init(elev=90, azim=-90, vertical_axis="y")
        except TypeError:  # older matplotlib
            pass
    fig.suptitle("evolution of the learned input and the output" + normalization_note)
    return save(fig, path, bbox_inches="tight")


def plot_pseudovectors(b_positions, omega, path=None, target_omega=None, title: str = "B-site pseudovectors"):
    """3D arrows of the learned (and target, scaled to the same norm) pseudovectors."""
    plt = pyplot()
    P = np.asarray(b_positions, dtype=np.float64)
    w = np.asarray(omega, dtype=np.float64)
    fig = plt.figure(figsize=(5.5, 5))
    ax = fig.add_subplot(111, projection="3d")
    span = np.ptp(P, axis=0).max() or 1.0
    s = 0.35 * span / (np.linalg.norm(w, axis=1).max() or 1.0)
    ax.scatter(*P.T, color="k", s=20)
    ax.quiver(*P.T, *(s * w).T, color="C3", label="learned 1e")
    if target_omega is not None:
        t = np.asarray(target_omega, dtype=np.float64)
        st = 0.35 * span / (np.linalg.norm(t, axis=1).max() or 1.0)
        sign = np.sign((w * t).sum()) or 1.0
        ax.quiver(*P.T, *(sign * st * t).T, color="C0", alpha=0.5, label="target tilts")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return save(fig, path, bbox_inches="tight")


def plot_breaking_report(outdir, result, *, positions=None, floor=None, out_lmax=None, tilts=None) -> list[str]:
    """Write the standard figures of a search into ``outdir``; returns the paths."""
    plt = pyplot()
    paths = []
    p = os.path.join(outdir, "loss.png")
    plt.close(plot_loss_history(result.history, p, floor=floor, zero_loss=result.fit.get("zero_loss")))
    paths.append(p)
    if result.values.size:
        p = os.path.join(outdir, "components.png")
        plt.close(plot_components(result.labels, result.values, result.layout.names, p))
        paths.append(p)
    if positions is not None and out_lmax is not None and result.layout.names == ["global"]:
        p = os.path.join(outdir, "evolution.png")
        plt.close(plot_signal_evolution(result.snapshots, positions, result.irreps, out_lmax, p))
        paths.append(p)
    if tilts is not None:
        p = os.path.join(outdir, "pseudovectors.png")
        plt.close(plot_pseudovectors(tilts["b_positions"], tilts["omega"], p, tilts.get("target_omega")))
        paths.append(p)
    return paths


def breaking_figures(report, outdir) -> list[str]:
    """The figures of a :class:`curienn.breaking.SearchReport` into ``outdir``:
    the loss, the components, the signal evolution (a global order parameter with
    a projection target) and the tilt pseudovectors (perovskites). Pass it to
    ``report.write(outdir, figures=breaking_figures)``. Returns the paths."""
    problem, interp = report.problem, report.interpretation
    tilts = None
    if "tilts" in interp:
        tilts = {"b_positions": interp["tilts"]["b_positions"], "omega": interp["tilts"]["omega"]}
    return plot_breaking_report(outdir, report.result, positions=problem.positions,
                                floor=(problem.floor or {}).get("floor"), out_lmax=problem.out_lmax, tilts=tilts)
