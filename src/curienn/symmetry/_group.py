"""Finite groups of 3x3 orthogonal matrices: closure, multiplication tables,
exact refinement and the geometric description of single operations.

An operation is a float64 array ``R`` of shape ``(3, 3)`` with ``R^T R = 1``; it
acts on column vectors, ``x -> R x``. Proper operations (``det R = +1``) are
rotations ``C_n^k`` by ``2 pi k / n`` about an axis; improper ones
(``det R = -1``) are written ``R = -M`` with ``M`` proper, and are the
inversion ``i`` (``M = 1``), a mirror ``sigma`` (``M = C_2``, the mirror's
normal is the axis of ``M``) or a rotoreflection ``S_n^m`` (a rotation by
``2 pi m / n`` followed by the mirror perpendicular to its axis; ``m`` odd).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd

import numpy as np
from scipy.spatial import cKDTree

__all__ = [
    "OperationInfo",
    "close_group",
    "describe_operation",
    "exactify_group",
    "find_operation",
    "multiplication_table",
    "operation_info",
    "rotation_matrix",
    "schoenflies_name",
]

#: largest group ``close_group`` builds before giving up
MAX_ORDER = 2000


def rotation_matrix(axis, angle: float) -> np.ndarray:
    """The proper rotation by ``angle`` (radians, right-handed) about ``axis``
    (Rodrigues: ``R = cos t 1 + sin t [u]x + (1 - cos t) u u^T``)."""
    u = np.asarray(axis, dtype=np.float64)
    n = np.linalg.norm(u)
    if not np.isfinite(n) or n == 0:
        raise ValueError(f"rotation axis must be a finite non-zero vector, got {axis!r}")
    u = u / n
    c, s = np.cos(angle), np.sin(angle)
    K = np.array([[0, -u[2], u[1]], [u[2], 0, -u[0]], [-u[1], u[0], 0]])
    return c * np.eye(3) + s * K + (1 - c) * np.outer(u, u)


def _canonical_axis(u: np.ndarray) -> np.ndarray:
    """Sign convention for an axis: its first clearly non-zero component is positive."""
    u = u / np.linalg.norm(u)
    for c in u:
        if abs(c) > 1e-6:
            return u if c > 0 else -u
    return u


def _axis_angle(M: np.ndarray) -> tuple[np.ndarray, float]:
    """Axis (unit) and angle in [0, pi] of a proper rotation ``M``; the sign of the
    axis makes the rotation right-handed by that angle (for angle pi, the
    canonical sign)."""
    w = np.array([M[2, 1] - M[1, 2], M[0, 2] - M[2, 0], M[1, 0] - M[0, 1]])
    angle = float(np.arctan2(np.linalg.norm(w) / 2, (np.trace(M) - 1) / 2))
    if angle < 1e-9:
        return np.array([0.0, 0.0, 1.0]), 0.0
    if np.linalg.norm(w) > 1e-6 and angle < np.pi - 1e-6:
        return w / np.linalg.norm(w), angle
    # angle ~ pi: M = 2 u u^T - 1
    S = (M + np.eye(3)) / 2
    k = int(np.argmax(np.diag(S)))
    u = S[:, k] / np.sqrt(max(S[k, k], 1e-300))
    return _canonical_axis(u), float(np.pi)


@dataclass(frozen=True)
class OperationInfo:
    """Geometric description of one orthogonal operation.

    ``kind`` is one of ``"E"``, ``"C"`` (proper rotation), ``"i"``, ``"sigma"``,
    ``"S"`` (rotoreflection). ``axis`` is the rotation axis (for a mirror, its
    normal; ``None`` for E and i). ``n``/``k``: the rotation part is by
    ``2 pi k / n`` (``k/n`` reduced, ``0 < k/n <= 1/2``); ``n = 0`` when the angle is
    not a rational multiple of ``2 pi`` with denominator <= 120.
    """

    kind: str
    proper: bool
    axis: np.ndarray | None
    angle: float
    n: int
    k: int

    @property
    def exponent(self) -> int:
        """The ``m`` of the textbook symbol ``C_n^m`` / ``S_n^m`` of this operation
        about ``axis``: ``k`` for a rotation; for a rotoreflection the odd ``m`` with
        ``m = k (mod n)`` (``S_n^m = sigma^m C_n^m`` is proper for even ``m``: an
        ``S5`` by ``2 * 2 pi/5`` is ``S5^7``, not ``S5^2 = C5^2``)."""
        if self.kind == "S" and self.k % 2 == 0:
            return self.k + self.n
        return self.k

    @property
    def inverse_exponent(self) -> int:
        """The ``m`` of the inverse operation about the same axis (the same operation
        about the reversed axis): ``C_n^(n-m)``; ``S_n^(n-m)`` for even ``n`` and
        ``S_n^(2n-m)`` for odd ``n`` (``S3^-1 = S3^5``)."""
        if self.kind == "S" and self.n % 2 == 1:
            return 2 * self.n - self.exponent
        return self.n - self.exponent

    def power_symbol(self, m: int) -> str:
        """``C_n^m`` / ``S_n^m`` written as ``"C3^2"``, ``"S6"`` (``m = 1``)."""
        return f"{self.kind}{self.n}" + (f"^{m}" if m != 1 else "")

    @property
    def symbol(self) -> str:
        if self.kind in ("E", "i"):
            return self.kind
        if self.kind == "sigma":
            return "σ"
        if self.n == 0:
            return f"{self.kind}({np.degrees(self.angle):.3f}°)"
        return self.power_symbol(self.exponent)


def _fraction(angle: float) -> tuple[int, int]:
    """(n, k) with angle = 2 pi k / n, or (0, 0) when not close to such."""
    f = Fraction(angle / (2 * np.pi)).limit_denominator(120)
    if abs(float(f) * 2 * np.pi - angle) > 1e-5:
        return 0, 0
    return f.denominator, f.numerator


def operation_info(R) -> OperationInfo:
    """Classify an orthogonal 3x3 matrix: identity, rotation, inversion, mirror or
    rotoreflection, with its axis and angle."""
    R = np.asarray(R, dtype=np.float64)
    if R.shape != (3, 3) or not np.all(np.isfinite(R)):
        raise ValueError(f"an operation must be a finite 3x3 matrix, got shape {R.shape}")
    det = np.linalg.det(R)
    if abs(abs(det) - 1) > 1e-4 or np.abs(R.T @ R - np.eye(3)).max() > 1e-4:
        raise ValueError(f"operation is not orthogonal (det = {det:.6f})")
    if det > 0:
        axis, angle = _axis_angle(R)
        if angle < 1e-6:
            return OperationInfo("E", True, None, 0.0, 1, 0)
        n, k = _fraction(angle)
        return OperationInfo("C", True, axis, angle, n, k)
    axis, alpha = _axis_angle(-R)
    if alpha < 1e-6:
        return OperationInfo("i", False, None, np.pi, 2, 1)
    if alpha > np.pi - 1e-6:
        return OperationInfo("sigma", False, axis, 0.0, 1, 0)
    # R = -C(u, alpha) = sigma_u C(u, alpha + pi) = sigma_u C(-u, pi - alpha)
    axis, angle = -axis, np.pi - alpha
    n, k = _fraction(angle)
    return OperationInfo("S", False, axis, angle, n, k)


def describe_operation(R) -> str:
    """Readable name of an operation, e.g. ``C4 axis (0, 1, 0)``, ``σ normal (1, 0, 0)``, ``i``."""
    info = operation_info(R)
    if info.axis is None:
        return info.symbol
    axis = info.axis if info.kind in ("C", "S") and info.angle < np.pi - 1e-6 else _canonical_axis(info.axis)
    a = ", ".join(f"{v + 0.0:+.3f}" for v in np.round(axis, 3))
    what = "normal" if info.kind == "sigma" else "axis"
    return f"{info.symbol} {what} ({a})"


def find_operation(ops: np.ndarray, R: np.ndarray, atol: float = 1e-6) -> int:
    """Index of the matrix of ``ops`` (shape ``(n, 3, 3)``) equal to ``R``, or -1."""
    if len(ops) == 0:
        return -1
    d = np.abs(ops - R[None]).reshape(len(ops), -1).max(axis=1)
    i = int(np.argmin(d))
    return i if d[i] <= atol else -1


def _unique_rows(M: np.ndarray, atol: float) -> np.ndarray:
    """Indices of the first of each cluster of equal rows (max-norm within atol)."""
    if len(M) == 0:
        return np.zeros(0, dtype=np.int64)
    nb = cKDTree(M).query_ball_point(M, atol, p=np.inf)
    return np.array([i for i, js in enumerate(nb) if min(js) == i], dtype=np.int64)


def close_group(ops, atol: float = 1e-6, max_order: int = MAX_ORDER) -> np.ndarray:
    """The group generated by ``ops`` (products until nothing new), identity first.

    Raises ``ValueError`` when the group grows beyond ``max_order`` (the matrices
    then do not generate a finite group at this tolerance).
    """
    gens = np.asarray(ops, dtype=np.float64).reshape(-1, 3, 3)
    group = np.concatenate([np.eye(3)[None], gens])
    group = group[_unique_rows(group.reshape(-1, 9), atol)]
    frontier = group
    while len(frontier) and len(gens):
        prods = np.einsum("aij,bjk->abik", frontier, gens).reshape(-1, 3, 3)
        d, _ = cKDTree(group.reshape(-1, 9)).query(prods.reshape(-1, 9), p=np.inf)
        new = prods[d > atol]
        new = new[_unique_rows(new.reshape(-1, 9), atol)]
        if len(new) == 0:
            break
        group = np.concatenate([group, new])
        if len(group) > max_order:
            raise ValueError(
                f"operations do not close into a finite group of order <= {max_order} "
                f"(tolerance {atol}); the tolerance is probably too loose or too tight"
            )
        frontier = new
    return group


def multiplication_table(ops: np.ndarray, atol: float = 1e-5) -> np.ndarray:
    """``T[a, b] = c`` with ``ops[a] @ ops[b] = ops[c]``. Raises ``ValueError`` if
    the set is not closed."""
    ops = np.asarray(ops, dtype=np.float64)
    n = len(ops)
    prod = np.einsum("aij,bjk->abik", ops, ops).reshape(n * n, 9)
    d, idx = cKDTree(ops.reshape(n, 9)).query(prod, p=np.inf)
    if np.any(d > atol):
        raise ValueError("the operations are not closed under multiplication")
    return idx.reshape(n, n)


def _polar(A: np.ndarray) -> np.ndarray:
    U, _, Vt = np.linalg.svd(A)
    return U @ Vt


def exactify_group(ops: np.ndarray, atol: float = 1e-3, iterations: int = 4) -> np.ndarray:
    """Replace approximate group elements by an exact orthogonal representation
    of the same multiplication table: ``R_g <- polar((1/|G|) sum_h R_{gh} R_h^T)``,
    iterated (a contraction onto true homomorphisms). Errors go from ~``atol`` to
    ~1e-15, so characters and products become clean."""
    ops = np.asarray(ops, dtype=np.float64)
    table = multiplication_table(ops, atol)
    for _ in range(iterations):
        new = np.einsum("hgij,hkj->gik", ops[table.T], ops) / len(ops)
        ops = np.array([_polar(a) for a in new])
    return ops


def element_order(table: np.ndarray, a: int, identity: int = 0) -> int:
    k, x = 1, a
    while x != identity:
        x = table[x, a]
        k += 1
        if k > len(table) + 1:
            raise ValueError("element of infinite order in a finite table")
    return k


def _lcm(a: int, b: int) -> int:
    return a * b // gcd(a, b)


# --------------------------------------------------------------------------- #
# Schoenflies names
# --------------------------------------------------------------------------- #
def schoenflies_name(operations, atol: float = 1e-4) -> str:
    """Schoenflies symbol of a finite group of orthogonal matrices.

    Proper subgroup K of order |K| with largest element order n:
    cyclic (n = |K|) C_n; dihedral (|K| = 2n) D_n; T (12), O (24), I (60).
    With improper elements: C_1 -> Ci / Cs; C_n -> C_nh (sigma_h), C_nv (mirrors),
    else S_2n; D_n -> D_nh (a mirror perpendicular to a principal axis) else D_nd;
    T -> Th (inversion) else Td; O -> Oh; I -> Ih.
    """
    ops = np.asarray(operations, dtype=np.float64)
    infos = [operation_info(R) for R in ops]
    proper = [R for R, f in zip(ops, infos) if f.proper]
    improper = [f for f in infos if not f.proper]
    k = len(proper)
    if k * (2 if improper else 1) != len(ops):
        raise ValueError(f"the {len(ops)} operations are not a group (proper part {k})")
    table = multiplication_table(np.array(proper), atol)
    orders = [element_order(table, a, identity=identity_index(proper)) for a in range(k)]
    n = max(orders)
    has_inv = any(f.kind == "i" for f in improper)
    mirrors = [f.axis for f in improper if f.kind == "sigma"]
    if n == k:
        kind = "C"
        principal = [f.axis for f, o in zip([operation_info(R) for R in proper], orders) if o == n]
    elif k == 2 * n:
        kind = "D"
        # for D2 every C2 axis counts as principal
        principal = [f.axis for f, o in zip([operation_info(R) for R in proper], orders) if o == n]
    elif (k, n) == (12, 3):
        return "Th" if has_inv else ("Td" if improper else "T")
    elif (k, n) == (24, 4):
        return "Oh" if improper else "O"
    elif (k, n) == (60, 5):
        return "Ih" if improper else "I"
    else:
        raise ValueError(f"no point group has a proper part of order {k} with largest order {n}")
    if not improper:
        return f"{kind}{n}"
    sigma_h = any(
        p is not None and abs(abs(np.dot(m, p)) - 1) < 1e-3 for m in mirrors for p in principal
    )
    if kind == "C":
        if n == 1:
            return "Ci" if has_inv else "Cs"
        if sigma_h:
            return f"C{n}h"
        if mirrors:
            return f"C{n}v"
        return f"S{2 * n}"
    return f"D{n}h" if sigma_h else f"D{n}d"


def identity_index(ops) -> int:
    return find_operation(np.array(ops), np.eye(3), 1e-4)


# --------------------------------------------------------------------------- #
# input checks
# --------------------------------------------------------------------------- #
def as_array(x, name: str, ndim: int) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {type(x).__name__}") from exc
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if a.size and np.abs(a).max() > 1e75:
        # a symmetry search multiplies up to four coordinates: past ~1e77 float64 overflows (and
        # LAPACK's SVD of an inf/NaN matrix may never return)
        raise ValueError(f"{name} has values up to {np.abs(a).max():.3g}: beyond 1e75 a symmetry search "
                         "overflows float64 (use other units)")
    return a


def check_tol(tol, name: str = "tol") -> float:
    try:
        t = float(tol)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a positive number, got {tol!r}") from exc
    if not np.isfinite(t) or t <= 0:
        raise ValueError(f"{name} must be a positive number, got {tol!r}")
    return t
