r"""Evaluation of a trained argon model: test force RMSE, force RMSE on
configurations from the analytic MD trajectories ("MD region", where forces
are ~16x smaller than the dataset's std), and MD position/energy RMSDs.
"""

from __future__ import annotations

import torch

from ._dataset import ArgonData
from ._lj import lj_energy_forces
from ._md import PAPER_SEEDS, Trajectories, md_summary, run_samples
from ._model import ArgonForceModel
from ._train import force_rmse

__all__ = ["evaluate_argon"]


def evaluate_argon(model: ArgonForceModel, data: ArgonData, md_steps: int = 5000,
                   seeds=PAPER_SEEDS, integrator: str = "batched", md_stride: int = 10,
                   checkpoints=(100, 1000, 4000, 5000), progress: bool = False,
                   ) -> tuple[dict, Trajectories | None, Trajectories | None]:
    """Returns ``(summary, reference_trajectories, predicted_trajectories)``.

    ``summary`` holds ``test_rmse`` and ``md_region_rmse`` (eV/Å), the
    ``md_region_force_std`` (RMS LJ force component on the reference
    trajectories, every ``md_stride``-th frame) and, from :func:`md_summary`,
    the position and energy RMSDs at each step of ``checkpoints`` within
    ``md_steps`` (also per sample) and the energy drifts.
    """
    model = model.eval()
    summary = {
        "test_rmse": force_rmse(model, data.positions[data.test], data.forces[data.test]),
        "dataset_force_std": float(data.forces[data.test].square().mean().sqrt()),
        "n_test": int(len(data.test)),
    }
    if md_steps <= 0:
        return summary, None, None
    ref = run_samples(None, md_steps, seeds, integrator=integrator, progress=progress)
    pred = run_samples(model, md_steps, seeds, integrator=integrator, progress=progress)
    frames = torch.from_numpy(ref.positions[:, ::md_stride].reshape(-1, 4, 3).copy())
    _, f_md = lj_energy_forces(frames)
    summary["md_region_rmse"] = force_rmse(model, frames, f_md)
    summary["md_region_force_std"] = float(f_md.square().mean().sqrt())
    summary.update(md_summary(ref, pred, checkpoints))
    return summary, ref, pred
