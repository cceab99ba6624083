"""The search for the point-group operations of a finite point set (used by
:func:`curienn.symmetry.point_group`).

All points are grouped into shells (same species, same distance from the
centroid within ``tol``); every symmetry permutes each shell. From the
smallest non-collinear shell ``S`` with two non-collinear points ``a, b``,
every rotation axis is among: ``r_i``; ``r_i + r_j``; ``r_i x r_j``;
``(r_j - r_i) x (r_k - r_i)`` (i in {a, b}, j, k in S) -- a C_n with
n >= 3 moves an off-axis point around a regular polygon, a C_2 maps it to a
partner whose sum with it lies on the axis (or both are perpendicular to the
axis). Orders tried are the divisors of the number of off-axis points of S.
The proper rotations found are closed into a group K; the improper part is
``g0 K`` for any single improper ``g0``: the inversion, a mirror with normal
``r_a - r_j``, ``r_b - r_j`` or ``r_a x r_b``, or ``S_2n`` about an axis of K.
Finally the group is made exact (``exactify_group``).

"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from ._group import close_group, operation_info, rotation_matrix

__all__ = ["LINEAR_APPROXIMANT_ORDER"]

#: order n of the C_n used to stand for the continuous rotations of a linear set
LINEAR_APPROXIMANT_ORDER = 24


def _species_codes(species, n: int) -> np.ndarray:
    if species is None:
        return np.zeros(n, dtype=np.int64)
    sp = list(species)
    if len(sp) != n:
        raise ValueError(f"species has {len(sp)} entries for {n} points")
    codes: dict = {}
    return np.array([codes.setdefault(s, len(codes)) for s in sp], dtype=np.int64)


# --------------------------------------------------------------------------- #
# the search
# --------------------------------------------------------------------------- #
class _Checker:
    """Tests candidate operations against the points."""

    def __init__(self, X, codes, tol):
        self.X = X
        self.codes = codes
        self.tol = tol
        self.groups = [np.where(codes == c)[0] for c in np.unique(codes)]
        self.trees = [cKDTree(X[g]) for g in self.groups]
        self.dense = codes[:, None] == codes[None, :] if len(X) <= 256 else None

    def match(self, R, slack: float):
        """Permutation ``pi`` with ``R x_i ~ x_pi(i)`` (same species, nearest
        neighbour) and the largest distance, or ``(None, inf)`` when some
        distance exceeds ``slack`` or the map is not one-to-one."""
        Y = self.X @ R.T
        if self.dense is not None:  # small sets: one dense distance matrix is fastest
            d = np.linalg.norm(Y[:, None, :] - self.X[None, :, :], axis=2)
            d = np.where(self.dense, d, np.inf)
            perm = np.argmin(d, axis=1)
            err = d[np.arange(len(perm)), perm]
            if err.max() > slack or len(np.unique(perm)) != len(perm):
                return None, np.inf
            return perm, float(err.max())
        perm = np.empty(len(Y), dtype=np.int64)
        worst = 0.0
        for g, tree in zip(self.groups, self.trees):
            d, j = tree.query(Y[g], distance_upper_bound=slack if np.isfinite(slack) else np.inf)
            if not np.all(np.isfinite(d)):
                return None, np.inf
            perm[g] = g[j]
            worst = max(worst, float(d.max()))
        if worst > slack or len(np.unique(perm)) != len(perm):
            return None, np.inf
        return perm, worst

    def refine(self, R, perm):
        """Orthogonal Procrustes fit of R X ~ X[perm] keeping det R."""
        H = self.X[perm].T @ self.X
        U, _, Vt = np.linalg.svd(H)
        d = np.sign(np.linalg.det(R)) * np.sign(np.linalg.det(U @ Vt))
        return U @ np.diag([1.0, 1.0, d]) @ Vt

    def check(self, R):
        """Refined operation if R is a symmetry, else None."""
        perm, err = self.match(R, 4 * self.tol)
        if perm is None:
            return None
        R2 = self.refine(R, perm)
        perm2, err2 = self.match(R2, self.tol)
        if perm2 is None:
            perm2, err2 = self.match(R, self.tol)
            if perm2 is None:
                return None
            R2 = R
        return R2

    def error(self, R) -> float:
        perm, err = self.match(R, np.inf)
        return err


def _unit(v, eps):
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    ok = n[..., 0] > eps
    return v[ok] / n[ok]


def _dedupe_axes(U, cos_tol=1e-6):
    """Drop axes parallel (or antiparallel) to an earlier one."""
    if len(U) == 0:
        return U.reshape(0, 3)
    G = np.abs(U @ U.T) > 1 - cos_tol
    dup = np.triu(G, 1).any(axis=0)
    return U[~dup]


def _dedupe_axes_with_index(U, cos_tol=1e-6):
    if len(U) == 0:
        return U.reshape(0, 3), np.zeros(0, dtype=np.int64)
    G = np.abs(U @ U.T) > 1 - cos_tol
    keep = ~np.triu(G, 1).any(axis=0)
    return U[keep], np.where(keep)[0]


def _ring_sizes(P, U, idx, tol):
    """For each axis u (rows of U) and each anchor i in idx: the number of points
    of P at the same height along u and the same distance from u as P[i]."""
    H = P @ U.T  # (|P|, M)
    rho = np.sqrt(np.maximum((P * P).sum(1)[:, None] - H * H, 0.0))
    out = []
    for i in idx:
        same = (np.abs(H - H[i]) <= 2 * tol) & (np.abs(rho - rho[i]) <= 2 * tol)
        out.append(same.sum(0))
    return np.array(out), rho


def _reflect_ok(P, M, idx, tol):
    """Mirror normals (rows of M) that map each anchor point of P near a point of P."""
    ok = np.ones(len(M), dtype=bool)
    for i in idx:
        Y = P[i][None, :] - 2 * (M @ P[i])[:, None] * M  # (len(M), 3)
        d = np.linalg.norm(Y[:, None, :] - P[None, :, :], axis=2).min(axis=1)
        ok &= d <= 4 * tol
    return ok


def _shells(X, codes, tol):
    r = np.linalg.norm(X, axis=1)
    shells = []
    for c in np.unique(codes):
        idx = np.where((codes == c) & (r > tol))[0]
        idx = idx[np.argsort(r[idx])]
        start = 0
        for t in range(1, len(idx) + 1):
            if t == len(idx) or r[idx[t]] - r[idx[t - 1]] > tol:
                shells.append(idx[start:t])
                start = t
    return shells


def _rank2(P, tol):
    return len(P) >= 2 and np.linalg.svd(P, compute_uv=False)[1] > tol


def _find_operations(chk: _Checker, tol: float) -> list[np.ndarray]:
    X, codes = chk.X, chk.codes
    shells = _shells(X, codes, tol)
    shells.sort(key=len)
    S = next((s for s in shells if _rank2(X[s], tol)), None)
    if S is None:
        S = np.concatenate(shells)
    P = X[S]
    a = int(np.argmax(np.linalg.norm(P, axis=1)))
    cross = np.linalg.norm(np.cross(P[a], P), axis=1)
    b = int(np.argmax(cross))
    eps = tol * 1e-3
    cand = [P, P[a] + P, P[b] + P, np.cross(P[a], P), np.cross(P[b], P)]
    for i in (a, b):
        D = P - P[i]
        jj, kk = np.triu_indices(len(P), 1)
        cand.append(np.cross(D[jj], D[kk]))
    # principal axes of the inertia-like second moment
    cand.append(np.linalg.eigh(X.T @ X)[1].T)
    U = _unit(np.concatenate(cand), eps)
    rings, rho = _ring_sizes(P, U, (a, b), tol)
    # an off-axis anchor's ring is a union of C_n orbits: n divides its size
    off = rho[[a, b]] > tol
    g = np.where(off[0], rings[0], 0)
    g = np.gcd(g, np.where(off[1], rings[1], 0))
    keep = g >= 2
    U, g = U[keep], g[keep]
    U, first = _dedupe_axes_with_index(U)
    g = g[first]

    found = []
    for u, m in zip(U, g):
        for n in range(int(m), 1, -1):
            if m % n:
                continue
            R = chk.check(rotation_matrix(u, 2 * np.pi / n))
            if R is not None:
                found.append(R)
                break
    K = close_group(found, atol=1e-3) if found else np.eye(3)[None]
    K = np.array([R for R in K if chk.check(R) is not None] or [np.eye(3)])

    # one improper operation gives them all
    g0 = chk.check(-np.eye(3))
    if g0 is None:
        normals = [P[a] - P, P[b] - P, np.cross(P[a], P[b])[None]]
        infos = [operation_info(R) for R in K]
        normals.append(np.array([f.axis for f in infos if f.axis is not None]).reshape(-1, 3))
        M = _unit(np.concatenate(normals), eps)
        M = _dedupe_axes(M[_reflect_ok(P, M, (a, b), tol)])
        for m in M:
            g0 = chk.check(np.eye(3) - 2 * np.outer(m, m))
            if g0 is not None:
                break
    if g0 is None:
        for f in (operation_info(R) for R in K):
            if f.axis is None or f.k != 1:
                continue
            m = f.axis
            g0 = chk.check((np.eye(3) - 2 * np.outer(m, m)) @ rotation_matrix(m, np.pi / f.n))
            if g0 is not None:
                break
    ops = list(K)
    if g0 is not None:
        ops += [g0 @ R for R in K]
    return ops


def _linear_group(X, codes, chk: _Checker, tol: float):
    """C∞v / D∞h approximant for a set on a line through the centroid."""
    u = np.linalg.svd(X)[2][0]
    # a perpendicular direction for the C2' / sigma_v
    w = np.cross(u, [1.0, 0.0, 0.0])
    if np.linalg.norm(w) < 0.5:
        w = np.cross(u, [0.0, 1.0, 0.0])
    w /= np.linalg.norm(w)
    n = LINEAR_APPROXIMANT_ORDER
    sigma_v = np.eye(3) - 2 * np.outer(w, w)
    gens = [rotation_matrix(u, 2 * np.pi / n), sigma_v]
    centro = chk.check(-np.eye(3)) is not None
    if centro:
        gens.append(-np.eye(3))
    return close_group(gens, atol=1e-6), centro
