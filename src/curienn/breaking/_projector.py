r"""The input's symmetry and the projector onto parent-invariant order parameters.

Invariant components break no symmetry (the model can absorb them: e.g. a uniform
scalar on every B site), so the search keeps the order parameter :math:`p` in the
complement :math:`(1 - P)` of

.. math::

    P = \frac{1}{|G|} \sum_{g \in G} T_g, \qquad
    (T_g\, p)_{g \cdot k} = D(g)\, p_k,

with :math:`G` the input's symmetry (:func:`input_symmetry`) and :math:`k` the
order-parameter groups of the layout (operations that do not map the layout onto
itself are left out).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from curienn.o3 import Irreps
from curienn.symmetry import point_group, representation_matrix, space_group

from ._layout import OrderParameterLayout

__all__ = ["input_symmetry", "invariant_projector"]


def input_symmetry(positions, fixed, fixed_irreps: str, cell=None, pbc=None):
    """The symmetry of the search's input and how it permutes the sites.

    Args:
        positions: ``(N, 3)``.
        fixed: ``(N, F)`` fixed per-point features with irreps ``fixed_irreps``
            (points with different features are never exchanged).
        cell, pbc: the lattice (rows) and periodicity, or ``None`` (finite input).

    Returns ``(group, operations)``: the :class:`~curienn.symmetry.PointGroup` of
    a finite input (with its features) or the :class:`~curienn.symmetry.SpaceGroup`
    of a periodic one (spglib, species from the features), and
    ``[(R (3, 3) Cartesian, perm (N,))]`` (site ``i`` goes to ``perm[i]``).
    ``(None, None)`` for partly periodic inputs or periodic ones with non-scalar
    features; ``(group, None)`` when the sites do not follow the group.
    """
    pos = np.asarray(positions, dtype=np.float64)
    feats = np.asarray(fixed, dtype=np.float64)
    scalar = all(ir.l == 0 and ir.p == 1 for _, ir in Irreps(fixed_irreps))
    kinds = [str(tuple(np.round(f, 9))) for f in feats]
    pbc = np.zeros(3, dtype=bool) if cell is None or pbc is None else np.asarray(pbc, dtype=bool)
    if not pbc.any():
        scale = float(np.abs(pos - pos.mean(0)).max()) or 1.0
        if scalar:
            group = point_group(pos, kinds, tol=1e-6 * scale)
        else:
            group = point_group(pos, None, tol=1e-6 * scale, features=feats, irreps=fixed_irreps,
                                feature_tol=1e-6 * (np.abs(feats).max() or 1.0))
        try:
            perms = group.site_permutations(pos)
        except ValueError:
            return group, None
        return group, list(zip(group.operations, perms))
    if not scalar or not pbc.all():
        return None, None
    codes = {k: i + 1 for i, k in enumerate(dict.fromkeys(kinds))}
    lattice = np.asarray(cell, dtype=np.float64)
    frac = np.linalg.solve(lattice.T, pos.T).T % 1.0
    group = space_group((lattice, frac, [codes[k] for k in kinds]), symprec=1e-4)
    try:
        perms = group.site_permutations(pos, atol=1e-3)
    except ValueError:
        return group, None
    return group, list(zip(group.cartesian_rotations, perms))


def invariant_projector(layout: OrderParameterLayout, irreps: str, operations) -> tuple[Optional[np.ndarray], int]:
    """``(P (G D, G D), number of operations used)`` (see the module docstring);
    ``(None, 0)`` when there is nothing to project: no components, a masked
    layout, no operations, or none that maps the layout onto itself."""
    D = Irreps(irreps).dim
    if not D or not operations or not np.all(layout.mask == 1):
        return None, 0
    G, gof = layout.num_groups, layout.group_of
    P = np.zeros((G * D, G * D))
    used = 0
    for R, perm in operations:
        image: dict = {}
        ok = True
        for i, k in enumerate(gof):
            k2 = gof[perm[i]]
            if (k < 0) != (k2 < 0) or (k >= 0 and image.setdefault(int(k), int(k2)) != k2):
                ok = False
                break
        if not ok or len(set(image.values())) != len(image):
            continue
        Dg = representation_matrix(irreps, R)
        for k, k2 in image.items():
            P[k2 * D:(k2 + 1) * D, k * D:(k + 1) * D] += Dg
        used += 1
    if used == 0:
        return None, 0
    return P / used, used
