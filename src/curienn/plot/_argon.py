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
    "plot_atom_x", "plot_sample_energy", "plot_argon_report",
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


def plot_position_rmsd(rmsd: np.ndarray, path=None):
    """Position RMSD (Å) against MD step (Fig. 4)."""
    fig, ax = _figure()
    ax.plot(np.arange(len(rmsd)), rmsd)
    ax.set_xlabel("MD step (1 fs)")
    ax.set_ylabel("position RMSD (Å)")
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


def plot_argon_report(outdir, history, test_true, test_pred, ref, pred, test_rmse=None) -> list[str]:
    """All six figures into ``outdir``; ``ref``/``pred`` are
    :class:`~curienn.dynamics.Trajectories`. Returns the file names."""
    plt = pyplot()
    os.makedirs(outdir, exist_ok=True)
    e_ref, e_pred = ref.energies(), pred.energies()
    figs = {
        "loss.png": lambda p: plot_loss_curves(history, p),
        "force_parity.png": lambda p: plot_force_parity(test_true, test_pred, p, test_rmse),
        "position_rmsd.png": lambda p: plot_position_rmsd(position_rmsd(ref.positions, pred.positions), p),
        "atom1_x.png": lambda p: plot_atom_x(ref.positions, pred.positions, p),
        "energy_rmsd.png": lambda p: plot_energy_rmsd(energy_rmsd(e_ref, e_pred), p),
        "sample1_energy.png": lambda p: plot_sample_energy(e_ref, e_pred, p),
    }
    names = []
    for name, draw in figs.items():
        fig = draw(os.path.join(outdir, name))
        plt.close(fig)
        names.append(name)
    return names
