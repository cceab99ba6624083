r"""Mode decomposition of a molecule (a finite point set): per-atom fields split
into the irreps of the parent's point group.

With ``G`` the point group of the parent (species-aware, about its centroid)
acting on a per-atom field by :math:`(T_g v)_{g\cdot j} = D(g)\, v_j`, the
isotypic projector of a real irrep :math:`\Gamma` of ``G``
(:func:`~curienn.symmetry.character_table`) is

.. math:: P_\Gamma = \sum_{g \in G} w_\Gamma(g)\, T_g ,

and :math:`v = \sum_\Gamma P_\Gamma v` with :math:`|v|^2 = \sum_\Gamma |P_\Gamma v|^2`.
The amplitude of :math:`\Gamma` is :math:`|P_\Gamma v|` (Angstrom for
displacements). Methane with one stretched C-H bond: ``A1`` (the breathing part,
which breaks nothing) and ``T2`` (the part that lowers Td to C3v).
"""

from __future__ import annotations

import numpy as np

from ._character_table import character_table
from ._field_type import field_representation
from ._group import find_operation
from ._mode_result import IrrepAmplitude, ModeDecomposition
from ._point_group import point_group

__all__ = ["molecule_mode_decomposition"]


def molecule_mode_decomposition(match, fields: dict, tol: float) -> ModeDecomposition:
    """The finite branch of :func:`~curienn.symmetry.mode_decomposition`.

    ``fields``: ``{name: (values (N_child, dim) in the parent frame, irreps)}``;
    ``tol``: distance tolerance (Angstrom) for the parent's point group.
    """
    p = match.parent
    group = point_group(p.positions, list(p.species), tol=tol)
    table = character_table(group)
    ops = table.operations
    perms = group.site_permutations(p.positions, atol=max(10 * tol, 1e-6))
    if not np.array_equal(ops, group.operations):  # the table put the identity first
        perms = perms[[find_operation(group.operations, R) for R in ops]]
    modes = []
    for name, (values, irreps) in fields.items():
        v = np.zeros((len(p), values.shape[1]))
        v[match.parent_index] = values
        D = field_representation(irreps, ops)
        moved = np.zeros((len(ops),) + v.shape)
        for g, (Dg, perm) in enumerate(zip(D, perms)):
            moved[g, perm] = v @ Dg.T
        total, got = float(np.sum(v ** 2)), 0.0
        for ir in table.irreps:
            proj = np.einsum("g,gnd->nd", ir.proj_weights, moved)
            amp = float(np.linalg.norm(proj))
            got += amp ** 2
            modes.append(IrrepAmplitude(name, irreps, ir.label, "GM", np.zeros((1, 3)), ir.label, table.name,
                                        ir.dim, amp, amp, proj[match.parent_index]))
        if abs(got - total) > 1e-8 * max(total, 1e-30) + 1e-20:  # pragma: no cover - a bug guard
            raise RuntimeError(f"irrep amplitudes of {name!r} add up to {got:.12g}, not |v|^2 = {total:.12g}")
    return ModeDecomposition(match, group.name, 0, "the parent's centroid (point-group irreps)", np.zeros((1, 3)),
                             modes, None, np.eye(3))
