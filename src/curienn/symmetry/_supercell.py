"""Commensurate supercells of a parent lattice that match a child lattice.

Lattices are stored as rows (``L[i]`` is the i-th lattice vector, the ASE and
spglib convention). A supercell of the parent is an integer matrix ``S`` with
``det S = n > 0``: its lattice vectors are the rows of ``S @ L_parent``. The
child lattice is that supercell after a homogeneous deformation ``A``
(a 3x3 matrix acting on column vectors)::

    L_child[i] = A (S @ L_parent)[i]      i.e.   L_child^T = A (S L_parent)^T

``A = Q U`` (polar decomposition): ``Q`` a proper rotation, ``U`` symmetric
positive definite (the right stretch tensor, in the parent's frame).
:func:`supercell_candidates` enumerates every ``S`` with ``det S = n`` whose
supercell has the child's edge lengths within ``length_tol`` (relative) and
angles within ``angle_tol`` (degrees), sorted by the strain ``|U - 1|_F``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

__all__ = ["SupercellCandidate", "supercell_candidates", "polar_decomposition", "lattice_points_in_supercell"]


@dataclass(frozen=True, eq=False)
class SupercellCandidate:
    """One way to see the child lattice as a deformed parent supercell.

    ``supercell`` ``(3, 3)`` int (rows: child lattice vectors in parent
    fractional coordinates), ``deformation`` ``A``, ``rotation`` ``Q``,
    ``stretch`` ``U`` (``A = Q U``), ``strain_norm`` ``|U - 1|_F``.
    """

    supercell: np.ndarray
    deformation: np.ndarray
    rotation: np.ndarray
    stretch: np.ndarray
    strain_norm: float


def polar_decomposition(A) -> tuple[np.ndarray, np.ndarray]:
    """``A = Q U`` with ``Q`` orthogonal and ``U = (A^T A)^(1/2)`` symmetric
    positive semi-definite (through the SVD ``A = W S V^T``: ``Q = W V^T``,
    ``U = V S V^T``).

    >>> Q, U = polar_decomposition(np.diag([1.0, 1.0, 1.1]))
    >>> np.allclose(Q, np.eye(3)), np.allclose(U, np.diag([1.0, 1.0, 1.1]))
    (True, True)
    """
    W, s, Vt = np.linalg.svd(np.asarray(A, dtype=np.float64))
    Q = W @ Vt
    U = (Vt.T * s) @ Vt
    return Q, (U + U.T) / 2


def _vectors_near(lattice: np.ndarray, lengths: np.ndarray, length_tol: float) -> list[np.ndarray]:
    """For each target length, the integer vectors ``m`` with
    ``|m @ lattice|`` within ``length_tol`` (relative) of it."""
    rmax = float(lengths.max()) * (1 + length_tol)
    inv = np.linalg.inv(lattice)
    bound = np.ceil(rmax * np.linalg.norm(inv, axis=0)).astype(int)
    axes = [np.arange(-b, b + 1) for b in bound]
    m = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3)
    r = np.linalg.norm(m @ lattice, axis=1)
    return [m[np.abs(r - c) <= length_tol * c] for c in lengths]


def _angles(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    cos = np.einsum("...i,...i->...", u, v) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def supercell_candidates(parent_lattice, child_lattice, n: int, *, length_tol: float = 0.15,
                         angle_tol: float = 8.0) -> list[SupercellCandidate]:
    """Every integer ``S`` with ``det S = n`` that maps the parent lattice onto
    the child lattice up to a proper rotation and a strain within tolerance.

    Args:
        parent_lattice, child_lattice: ``(3, 3)``, rows are lattice vectors.
        n: the number of parent cells in the child cell (``det S``).
        length_tol: largest relative change of a child edge length.
        angle_tol: largest change of an angle between child edges (degrees).

    Returns:
        :class:`SupercellCandidate` s sorted by strain norm (then by ``S``).

    >>> c = supercell_candidates(np.eye(3), np.diag([2.0, 2.0, 2.1]), 8)
    >>> len(c), c[0].supercell.tolist(), round(c[0].strain_norm, 4)  # 24 orientations of the cube
    (24, [[-2, 0, 0], [0, -2, 0], [0, 0, 2]], 0.05)
    """
    Lp = np.asarray(parent_lattice, dtype=np.float64)
    Lc = np.asarray(child_lattice, dtype=np.float64)
    sign = int(np.sign(np.linalg.det(Lc)) * np.sign(np.linalg.det(Lp)))
    lengths = np.linalg.norm(Lc, axis=1)
    cand = _vectors_near(Lp, lengths, length_tol)
    if any(len(c) == 0 for c in cand):
        return []
    target = [_angles(Lc[1], Lc[2]), _angles(Lc[0], Lc[2]), _angles(Lc[0], Lc[1])]
    v0, v1, v2 = (c @ Lp for c in cand)
    ok01 = np.abs(_angles(v0[:, None], v1[None]) - target[2]) <= angle_tol
    ok02 = np.abs(_angles(v0[:, None], v2[None]) - target[1]) <= angle_tol
    ok12 = np.abs(_angles(v1[:, None], v2[None]) - target[0]) <= angle_tol
    out = []
    for i, j in zip(*np.nonzero(ok01)):
        ks = np.nonzero(ok02[i] & ok12[j])[0]
        if len(ks) == 0:
            continue
        S = np.stack([np.broadcast_to(cand[0][i], (len(ks), 3)), np.broadcast_to(cand[1][j], (len(ks), 3)),
                      cand[2][ks]], axis=1)
        det = np.rint(np.linalg.det(S)).astype(int)
        for s in S[det == sign * n]:
            out.append(_candidate(s, Lp, Lc))
    out.sort(key=lambda c: (round(c.strain_norm, 9), tuple(c.supercell.ravel())))
    return out


def _candidate(S, Lp, Lc) -> SupercellCandidate:
    M = S @ Lp
    A = Lc.T @ np.linalg.inv(M.T)
    Q, U = polar_decomposition(A)
    return SupercellCandidate(S.astype(np.int64), A, Q, U, float(np.linalg.norm(U - np.eye(3))))


def lattice_points_in_supercell(S) -> np.ndarray:
    """The ``|det S|`` integer vectors ``t`` (parent fractional coordinates)
    with ``t @ inv(S)`` in ``[0, 1)^3``: one representative of each parent
    lattice translation modulo the supercell lattice, sorted.

    >>> lattice_points_in_supercell([[1, 1, 0], [-1, 1, 0], [0, 0, 1]]).tolist()
    [[0, 0, 0], [0, 1, 0]]
    """
    S = np.asarray(S, dtype=np.int64)
    n = int(round(abs(np.linalg.det(S))))
    if n == 0:
        raise ValueError(f"supercell matrix {S.tolist()} is singular")
    corners = np.array(list(product((0, 1), repeat=3))) @ S
    lo, hi = corners.min(0), corners.max(0)
    grid = np.stack(np.meshgrid(*[np.arange(a, b + 1) for a, b in zip(lo, hi)], indexing="ij"), -1).reshape(-1, 3)
    f = grid @ np.linalg.inv(S.astype(np.float64))
    f = np.where(np.abs(f) < 1e-9, 0.0, f)
    keep = np.all((f >= 0) & (f < 1 - 1e-9), axis=1)
    pts = grid[keep]
    if len(pts) != n:  # pragma: no cover - a bug guard
        raise RuntimeError(f"found {len(pts)} lattice points in a supercell of index {n}")
    return pts[np.lexsort(pts.T[::-1])]
