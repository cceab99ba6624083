"""Symmetry of a geometric tensor (Smidt, Geiger & Miller, Eq. 1):

    Sym(x) = { g in G : D(g) x = x },

for ``x`` with irreps ``rho`` (e3nn basis) and a given finite group ``G`` of
O(3) operations (the continuous stabiliser of a tensor in O(3) is generally
infinite, so the question is asked inside a group). ``Sym(x)`` is a subgroup.
"""

from __future__ import annotations

import numpy as np

from ._group import as_array, check_tol, close_group, schoenflies_name
from ._point_group import PointGroup
from ._representation import irreps_dim, representation_matrices

__all__ = ["tensor_symmetry"]


def _operations(group) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(group, PointGroup):
        return np.asarray(group.operations, dtype=np.float64), group.center
    ops = np.asarray(group, dtype=np.float64)
    if ops.ndim != 3 or ops.shape[1:] != (3, 3) or len(ops) == 0:
        raise ValueError(f"group must be a PointGroup or operations of shape (n, 3, 3), got {ops.shape}")
    return ops, np.zeros(3)


def tensor_symmetry(x, irreps, group, *, tol: float = 1e-6) -> PointGroup:
    """The operations ``g`` of ``group`` (a :class:`PointGroup` or ``(n, 3, 3)``
    operations) with ``max |D(g) x - x| <= tol`` (absolute, in the units of x).

    ``x``: ``(dim,)`` or ``(N, dim)`` (numpy or torch; with N rows, every row
    must be invariant, as for a tensor field on fixed points). Returns a
    :class:`PointGroup` named by its Schoenflies symbol.
    """
    tol = check_tol(tol)
    ops, center = _operations(group)
    X = as_array(x, "x", np.ndim(x) if np.ndim(x) in (1, 2) else 1)
    X = X.reshape(-1, X.shape[-1])
    if X.shape[-1] != irreps_dim(irreps):
        raise ValueError(f"x has {X.shape[-1]} components but irreps {irreps} has dim {irreps_dim(irreps)}")
    Ds = representation_matrices(irreps, ops)
    keep = [R for R, D in zip(ops, Ds) if float(np.abs(X @ D.T - X).max(initial=0.0)) <= tol]
    ops_kept = close_group(keep, atol=1e-6)
    if len(ops_kept) != len(keep):  # pragma: no cover - stabilisers are groups
        raise ValueError("the invariant operations do not form a group at this tolerance")
    return PointGroup(schoenflies_name(ops_kept), ops_kept, center, tol)
