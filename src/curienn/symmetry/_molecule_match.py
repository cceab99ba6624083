"""Match a distorted molecule (a finite point set) onto its parent.

Both are compared about their centroids (so a translated copy matches). The
rigid rotation is found by trying every way to put two anchor atoms of the
child (of the rarest species, far from the centroid, not collinear with it)
onto two parent atoms of the same species at the same distances from the
centroid; each trial alternates a species-aware assignment
(:func:`scipy.optimize.linear_sum_assignment`) with a Kabsch fit of the
proper rotation until the assignment is stable. The trial with the smallest
sum of squared displacements wins (ties to the first).
"""

from __future__ import annotations

import numpy as np

from ._match_result import StructureMatch, check_displacements
from ._structure import Structure

__all__ = ["match_molecules", "kabsch"]


def kabsch(P, Q) -> np.ndarray:
    r"""The proper rotation ``R`` minimising :math:`\sum_i |R p_i - q_i|^2`
    (Kabsch): with ``H = P^T Q = W S V^T``,
    ``R = V diag(1, 1, det(V W^T)) W^T``. ``P``, ``Q``: ``(N, 3)``, centred.

    >>> R = np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])
    >>> P = np.array([[1.0, 0, 0], [0, 2, 0], [0, 0, 3]])
    >>> np.allclose(kabsch(P, P @ R.T), R)
    True
    """
    H = np.asarray(P, dtype=np.float64).T @ np.asarray(Q, dtype=np.float64)
    W, _, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(Vt.T @ W.T)) or 1.0
    return Vt.T @ np.diag([1.0, 1.0, d]) @ W.T


def _frame(u, v) -> np.ndarray:
    e1 = u / np.linalg.norm(u)
    w = np.cross(u, v)
    e3 = w / np.linalg.norm(w)
    return np.stack([e1, np.cross(e3, e1), e3], axis=1)


def _assign(P0, C0, R, groups):
    from scipy.optimize import linear_sum_assignment

    RP = P0 @ R.T
    index = np.empty(len(C0), dtype=np.int64)
    for ci, pi in groups:
        d = C0[ci][:, None] - RP[pi][None]
        rows, cols = linear_sum_assignment(np.einsum("abi,abi->ab", d, d))
        index[ci[rows]] = pi[cols]
    return index


def _anchors(C0, species, counts, far):
    """Two child atoms farther than ``far`` from the centroid (their directions
    survive the distortion): the first of the rarest species, the second at
    more than ~10 degrees from the first's direction; ``None`` where none is."""
    r = np.linalg.norm(C0, axis=1)
    order = sorted(range(len(C0)), key=lambda a: (counts[species[a]], -round(r[a], 6), a))
    cut = min(far, 0.5 * float(r.max()))
    a = next((i for i in order if r[i] > cut), None) if r.max() > 1e-9 else None
    if a is None:
        return None, None
    b = next((i for i in order if r[i] > cut and np.linalg.norm(np.cross(C0[a], C0[i])) > 0.17 * r[a] * r[i]), None)
    return a, b


def match_molecules(p: Structure, c: Structure, tol: float) -> StructureMatch:
    """The finite-structure branch of :func:`~curienn.symmetry.match_structures`
    (same compositions assumed checked): see the module docstring."""
    P0 = p.positions - p.positions.mean(axis=0)
    C0 = c.positions - c.positions.mean(axis=0)
    sp_p = np.array(p.species, dtype=object)
    sp_c = np.array(c.species, dtype=object)
    counts = p.composition()
    groups = [(np.nonzero(sp_c == s)[0], np.nonzero(sp_p == s)[0]) for s in counts]
    eps = 1e-3
    a, b = _anchors(C0, c.species, counts, 2 * tol)
    trials = []
    if a is None:  # every atom at the centroid
        trials.append(np.eye(3))
    else:
        ra = np.linalg.norm(C0[a])
        near_a = [i for i in np.nonzero(sp_p == c.species[a])[0] if abs(np.linalg.norm(P0[i]) - ra) <= 2 * tol]
        for i in near_a:
            if b is None:  # collinear molecule: align the axis only
                trials.append(_align(P0[i], C0[a]))
                continue
            rb = np.linalg.norm(C0[b])
            for j in np.nonzero(sp_p == c.species[b])[0]:
                if j == i or abs(np.linalg.norm(P0[j]) - rb) > 2 * tol:
                    continue
                if np.linalg.norm(np.cross(P0[i], P0[j])) <= eps * np.linalg.norm(P0[i]):
                    continue
                trials.append(_frame(C0[a], C0[b]) @ _frame(P0[i], P0[j]).T)
    if not trials:
        raise ValueError(
            f"no parent atom of species {c.species[a]!r} lies {np.linalg.norm(C0[a]):.3f} A from the centroid "
            f"within 2 x max_displacement={tol:.3f} A: the molecules do not match"
        )
    best = None
    for R in trials:
        index = None
        for _ in range(10):
            new = _assign(P0, C0, R, groups)
            R = kabsch(P0[new], C0)
            if index is not None and np.array_equal(new, index):
                break
            index = new
        disp = C0 @ R - P0[index]  # R^T c - p, as rows
        cost = float(np.sum(disp ** 2))
        if best is None or cost < best[0] - 1e-6:
            best = (cost, R, index, disp)
    _, R, index, disp = best
    check_displacements(disp, c.species, tol, "rotation and atom mapping of the child onto the parent")
    shift = c.positions.mean(axis=0) @ R - p.positions.mean(axis=0)  # R^T centroid_c - centroid_p
    return StructureMatch(p, c, False, None, R, np.eye(3), shift, index, np.zeros((len(c), 3), dtype=np.int64),
                          disp, tol)


def _align(u, v) -> np.ndarray:
    """A proper rotation taking direction ``u`` to direction ``v``."""
    u = u / np.linalg.norm(u)
    v = v / np.linalg.norm(v)
    w = np.cross(u, v)
    s, cth = np.linalg.norm(w), float(u @ v)
    if s < 1e-12:
        if cth > 0:
            return np.eye(3)
        perp = np.cross(u, np.eye(3)[int(np.argmin(np.abs(u)))])
        perp /= np.linalg.norm(perp)
        return 2 * np.outer(perp, perp) - np.eye(3)
    K = np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]])
    return np.eye(3) + K + K @ K * ((1 - cth) / s ** 2)
