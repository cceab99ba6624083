"""Point-group symmetry of a finite set of points (with optional species and
per-point geometric-tensor features), and Schoenflies names.

Tolerance
---------
``tol`` is an **absolute distance in the units of the points** (like spglib's
``symprec`` and pymatgen's ``tolerance``). An orthogonal ``g`` (about the
centroid ``c``) is a symmetry when there is a permutation ``pi`` of the points,
preserving species, with

    | g (r_i - c) + c - r_{pi(i)} | <= tol        for every i,

after ``g`` is refined by an orthogonal Procrustes fit to that permutation
(so candidate axes computed from noisy points do not cost accuracy). With
features ``f_i`` (irreps ``rho``), additionally
``| D_rho(g) f_i - f_{pi(i)} | <= feature_tol``.

Search
------
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

Names
-----
From the proper subgroup K (cyclic C_n, dihedral D_n, T, O, I) and the
improper elements: inversion, mirrors perpendicular to the principal axis
(sigma_h) or containing it. All points on a line give C∞v or D∞h; their
``operations`` are then the finite approximant C_{24v} / D_{24h} and
``infinite`` is True: it has the same invariants and the same isotypic
decomposition as the continuous group for every irrep with l <= 11 (only
components with |m| >= 12 could tell them apart), and contains the rotations
C2, C3, C4, C6, C8, C12 about the axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scipy.spatial import cKDTree

from ._character_table import character_table
from ._group import as_array as _as_array
from ._group import check_tol as _check_tol
from ._group import (
    close_group,
    describe_operation,
    exactify_group,
    find_operation,
    operation_info,
    rotation_matrix,
    schoenflies_name,
)
from ._representation import irreps_dim, representation_matrices

__all__ = [
    "PointGroup",
    "point_group",
    "LINEAR_APPROXIMANT_ORDER",
]

#: order n of the C_n used to stand for the continuous rotations of a linear set
LINEAR_APPROXIMANT_ORDER = 24


# --------------------------------------------------------------------------- #
# result object
# --------------------------------------------------------------------------- #
@dataclass(eq=False)
class PointGroup:
    """A finite group of orthogonal 3x3 operations about ``center``.

    Attributes
    ----------
    name: Schoenflies symbol (``"C1"`` ... ``"Oh"``, ``"Ih"``, ``"C∞v"``, ``"D∞h"``).
    operations: ``(order, 3, 3)`` float64, identity first; acting as
        ``x -> g (x - center) + center``.
    center: the fixed point (the centroid for point sets).
    tol: the tolerance the group was found at (``None`` when built otherwise).
    infinite: True for the linear groups C∞v / D∞h (operations are then a finite
        approximant, see :data:`LINEAR_APPROXIMANT_ORDER`).
    max_error: the largest displacement ``|g r_i - r_pi(i)|`` over the operations
        (0 when not computed).
    """

    name: str
    operations: np.ndarray
    center: np.ndarray = field(default_factory=lambda: np.zeros(3))
    tol: float | None = None
    infinite: bool = False
    max_error: float = 0.0

    @property
    def order(self) -> int | float:
        """Number of operations (``inf`` for linear groups)."""
        return float("inf") if self.infinite else len(self.operations)

    def __len__(self) -> int:
        return len(self.operations)

    def __iter__(self):
        return iter(self.operations)

    def contains(self, R, atol: float = 1e-4) -> bool:
        """Whether the operation ``R`` (3x3) belongs to the group."""
        return find_operation(self.operations, np.asarray(R, dtype=np.float64), atol) >= 0

    def is_subgroup_of(self, other: "PointGroup", atol: float = 1e-4) -> bool:
        """Whether every operation of ``self`` is an operation of ``other``
        (as affine maps about their centres)."""
        return all(affine_in(R, self.center, other, atol) for R in self.operations)

    def site_permutations(self, points, atol: float | None = None) -> np.ndarray:
        r"""How each operation permutes ``points``: ``perm`` ``(order, N)`` int with

        .. math:: g_k (r_i - c) + c \approx r_{\mathrm{perm}[k, i]}

        (``c`` the group's ``center``), the nearest image within ``atol``
        (default: ``10 tol``, or ``1e-6`` of the set's size when the group has no
        ``tol``). Raises ``ValueError`` naming the operation and the site when an
        image is not within ``atol`` of any point (``points`` does not have this
        symmetry).

        Example:
            >>> sq = np.array([[1.0, 0, 0], [0, 1, 0], [-1, 0, 0], [0, -1, 0]])
            >>> g = point_group(sq)
            >>> g.name, g.site_permutations(sq).shape
            ('D4h', (16, 4))
        """
        X = _as_array(points, "points", 2)
        if X.shape[1] != 3:
            raise ValueError(f"points must have shape (N, 3), got {X.shape}")
        if atol is None:
            scale = float(np.abs(X - X.mean(axis=0)).max()) or 1.0
            atol = 10 * self.tol if self.tol else 1e-6 * scale
        moved = np.einsum("gij,nj->gni", self.operations, X - self.center) + self.center
        d = np.linalg.norm(moved[:, :, None] - X[None, None], axis=-1)
        perm = d.argmin(axis=2)
        err = np.take_along_axis(d, perm[..., None], axis=2)[..., 0]
        if err.size and err.max() > atol:
            k, i = np.unravel_index(int(err.argmax()), err.shape)
            raise ValueError(
                f"operation {k} ({describe_operation(self.operations[k])}) maps point {i} "
                f"{err[k, i]:.3g} away from every point (atol {atol:.3g}): the points lack this symmetry"
            )
        return perm

    def describe(self) -> list[str]:
        """One readable line per operation (``E``, ``C4 axis (...)``, ``σ normal (...)``...)."""
        return [describe_operation(R) for R in self.operations]

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "order": None if self.infinite else len(self.operations),
            "infinite": self.infinite,
            "center": self.center.tolist(),
            "tol": self.tol,
            "max_error": self.max_error,
            "operations": self.operations.round(12).tolist(),
            "operation_names": self.describe(),
        }

    def __str__(self) -> str:
        order = "∞" if self.infinite else str(len(self.operations))
        c = ", ".join(f"{v:.4g}" for v in self.center)
        lines = [f"point group {self.name} (order {order}) about ({c})"]
        if self.infinite:
            lines[0] += f"; operations: finite approximant of order {len(self.operations)}"
        if not self.infinite:
            lines.append("  classes: " + ", ".join(self.class_names()))
        return "\n".join(lines)

    def class_names(self) -> list[str]:
        """Conjugacy classes in the usual notation (``E, 2C4, C2, 2C2', ...``)."""
        if len(self.operations) > 240:
            return [f"{len(self.operations)} operations"]
        return list(character_table(self.operations).class_names)

    __repr__ = __str__


def affine_in(R, center, group: PointGroup, atol: float) -> bool:
    # x -> R(x - c1) + c1 equals x -> R(x - c2) + c2 iff (1 - R)(c1 - c2) = 0
    i = find_operation(group.operations, R, atol)
    if i < 0:
        return False
    scale = max(1.0, float(np.abs(center).max()), float(np.abs(group.center).max()))
    return np.abs((np.eye(3) - R) @ (center - group.center)).max() <= atol * scale


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


def point_group(
    points,
    species=None,
    *,
    tol: float = 1e-2,
    features=None,
    irreps=None,
    feature_tol: float | None = None,
) -> PointGroup:
    """The point group of a finite set of points: the orthogonal operations about
    the centroid that map the set onto itself within ``tol``.

    Parameters
    ----------
    points: ``(N, 3)`` array-like (numpy, torch or lists), or an ASE ``Atoms``
        (then ``species`` defaults to its chemical symbols).
    species: ``N`` labels; only equal labels may be exchanged.
    tol: absolute distance tolerance, in the units of ``points``.
    features: optional ``(N, dim)`` per-point geometric tensors with ``irreps``
        (e.g. ``"1e"`` for pseudovectors); ``g`` must also map
        ``D(g) f_i`` onto ``f_{pi(i)}`` within ``feature_tol`` (default ``tol``).

    Returns a :class:`PointGroup` (``name``, ``operations``, ``order``...).

    Raises ``ValueError`` for an empty set, NaN/inf, ``tol <= 0``, mismatched
    species/features, or when all points coincide (full O(3) symmetry).
    """
    if hasattr(points, "get_positions") and hasattr(points, "get_chemical_symbols"):
        if species is None:
            species = points.get_chemical_symbols()
        points = points.get_positions()
    tol = _check_tol(tol)
    X = _as_array(points, "points", 2)
    if X.shape[0] == 0:
        raise ValueError("points is empty: a point group needs at least one point")
    if X.shape[1] != 3:
        raise ValueError(f"points must have shape (N, 3), got {X.shape}")
    codes = _species_codes(species, len(X))
    F = None
    if features is not None:
        if irreps is None:
            raise ValueError("features need their irreps (e.g. irreps='1e')")
        F = _as_array(features, "features", 2)
        if F.shape[0] != len(X):
            raise ValueError(f"features has {F.shape[0]} rows for {len(X)} points")
        if irreps_dim(irreps) != F.shape[1]:
            raise ValueError(f"features have {F.shape[1]} columns but irreps {irreps} has dim {irreps_dim(irreps)}")
        feature_tol = tol if feature_tol is None else _check_tol(feature_tol, "feature_tol")
    center = X.mean(axis=0)
    Xc = X - center
    chk = _Checker(Xc, codes, tol)
    r = np.linalg.norm(Xc, axis=1)
    if r.max() <= tol:
        raise ValueError(
            "all points coincide within tol: the set has the full O(3) symmetry, "
            "which is not a finite point group"
        )
    u = np.linalg.svd(Xc)[2][0]
    if np.linalg.norm(Xc - np.outer(Xc @ u, u), axis=1).max() <= tol:
        ops, centro = _linear_group(Xc, codes, chk, tol)
        if F is None:
            return PointGroup("D∞h" if centro else "C∞v", ops, center, tol, True, _max_error(chk, ops))
        ops = _filter_by_features(ops, chk, F, irreps, feature_tol)
        name = schoenflies_name(ops)
        n = LINEAR_APPROXIMANT_ORDER
        infinite = {f"D{n}h": "D∞h", f"C{n}v": "C∞v", f"C{n}": "C∞", f"C{n}h": "C∞h"}
        return PointGroup(infinite.get(name, name), ops, center, tol, name in infinite, _max_error(chk, ops))
    ops = _find_operations(chk, tol)
    ops = close_group(ops, atol=1e-3)
    ops = exactify_group(ops, atol=1e-3)
    if F is not None:
        ops = _filter_by_features(ops, chk, F, irreps, feature_tol)
    return PointGroup(schoenflies_name(ops), ops, center, tol, False, _max_error(chk, ops))


def _filter_by_features(ops, chk: "_Checker", F, irreps, feature_tol) -> np.ndarray:
    """The operations whose point permutation also maps the features:
    ``D(g) f_i = f_{pi(i)}`` (a subgroup: the stabiliser of the features)."""
    Ds = representation_matrices(irreps, ops)
    keep = []
    for R, D in zip(ops, Ds):
        perm, _ = chk.match(R, chk.tol)
        if perm is not None and float(np.abs(F @ D.T - F[perm]).max(initial=0.0)) <= feature_tol:
            keep.append(R)
    keep = np.array(keep).reshape(-1, 3, 3)
    if len(close_group(keep, atol=1e-6)) != len(keep):
        raise ValueError("the operations that keep the features do not form a group at this tolerance")
    return keep


def _max_error(chk: _Checker, ops) -> float:
    return max(chk.error(R) for R in ops)
