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

Search: :mod:`curienn.symmetry._point_search`.

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

from ._character_table import character_table
from ._group import as_array as _as_array
from ._group import check_tol as _check_tol
from ._group import (
    close_group,
    describe_operation,
    exactify_group,
    find_operation,
    schoenflies_name,
)
from ._point_search import LINEAR_APPROXIMANT_ORDER, _Checker, _find_operations, _linear_group, _species_codes
from ._representation import irreps_dim, representation_matrices

__all__ = [
    "PointGroup",
    "point_group",
    "LINEAR_APPROXIMANT_ORDER",
]



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
