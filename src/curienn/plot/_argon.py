r"""Figures of the argon study (Ma & Chan, Figs. 2-7), with matplotlib.

Each function draws on a fresh figure, saves it when ``path`` is given, and
returns the ``Figure``.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from curienn.dynamics import energy_rmsd, position_rmsd

from ._mpl import pyplot, save

__all__ = [
    "plot_loss_curves", "plot_force_parity", "plot_position_rmsd", "plot_energy_rmsd",
    "plot_atom_x", "plot_sample_energy", "plot_argon_report", "plot_rmse_curves", "plot_md_report",
]


def _figure():
    return pyplot().subplots(figsize=(5.0, 3.6), constrained_layout=True)


def plot_loss_curves(history: Sequence[dict], path=None, label: str = ""):
    """Training and validation loss (scaled MSE) against step (Fig. 2)."""
    if not history:
        raise ValueError("history is empty: nothing to plot")
    fig, ax = _figure()
    steps = [h["step"] for h in history]
    ax.loglog(steps, [h["train_loss"] for h in history], label=f"train {label}".strip())
    ax.loglog(steps, [h["val_loss"] for h in history], label=f"validation {label}".strip())
    ax.set_xlabel("step")
    ax.set_ylabel("loss (scaled MSE)")
    ax.legend()
    return save(fig, path)


def plot_force_parity(true: np.ndarray, pred: np.ndarray, path=None, rmse: float | None = None):
    """Predicted against analytic force components (Fig. 3); arrays of any equal shape, eV/Å."""
    true, pred = np.asarray(true).ravel(), np.asarray(pred).ravel()
    if true.shape != pred.shape:
        raise ValueError(f"true and pred differ in size: {true.size} vs {pred.size}")
    fig, ax = _figure()
    ax.plot(true, pred, ".", ms=1.5, alpha=0.5)
    lim = [min(true.min(), pred.min()), max(true.max(), pred.max())]
    ax.plot(lim, lim, "k-", lw=0.6)
    ax.set_xlabel("LJ force component (eV/Å)")
    ax.set_ylabel("predicted (eV/Å)")
    if rmse is not None:
        ax.set_title(f"test RMSE {rmse:.4g} eV/Å")
    return save(fig, path)


def plot_position_rmsd(rmsd: np.ndarray, path=None, per_sample: np.ndarray | None = None,
                       threshold: float | None = None):
    """Position RMSD (Å) against MD step (Fig. 4); optionally each sample's
    RMSD ``(S, T)`` as thin lines and a horizontal ``threshold``."""
    fig, ax = _figure()
    if per_sample is not None:
        for k, row in enumerate(np.asarray(per_sample)):
            ax.plot(np.arange(len(row)), row, lw=0.5, alpha=0.6, color="0.5", label="samples" if k == 0 else None)
    ax.plot(np.arange(len(rmsd)), rmsd, label="RMSD over samples (Eq. 48)")
    if threshold is not None:
        ax.axhline(threshold, color="k", ls=":", lw=0.8, label=f"{threshold:g} Å")
    ax.set_xlabel("MD step (1 fs)")
    ax.set_ylabel("position RMSD (Å)")
    if per_sample is not None or threshold is not None:
        ax.set_yscale("log")
        ax.legend()
    return save(fig, path)


def plot_energy_rmsd(rmsd: np.ndarray, path=None):
    """Total-energy RMSD (eV) against MD step (Fig. 6)."""
    fig, ax = _figure()
    ax.plot(np.arange(len(rmsd)), rmsd)
    ax.set_xlabel("MD step (1 fs)")
    ax.set_ylabel("energy RMSD (eV)")
    return save(fig, path)


def plot_atom_x(ref_positions: np.ndarray, pred_positions: np.ndarray, path=None, sample: int = 0,
                atom: int = 0):
    """x(t) of one atom, analytic and predicted (Fig. 5); positions ``(S, T, N, 3)``."""
    fig, ax = _figure()
    ax.plot(ref_positions[sample, :, atom, 0], label="analytic (LJ)")
    ax.plot(pred_positions[sample, :, atom, 0], "--", label="predicted (network)")
    ax.set_xlabel("MD step (1 fs)")
    ax.set_ylabel(f"x of atom {atom + 1} (Å)")
    ax.legend()
    return save(fig, path)


def plot_sample_energy(ref_energy: np.ndarray, pred_energy: np.ndarray, path=None, sample: int = 0):
    """Total energy of one sample, analytic and predicted trajectories (Fig. 7); ``(S, T)`` eV."""
    fig, ax = _figure()
    ax.plot(ref_energy[sample], label="analytic (LJ)")
    ax.plot(pred_energy[sample], "--", label="predicted (network)")
    ax.set_xlabel("MD step (1 fs)")
    ax.set_ylabel("total energy (eV)")
    ax.legend()
    return save(fig, path)


def _draw_all(outdir, figs: dict) -> list[str]:
    plt = pyplot()
    os.makedirs(outdir, exist_ok=True)
    names = []
    for name, draw in figs.items():
        fig = draw(os.path.join(outdir, name))
        plt.close(fig)
        names.append(name)
    return names


def _md_figures(ref, pred) -> dict:
    e_ref, e_pred = ref.energies(), pred.energies()
    per_sample = position_rmsd(ref.positions, pred.positions, per_sample=True)
    return {
        "position_rmsd.png": lambda p: plot_position_rmsd(position_rmsd(ref.positions, pred.positions), p,
                                                          per_sample=per_sample, threshold=0.1),
        "atom1_x.png": lambda p: plot_atom_x(ref.positions, pred.positions, p),
        "energy_rmsd.png": lambda p: plot_energy_rmsd(energy_rmsd(e_ref, e_pred), p),
        "sample1_energy.png": lambda p: plot_sample_energy(e_ref, e_pred, p),
    }


def plot_md_report(outdir, ref, pred) -> list[str]:
    """The MD figures (Figs. 4-7) into ``outdir``; ``ref``/``pred`` are
    :class:`~curienn.dynamics.Trajectories`. Returns the file names."""
    return _draw_all(outdir, _md_figures(ref, pred))


def plot_argon_report(outdir, history, test_true, test_pred, ref, pred, test_rmse=None) -> list[str]:
    """All six figures (Figs. 2-7) into ``outdir``; ``ref``/``pred`` are
    :class:`~curienn.dynamics.Trajectories`. Returns the file names."""
    figs = {
        "loss.png": lambda p: plot_loss_curves(history, p),
        "force_parity.png": lambda p: plot_force_parity(test_true, test_pred, p, test_rmse),
        **_md_figures(ref, pred),
    }
    return _draw_all(outdir, figs)


def plot_rmse_curves(curves: dict, path=None, target: float | None = 0.00118):
    """Test force RMSE (eV/Å) against wall time and against steps, one line per
    run: ``curves`` maps a label to a list of ``(step, seconds, rmse)``;
    ``target`` draws the paper's value."""
    if not curves:
        raise ValueError("no curves to plot")
    fig, (a1, a2) = pyplot().subplots(1, 2, figsize=(9.0, 3.6), constrained_layout=True, sharey=True)
    for label, rows in curves.items():
        rows = [r for r in rows if r[2] is not None and r[2] > 0]
        if not rows:
            continue
        steps, secs, rmse = zip(*rows)
        a1.plot(np.asarray(secs) / 60.0, rmse, label=label)
        a2.plot(np.maximum(steps, 1), rmse, label=label)
    for ax in (a1, a2):
        if target is not None:
            ax.axhline(target, color="k", ls=":", lw=0.8, label="paper (0.00118)" if ax is a1 else None)
        ax.set_yscale("log")
    a2.set_xscale("log")
    a1.set_xlabel("wall time (min)")
    a2.set_xlabel("training step")
    a1.set_ylabel("test force RMSE (eV/Å)")
    a1.legend(fontsize=7)
    return save(fig, path)
