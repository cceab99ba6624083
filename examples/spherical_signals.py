"""Geometric tensors: Cartesian tensors as irreps, signals on the sphere, and the papers'
point-cloud projection with its figures.

    python examples/spherical_signals.py [--out examples_out/spherical_signals]

1. The elasticity tensor C_ijkl = C_jikl = C_klij has 21 independent numbers:
   2x0e + 2x2e + 1x4e; rotating C equals acting with D(R) on its irreps.
2. A tetrahedron projected onto spherical harmonics (L <= 5) around its centre: the signal
   equals the distance to each vertex in its direction (Smidt et al., Eq. 17 rescaled), and
   peak finding recovers the vertices.
3. Figures: the projection (as the papers' Fig. 1) and a per-vertex projection, in ``--out``.
"""

import argparse
import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from curienn.io import CartesianTensor, SphericalTensor, points_from_signal, project_point_cloud  # noqa: E402
from curienn.o3 import rand_matrix  # noqa: E402
from curienn.plot import plot_point_signals, plot_signal  # noqa: E402

torch.set_default_dtype(torch.float64)
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", default="examples_out/spherical_signals", help="output folder for the figures")
out_dir = parser.parse_args().out
os.makedirs(out_dir, exist_ok=True)

# 1. elasticity
ct = CartesianTensor("ijkl=jikl=klij")
C = ct.to_cartesian(torch.randn(ct.dim))  # a random tensor with the symmetries
R = -rand_matrix()  # an improper rotation
C_rot = torch.einsum("ai,bj,ck,dl,ijkl->abcd", R, R, R, R, C)
err = (ct.from_cartesian(C_rot) - ct.D_from_matrix(R) @ ct.from_cartesian(C)).abs().max()
print(f"elasticity: {ct} ({ct.dim} numbers); equivariance error {err:.1e}")

# 2. projection of a tetrahedron and its inverse
tetrahedron = torch.tensor([[1.0, 1.0, 1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]])
lmax = 5
signal = project_point_cloud(tetrahedron, lmax)
st = SphericalTensor(lmax, 1, -1)
print("signal at the vertices:", st.signal_xyz(signal, tetrahedron).tolist(), "(lengths sqrt(3))")
recovered = points_from_signal(signal, lmax)
error = torch.cdist(tetrahedron, recovered).min(dim=1).values.max()
print(f"recovered {len(recovered)} points, largest error {error:.1e}")

# 3. figures
fig = plt.figure(figsize=(10, 5))
ax = fig.add_subplot(1, 2, 1, projection="3d")
ax.scatter(*tetrahedron.T.numpy(), color="k", s=40)
ax.scatter([0], [0], [0], color="r", s=40)
ax.set_title("tetrahedron and origin")
plot_signal(signal, lmax, ax=fig.add_subplot(1, 2, 2, projection="3d"), title=f"projection, L <= {lmax}")
fig.savefig(os.path.join(out_dir, "tetrahedron_projection.png"), dpi=120, bbox_inches="tight")

per_vertex = torch.stack([project_point_cloud(tetrahedron, 4, origin=p) for p in tetrahedron])
plot_point_signals(tetrahedron, per_vertex, 4, edges=True, title="each vertex sees the others",
                   path=os.path.join(out_dir, "tetrahedron_vertex_signals.png"))
print("figures written to", os.path.abspath(out_dir))
