"""curienn.symmetry: symmetry of point sets, tensors and crystals; character
tables; Curie's principle as a check; symmetry-breaking order parameters.

Operations are 3x3 orthogonal float64 matrices acting on column vectors
(``x -> R x``) in the lab frame of the data; representation matrices of
geometric tensors follow e3nn 0.6.0 (y is the polar axis, an improper ``g``
acts on ``Irrep(l, p)`` as ``p D^l(-g)``).

* :func:`point_group` -- Sym of a finite point set (species, per-point features),
  :class:`PointGroup` with a Schoenflies ``name``; :func:`symmetry_of_signals`
  for points carrying a network's output.
* :func:`tensor_symmetry` -- Sym(x) = {g in G : D(g) x = x}.
* :func:`space_group` -- spglib, :class:`SpaceGroup`.
* :func:`character_table` -- computed from the group, Mulliken labels.
* :func:`breaking_irreps` -- order parameters of parent -> kept.
* :func:`curie_check` -- can an equivariant map turn input into target?
* :func:`random_network_demo` -- random networks keep their input's symmetry (the review's Fig. 2C).
"""

from ._group import (
    close_group,
    describe_operation,
    exactify_group,
    multiplication_table,
    operation_info,
    rotation_matrix,
)
from ._point_group import PointGroup, point_group, schoenflies_name, symmetry_of_signals
from ._tensor import tensor_symmetry
from ._space_group import SpaceGroup, common_operations, space_group
from ._character_table import CharacterTable, GroupIrrep, character_table
from ._breaking import BreakingComponent, BreakingReport, breaking_irreps
from ._curie import CurieReport, curie_check, symmetry_of
from ._demo import CurieDemo, CurieDemoResult, random_network_demo

__all__ = [
    "PointGroup",
    "point_group",
    "symmetry_of_signals",
    "schoenflies_name",
    "tensor_symmetry",
    "SpaceGroup",
    "space_group",
    "common_operations",
    "CharacterTable",
    "GroupIrrep",
    "character_table",
    "BreakingComponent",
    "BreakingReport",
    "breaking_irreps",
    "CurieReport",
    "curie_check",
    "symmetry_of",
    "random_network_demo",
    "CurieDemo",
    "CurieDemoResult",
    "close_group",
    "describe_operation",
    "exactify_group",
    "multiplication_table",
    "operation_info",
    "rotation_matrix",
]
