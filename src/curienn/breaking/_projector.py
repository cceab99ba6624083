r"""The input's symmetry and the projector onto parent-invariant order parameters.

Invariant components break no symmetry (the model can absorb them: e.g. a uniform
scalar on every B site), so the search keeps the order parameter :math:`p` in the
complement :math:`(1 - P)` of

.. math::

    P = \frac{1}{|G|} \sum_{g \in G} T_g, \qquad
    (T_g\, p)_{g \cdot i} = D(g)\, p_i,

with :math:`G` the input's symmetry (:func:`input_symmetry`), in the coordinates
of the layout's groups (:math:`E^+ P E`, ``E`` the expansion of the groups onto
the sites). A crystal given in a cell less symmetric than itself is tiled over a
cell every operation maps onto itself (:func:`curienn.symmetry.site_group`), so
that :math:`P` commutes with every symmetry of the crystal, not only those of the
cell (a projector that missed some would break them). Layouts whose span is not
mapped onto itself by ``G`` (tied groups of inequivalent sites) are not projected.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from curienn.o3 import Irreps
from curienn.symmetry import SiteGroup, point_group, representation_matrices, site_group

from ._layout import OrderParameterLayout

__all__ = ["input_symmetry", "invariant_projector"]


def input_symmetry(positions, fixed, fixed_irreps: str, cell=None, pbc=None):
    """The symmetry of the search's input and how it permutes the sites.

    Args:
        positions: ``(N, 3)``.
        fixed: ``(N, F)`` fixed per-point features with irreps ``fixed_irreps``
            (points with different features are never exchanged).
        cell, pbc: the lattice (rows) and periodicity, or ``None`` (finite input).

    Returns ``(group, sites)``: the :class:`~curienn.symmetry.PointGroup` of a
    finite input (with its features) or the :class:`~curienn.symmetry.SpaceGroup`
    of a periodic one (spglib, species from the features), and its
    :class:`~curienn.symmetry.SiteGroup` (``None`` when the sites do not follow
    the group). ``(None, None)`` for partly periodic inputs or periodic ones with
    non-scalar features.
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
        return group, SiteGroup(group, group.operations, np.zeros((len(perms), 3)), perms, np.arange(len(pos)), pos)
    if not scalar or not pbc.all():
        return None, None
    try:
        sites = site_group(np.asarray(cell, dtype=np.float64), pos, kinds, symprec=1e-4)
    except ValueError:
        return None, None
    return sites.group, sites


def invariant_projector(layout: OrderParameterLayout, irreps: str,
                        sites: Optional[SiteGroup]) -> tuple[Optional[np.ndarray], int]:
    """``(P (G D, G D), number of operations used)`` (see the module docstring);
    ``(None, 0)`` when there is nothing to project: no components, a masked
    layout, no symmetry, or a layout that ``G`` does not map onto itself."""
    D = Irreps(irreps).dim
    if not D or sites is None or not np.all(layout.mask == 1):
        return None, 0
    n = len(layout.group_of)
    gof = np.asarray(layout.group_of)
    ng = layout.num_groups
    counts = np.bincount(gof[gof >= 0], minlength=ng).astype(np.float64)
    reps = representation_matrices(irreps, sites.rotations)
    acc = np.zeros((ng, ng, D, D))
    for Dg, perm in zip(reps, sites.permutations):
        inv = np.empty_like(perm)
        inv[perm] = np.arange(len(perm))
        i = np.arange(n)
        j = sites.site_of[inv[:n]]  # (T_g T p)_i = D(g) p_j
        a, b = gof[i], gof[j]
        if np.any((a < 0) != (b < 0)):
            return None, 0  # the chosen sites are not mapped onto themselves
        keep = a >= 0
        np.add.at(acc, (a[keep], b[keep]), Dg)
    acc /= len(reps) * counts[:, None, None, None]
    P = acc.transpose(0, 2, 1, 3).reshape(ng * D, ng * D)
    return P, len(reps)
