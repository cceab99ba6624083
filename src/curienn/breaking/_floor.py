r"""The Curie floor: the smallest loss any equivariant model can reach when nothing
breaks the input's symmetry.

Let ``G`` be the symmetry group of the input (the point group of a finite input,
the space group of a crystal in its cell, species included), acting on per-point
fields by :math:`(T_g\, y)_{g\cdot i} = D(g)\, y_i`. An equivariant model with
nothing to break the symmetry outputs a **G-invariant field**, :math:`T_g y = y`
for every ``g``: not only is each :math:`y_i` invariant under its point's
stabiliser, the points of one orbit carry images of one value. The invariant
fields are the range of the projector

.. math::

    P = \frac{1}{|G|} \sum_{g \in G} T_g ,

so for the MSE over the :math:`N \times D` entries the best such output is
:math:`P t` and

.. math::

    L_{\min} = \frac{1}{N D} \lVert (1 - P)\, t \rVert^2 .

For the L1 loss the best invariant field solves a small linear programme
(:func:`scipy.optimize.linprog` over a basis of the invariant fields).

Examples: the square -> rectangle problem, each corner's stabiliser
:math:`\{E, \sigma_d, \sigma_h, C_2'\}` maps :math:`\vec\Delta \to -\vec\Delta`, which
kills every odd-:math:`l` part of the projected target: :math:`L_{\min} = \frac{21}{36}`
of the zero-output loss at ``lmax = 5``. Methane with one long C-H bond: the four
H form one orbit, the best invariant output stretches each bond by a quarter,
:math:`L_{\min} = \frac34` of the zero-output loss.
"""

from __future__ import annotations

import numpy as np

from curienn.o3 import Irreps
from curienn.symmetry import representation_matrices, site_group

__all__ = ["curie_floor"]


def _invariant_basis(t: np.ndarray, D: np.ndarray, perms: np.ndarray) -> np.ndarray:
    """Orthonormal basis ``(N D, r)`` of the G-invariant fields."""
    n, d = t.shape
    basis = []
    for i in range(n):
        if np.any(perms[:, i] < i):  # not the first point of its orbit
            continue
        stab = np.nonzero(perms[:, i] == i)[0]
        w, V = np.linalg.eigh(D[stab].mean(axis=0) + D[stab].mean(axis=0).T)
        for v in V[:, w > 1.0].T:  # the stabiliser's fixed vectors (eigenvalue 2 of P + P^T)
            y = np.zeros((n, d))
            np.add.at(y, perms[:, i], np.einsum("gij,j->gi", D, v))
            basis.append(y.reshape(-1) / np.linalg.norm(y))
    return np.array(basis).T if basis else np.zeros((n * d, 0))


def curie_floor(positions, target, target_irreps: str, species=None, *, cell=None, pbc=None,
                loss: str = "mse", features=None, symprec: float = 1e-4, tol: float = 1e-6) -> dict:
    """The Curie floor of a finite or periodic input (see the module docstring).

    Args:
        positions: ``(N, 3)``; target: ``(N, D)`` with irreps ``target_irreps``.
        species: ``N`` labels (points of different species are never exchanged).
        cell, pbc: the lattice (rows) of a crystal.
        loss: ``"mse"`` or ``"l1"`` (mean over all entries, as the search).
        features: further fixed per-point scalar inputs ``(N, F)``.
        symprec: spglib's tolerance (A) for a crystal; tol: a finite input's,
            relative to its size. A crystal given in a cell less symmetric than
            itself is tiled until every operation maps the cell onto itself
            (:func:`curienn.symmetry.site_group`); the floor is the same per point.

    Returns ``{"floor", "zero_loss", "ratio", "group", "order", "loss",
    "stabilisers"}`` (``ratio`` = floor / zero-output loss, ``nan`` for a zero
    target; ``order``: operations used; ``stabilisers``: each point's
    stabiliser order).
    """
    pos = np.asarray(positions, dtype=np.float64)
    t = np.asarray(target, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] != pos.shape[0]:
        raise ValueError(f"target must have shape ({pos.shape[0]}, D), got {t.shape}")
    if t.shape[1] != Irreps(target_irreps).dim:
        raise ValueError(f"target has {t.shape[1]} columns, irreps {target_irreps} need {Irreps(target_irreps).dim}")
    if loss not in ("mse", "l1"):
        raise ValueError(f"loss must be 'mse' or 'l1', got {loss!r}")
    labels = list(species) if species is not None else ["*"] * len(pos)
    if features is not None:  # points with different fixed inputs are never exchanged
        f = np.round(np.asarray(features, dtype=np.float64).reshape(len(pos), -1), 9)
        labels = [f"{s}|{tuple(row)}" for s, row in zip(labels, f)]
    periodic = cell is not None and (pbc is None or bool(np.any(pbc)))
    sg = site_group(np.asarray(cell, dtype=np.float64) if periodic else None, pos, labels, symprec=symprec,
                    tol=tol * (float(np.abs(pos - pos.mean(0)).max()) or 1.0))
    group, perms = sg.group, sg.permutations
    D = representation_matrices(target_irreps, sg.rotations)
    t = sg.tile(t)
    if loss == "mse":
        Pt = np.zeros_like(t)
        for Dg, perm in zip(D, perms):
            Pt[perm] += t @ Dg.T
        Pt /= len(perms)
        floor = float(((t - Pt) ** 2).mean())
        zero = float((t ** 2).mean())
    else:
        floor, zero = _l1_floor(t, D, perms), float(np.abs(t).mean())
    name = getattr(group, "name", str(group))
    return {"floor": floor, "zero_loss": zero, "ratio": floor / zero if zero > 0 else float("nan"),
            "group": name, "order": len(perms), "loss": loss,
            "stabilisers": [int(np.sum(perms[:, i] == i)) for i in range(len(pos))]}


def _l1_floor(t: np.ndarray, D: np.ndarray, perms: np.ndarray) -> float:
    """min over invariant fields y of mean |y - t| (a linear programme)."""
    from scipy.optimize import linprog

    B = _invariant_basis(t, D, perms)
    b = t.reshape(-1)
    if B.shape[1] == 0:
        return float(np.abs(b).mean())
    m, r = B.shape
    # variables (c (r), s (m)): minimise sum s subject to -s <= B c - b <= s
    cost = np.concatenate([np.zeros(r), np.ones(m)])
    A = np.block([[B, -np.eye(m)], [-B, -np.eye(m)]])
    res = linprog(cost, A_ub=A, b_ub=np.concatenate([b, -b]), bounds=[(None, None)] * r + [(0, None)] * m,
                  method="highs")
    if not res.success:  # pragma: no cover - the problem is always feasible and bounded
        raise RuntimeError(f"the L1 Curie floor's linear programme failed: {res.message}")
    return float(res.fun / m)
