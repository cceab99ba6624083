"""Labels of space-group irreps: CDML where we can justify them, Mulliken
labels of the little co-group where those are meaningful, numbers otherwise.

1. **Mulliken label of the little co-group.** At Gamma, and at any ``k``
   where every operation of the little group occurs without a fractional
   translation at the chosen origin (a symmorphic group with the origin at a
   point of full site symmetry), the small irrep is
   :math:`e^{-2\\pi i k\\cdot t}` times an ordinary irrep of the little
   co-group ``G_k``; its (real, physically irreducible) character is matched
   against :func:`~curienn.symmetry.character_table` of ``G_k`` in the
   standard Cartesian frame. The result is written ``"X:Eg"``.
2. **CDML (Cracknell-Davies-Miller-Love, used by ISOTROPY/ISODISTORT and the
   Bilbao server)** for Pm-3m (No. 221) at GM, X, M and R, from the Mulliken
   label: at GM and R (``G_k = O_h``) A1, A2, E, T1, T2 -> 1..5; at
   X (0,1/2,0) and M (1/2,1/2,0) (``G_k = D_4h``, B1 symmetric under the
   two-fold axes along the cubic axes) A1, B1, A2, B2, E -> 1..5; g/u -> +/-.
   These reproduce the Bilbao tables' characters for 221 (checked for every
   irrep at the four points). They depend on the origin: with the B cation
   of a perovskite at the origin the Pnma tilts are M3+ + R4+, with the A
   cation there M2+ + R5-.
3. Otherwise (non-symmorphic groups away from Gamma, or an origin of lower
   site symmetry) the irreps of a star are numbered ``"k(1/4,0,0)#2"`` in a
   fixed order (dimension, then characters), with the dimension given
   separately.
"""

from __future__ import annotations

import numpy as np

from ._character_table import character_table
from ._group import find_operation

__all__ = ["irrep_label", "CDML_PM3M"]

#: Mulliken core label -> CDML index, per little co-group, for Pm-3m (221)
CDML_PM3M = {
    "GM": {"A1": 1, "A2": 2, "E": 3, "T1": 4, "T2": 5},
    "R": {"A1": 1, "A2": 2, "E": 3, "T1": 4, "T2": 5},
    "X": {"A1": 1, "B1": 2, "A2": 3, "B2": 4, "E": 5},
    "M": {"A1": 1, "B1": 2, "A2": 3, "B2": 4, "E": 5},
}


def mulliken_label(cartesian_ops: np.ndarray, characters: np.ndarray) -> tuple[str, str]:
    """``(label, group name)`` of the real irrep of the point group
    ``cartesian_ops`` ``(n, 3, 3)`` whose character per operation is
    ``characters`` ``(n,)`` (real); ``("", name)`` when none matches."""
    ct = character_table(cartesian_ops, atol=1e-4)
    order = np.array([find_operation(ct.operations, R, 1e-4) for R in cartesian_ops])
    for ir in ct.irreps:
        if np.allclose(ir.op_characters[order], characters, atol=1e-6):
            return ir.label, ct.name
    return "", ct.name


def irrep_label(star: str, number: int, cartesian_ops: np.ndarray, characters: np.ndarray,
                symmorphic_here: bool) -> tuple[str, str, str]:
    """Label one physically irreducible representation.

    Args:
        star: the star's name (``"GM"``, ``"X"``, ``"k(0,0,1/4)"``, ...).
        number: the parent's space group number.
        cartesian_ops: ``(n, 3, 3)`` the little co-group in the standard frame.
        characters: ``(n,)`` the real character of the physical irrep of the
            little group on those operations, with the translation phases of
            their representatives removed (see :func:`_point_characters`).
        symmorphic_here: whether the representatives carry no fractional
            translation at this origin (or ``k`` is Gamma).

    Returns:
        ``(label, mulliken, little_cogroup)``; ``label`` is ``""`` when only a
        number can be given (the caller numbers the irreps).
    """
    if not symmorphic_here:
        return "", "", ""
    mull, group = mulliken_label(cartesian_ops, characters)
    if not mull:
        return "", "", group
    core, parity = (mull[:-1], mull[-1]) if mull[-1] in "gu" else (mull, "")
    table = CDML_PM3M.get(star) if number == 221 else None
    if table is not None and core in table and parity:
        return f"{star}{table[core]}{'+' if parity == 'g' else '-'}", mull, group
    return f"{star}:{mull}", mull, group
