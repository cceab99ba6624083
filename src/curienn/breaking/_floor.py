r"""The Curie floor: the smallest loss any equivariant model can reach when nothing
breaks the input's symmetry.

An equivariant map sends a point :math:`i` with stabiliser
:math:`S_i = \{g \in G : g\,i = i\}` (``G`` the symmetry group of the input) to an
output invariant under :math:`S_i`: :math:`D(g)\,y_i = y_i`. The best such
:math:`y_i` in mean square is the projection :math:`P_i t_i` of the target with
:math:`P_i = \frac{1}{|S_i|}\sum_{g\in S_i} D(g)`, so for the MSE over all
:math:`N \times D` entries

.. math::

    L_{\min} = \frac{1}{N D} \sum_i \lVert (1 - P_i)\, t_i \rVert^2 .

For the square -> rectangle problem each corner's stabiliser
:math:`\{E, \sigma_d, \sigma_h, C_2'\}` maps :math:`\vec\Delta \to -\vec\Delta`, which
kills every odd-:math:`l` part of the projected target: :math:`L_{\min} = \frac{21}{36}`
of the zero-output loss at ``lmax = 5``.
"""

from __future__ import annotations

import numpy as np

from curienn.symmetry import point_group, representation_matrices

__all__ = ["curie_floor"]


def curie_floor(positions, target, target_irreps: str, species=None, *, tol: float = 1e-6) -> dict:
    """The Curie floor of the MSE for a finite input (see the module docstring).

    Returns ``{"floor", "zero_loss", "ratio", "group", "stabilisers"}`` (orders of
    each point's stabiliser).
    """
    pos = np.asarray(positions, dtype=np.float64)
    t = np.asarray(target, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] != pos.shape[0]:
        raise ValueError(f"target must have shape ({pos.shape[0]}, D), got {t.shape}")
    scale = float(np.abs(pos - pos.mean(0)).max()) or 1.0
    g = point_group(pos, species, tol=tol * scale)
    D = representation_matrices(target_irreps, g.operations)
    perms = g.site_permutations(pos)
    err = 0.0
    orders = []
    for i in range(len(pos)):
        stab = np.nonzero(perms[:, i] == i)[0]
        orders.append(len(stab))
        P = D[stab].mean(axis=0)
        r = t[i] - P @ t[i]
        err += float(r @ r)
    floor = err / t.size
    zero = float((t**2).mean())
    return {"floor": floor, "zero_loss": zero, "ratio": floor / zero if zero else float("nan"),
            "group": g.name, "stabilisers": orders}
