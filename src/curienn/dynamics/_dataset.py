r"""Ma & Chan's 4-atom Lennard-Jones argon dataset (§4.1).

Each configuration: 4 atoms with coordinates drawn from ``Normal(0, 3 Å)``,
redrawn as a whole while any pair is closer than ``r_min = 2.8 Å``. Inputs are
the six relative vectors ``r_ij = r_j - r_i`` for the pairs
``(1,2), (1,3), (1,4), (2,3), (2,4), (3,4)``, stored as the columns of a
``(3, 6)`` matrix; targets are the four forces as the columns of a ``(3, 4)``
matrix. Each is divided by one scalar scale (the RMS of its components over
the training split: a per-axis scale would break rotation equivariance).
The split is 60/20/20 by a seeded permutation.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

import numpy as np
import torch

from curienn.io import load_checkpoint, save_checkpoint

from ._lj import ARGON_EPSILON, ARGON_SIGMA, lj_energy_forces

#: the ``kind`` stamped into saved datasets
DATASET_KIND = "argon-dataset"

__all__ = ["PAIRS", "relative_vectors", "sample_positions", "ArgonData", "make_argon_dataset"]

#: atom pairs (i, j), 0-based, in the order of the input columns
PAIRS: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))


def relative_vectors(positions: torch.Tensor) -> torch.Tensor:
    r"""``(..., 4, 3)`` positions -> ``(..., 3, 6)`` relative vectors ``r_j - r_i`` (columns)."""
    if positions.shape[-2:] != (4, 3):
        raise ValueError(f"positions must have shape (..., 4, 3), got {tuple(positions.shape)}")
    i = torch.tensor([p[0] for p in PAIRS], device=positions.device)
    j = torch.tensor([p[1] for p in PAIRS], device=positions.device)
    return (positions[..., j, :] - positions[..., i, :]).transpose(-1, -2)


def sample_positions(n: int, seed: int = 0, std: float = 3.0, r_min: float = 2.8,
                     n_atoms: int = 4) -> np.ndarray:
    r"""``n`` configurations ``(n, n_atoms, 3)`` (Å, float64), seeded, by whole-configuration
    rejection of any pair closer than ``r_min``."""
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if std <= 0 or r_min < 0:
        raise ValueError(f"need std > 0 and r_min >= 0, got std={std!r}, r_min={r_min!r}")
    rng = np.random.default_rng(seed)
    iu = np.triu_indices(n_atoms, 1)
    out, have = [], 0
    while have < n:
        m = max(1024, int(1.6 * (n - have)))
        pos = rng.normal(0.0, std, size=(m, n_atoms, 3))
        d = np.linalg.norm(pos[:, :, None, :] - pos[:, None, :, :], axis=-1)[:, iu[0], iu[1]]
        ok = pos[(d >= r_min).all(axis=1)]
        out.append(ok)
        have += len(ok)
    return np.concatenate(out)[:n]


@dataclass
class ArgonData:
    r"""Positions, LJ forces and energies, with the split and the scalar scales.

    Attributes: ``positions`` ``(N, 4, 3)`` Å, ``forces`` ``(N, 4, 3)`` eV/Å,
    ``energies`` ``(N,)`` eV (all float64); ``train``, ``val``, ``test`` index
    tensors; ``x_scale`` (Å) and ``y_scale`` (eV/Å).
    """

    positions: torch.Tensor
    forces: torch.Tensor
    energies: torch.Tensor
    train: torch.Tensor
    val: torch.Tensor
    test: torch.Tensor
    x_scale: float
    y_scale: float
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return self.positions.shape[0]

    def inputs(self, idx=None, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """Scaled network inputs ``(B, 3, 6)``."""
        pos = self.positions if idx is None else self.positions[idx]
        return (relative_vectors(pos) / self.x_scale).to(dtype)

    def targets(self, idx=None, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """Scaled network targets ``(B, 3, 4)`` (the forces as columns)."""
        f = self.forces if idx is None else self.forces[idx]
        return (f.transpose(-1, -2) / self.y_scale).to(dtype)

    def fingerprint(self) -> str:
        """A SHA-256 (16 hex digits) of the positions, forces and split: two
        datasets with the same fingerprint are the same data. Checkpoints
        record it, so a run is not resumed on other data by mistake."""
        h = hashlib.sha256()
        for t in (self.positions, self.forces, self.train, self.val, self.test):
            h.update(str(tuple(t.shape)).encode())
            h.update(t.detach().cpu().contiguous().numpy().tobytes())
        return h.hexdigest()[:16]

    def state_dict(self) -> dict:
        return {k: getattr(self, k) for k in
                ("positions", "forces", "energies", "train", "val", "test", "x_scale", "y_scale", "meta")}

    def save(self, path: str | os.PathLike) -> None:
        """Write atomically, stamped as an ``"argon-dataset"`` (:func:`curienn.io.save_checkpoint`)."""
        save_checkpoint(path, self.state_dict(), kind=DATASET_KIND)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "ArgonData":
        """Read a dataset written by :meth:`save`; a file that is not one raises
        :class:`curienn.io.CheckpointError` naming it."""
        keys = ("positions", "forces", "energies", "train", "val", "test", "x_scale", "y_scale", "meta")
        d = load_checkpoint(path, kind=DATASET_KIND, required=keys)
        return cls(**{k: d[k] for k in keys})


def make_argon_dataset(
    n: int = 100_000,
    seed: int = 0,
    std: float = 3.0,
    r_min: float = 2.8,
    split: tuple[float, float, float] = (0.6, 0.2, 0.2),
    epsilon: float = ARGON_EPSILON,
    sigma: float = ARGON_SIGMA,
) -> ArgonData:
    r"""The paper's dataset: ``n`` seeded configurations, untruncated LJ forces,
    a seeded ``split`` (fractions summing to 1), scales from the training split."""
    if len(split) != 3 or min(split) < 0 or abs(sum(split) - 1) > 1e-9:
        raise ValueError(f"split must be three fractions summing to 1, got {split!r}")
    pos = torch.from_numpy(sample_positions(n, seed, std, r_min))
    energies, forces = lj_energy_forces(pos, epsilon, sigma)
    perm = torch.from_numpy(np.random.default_rng(seed + 1).permutation(n))
    n_train, n_val = int(round(split[0] * n)), int(round(split[1] * n))
    train, val, test = perm[:n_train], perm[n_train:n_train + n_val], perm[n_train + n_val:]
    if len(train) == 0:
        raise ValueError(f"the training split is empty for n={n!r}, split={split!r}")
    x_scale = float(relative_vectors(pos[train]).square().mean().sqrt())
    y_scale = float(forces[train].square().mean().sqrt())
    meta = dict(n=n, seed=seed, std=std, r_min=r_min, split=list(split), epsilon=epsilon, sigma=sigma)
    return ArgonData(pos, forces, energies, train, val, test, x_scale, y_scale, meta)
