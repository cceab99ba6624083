"""Argon with Ma & Chan's unitary-equivariant network, in a few lines.

Generates a small version of the paper's dataset, trains for a minute with
Adam, checks O(3) equivariance of the trained model, and runs 1,000 MD steps
against analytic Lennard-Jones. For the full study use ``curienn argon report``
or ``python benchmarks/argon.py``.

    python examples/argon.py
"""

import torch

from curienn.dynamics import (
    TrainConfig, energy_rmsd, force_rmse, make_argon_dataset, position_rmsd, run_samples, train_argon,
)

torch.set_num_threads(1)
data = make_argon_dataset(20_000, seed=0)
result = train_argon(data, TrainConfig(max_seconds=60, eval_every=200))
model = result.model
print(f"{result.steps} Adam steps; test force RMSE "
      f"{force_rmse(model, data.positions[data.test], data.forces[data.test]):.4f} eV/Å")

# equivariance: rotate and invert the atoms, the forces follow
pos = data.positions[data.test[:8]].float()
Q, _ = torch.linalg.qr(torch.randn(3, 3))
Q = -Q if torch.det(Q) > 0 else Q  # an improper orthogonal matrix
with torch.no_grad():
    err = (model.forces(pos @ Q.T) - model.forces(pos) @ Q.T).abs().max().item()
print(f"max |F(Qr) - Q F(r)| = {err:.1e} eV/Å (float32)")

ref = run_samples(None, n_steps=1000)
pred = run_samples(model, n_steps=1000)
print(f"after 1000 MD steps: position RMSD {position_rmsd(ref.positions, pred.positions)[-1]:.3f} Å, "
      f"energy RMSD {energy_rmsd(ref.energies(), pred.energies())[-1]:.2e} eV")
