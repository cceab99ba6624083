"""Labels of space-group irreps: CDML where we can justify them, Mulliken
labels of the little co-group where those are meaningful, numbers otherwise.

1. **Mulliken label of the little co-group.** Where the small irreps are
   ordinary irreps of the little co-group ``G_k`` on spglib's coset
   representatives ``(W, w)`` (translations in [0, 1)) -- always at Gamma;
   everywhere for a symmorphic group with the origin at a point of full site
   symmetry; at the k where ``k . t`` is an integer for the lattice part ``t``
   of every product of representatives otherwise (e.g. Z of P4/mbm) -- the
   physically irreducible character is matched against
   :func:`~curienn.symmetry.character_table` of ``G_k`` in the standard
   Cartesian frame. The result is written ``"X:Eg"``. For non-symmorphic
   groups such a label refers to spglib's representatives.
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

__all__ = ["LittleCogroupLabels", "CDML_PM3M"]

#: Mulliken core label -> CDML index, per little co-group, for Pm-3m (221)
CDML_PM3M = {
    "GM": {"A1": 1, "A2": 2, "E": 3, "T1": 4, "T2": 5},
    "R": {"A1": 1, "A2": 2, "E": 3, "T1": 4, "T2": 5},
    "X": {"A1": 1, "B1": 2, "A2": 3, "B2": 4, "E": 5},
    "M": {"A1": 1, "B1": 2, "A2": 3, "B2": 4, "E": 5},
}


_TABLES: dict = {}


def _table(ops: np.ndarray):
    """The character table of a little co-group (cached: a report labels the
    target and every learned field over the same parent)."""
    key = np.round(np.asarray(ops, dtype=np.float64), 6).tobytes()
    if key not in _TABLES:
        if len(_TABLES) > 256:
            _TABLES.clear()
        _TABLES[key] = character_table(ops, atol=1e-4)
    return _TABLES[key]


class LittleCogroupLabels:
    """Labels for the irreps of one star (the little co-group's character
    table is computed once).

    Args:
        star: the star's name (``"GM"``, ``"X"``, ``"k(0,0,1/4)"``, ...).
        number: the parent's space group number.
        cartesian_ops: ``(n, 3, 3)`` the little co-group in the standard frame.
        ordinary: whether the small irreps are ordinary irreps of the little
            co-group on spglib's representatives (see point 1 above).
    """

    def __init__(self, star: str, number: int, cartesian_ops: np.ndarray, ordinary: bool):
        self.star, self.number, self.ordinary = star, number, ordinary
        self.table = _table(cartesian_ops) if ordinary else None
        if ordinary:
            self.order = np.array([find_operation(self.table.operations, R, 1e-4) for R in cartesian_ops])

    def __call__(self, characters) -> tuple[str, str, str]:
        """``(label, mulliken, little_cogroup)`` of the physical irrep whose real
        character on the representatives is ``characters`` ``(n,)``; ``label``
        is ``""`` when only a number can be given (the caller numbers it)."""
        if not self.ordinary:
            return "", "", ""
        mull = next((ir.label for ir in self.table.irreps
                     if np.allclose(ir.op_characters[self.order], characters, atol=1e-6)), "")
        if not mull:
            return "", "", self.table.name
        core, parity = (mull[:-1], mull[-1]) if mull[-1] in "gu" else (mull, "")
        cdml = CDML_PM3M.get(self.star) if self.number == 221 else None
        if cdml is not None and core in cdml and parity:
            return f"{self.star}{cdml[core]}{'+' if parity == 'g' else '-'}", mull, self.table.name
        return f"{self.star}:{mull}", mull, self.table.name
