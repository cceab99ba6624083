"""curienn.symmetry: symmetry of point sets, tensors and crystals; character
tables; Curie's principle as a check; symmetry-breaking order parameters.

Operations are 3x3 orthogonal float64 matrices acting on column vectors
(``x -> R x``) in the lab frame of the data; representation matrices of
geometric tensors follow e3nn 0.6.0 (y is the polar axis, an improper ``g``
acts on ``Irrep(l, p)`` as ``p D^l(-g)``).

The package is numpy (and scipy/spglib) code: importing it does not load
torch; :func:`representation_matrices` loads :mod:`curienn.o3` when called.

* :func:`point_group` -- Sym of a finite point set (species, per-point features),
  :class:`PointGroup` with a Schoenflies ``name`` and
  :meth:`PointGroup.site_permutations`; :func:`symmetry_of_signals` for points
  carrying a network's output.
* :func:`tensor_symmetry` -- Sym(x) = {g in G : D(g) x = x}.
* :func:`space_group` -- spglib, :class:`SpaceGroup` (with
  :meth:`SpaceGroup.site_permutations`).
* :func:`character_table` -- computed from the group, Mulliken labels.
* :func:`breaking_irreps` -- order parameters of parent -> kept.
* :func:`curie_check` -- can an equivariant map turn input into target?
* :func:`match_structures` -- a distorted child onto its parent: supercell,
  rotation, strain, origin, atom mapping, displacements (crystals and molecules).
* :func:`decompose_strain` -- the cell change in irreps of the parent point group.
* :func:`commensurate_kpoints`, :func:`kpoint_stars`, :func:`kpoint_name` --
  the wave vectors a supercell holds and their names.
* :func:`mode_decomposition` -- amplitudes per irrep of the parent space group
  (ISODISTORT-style, CDML labels for Pm-3m), for displacements and any
  per-site field.
* :func:`site_group` -- the whole group of a crystal (or molecule) acting on its
  sites as permutations, a less symmetric supercell tiled until every
  operation maps it onto itself.
* :func:`analyse_pair` -- one analysis of a parent/child pair (match, Curie
  check in the parent's frame, breaking irreps, mode decomposition, which
  order parameters can carry the breaking): what ``curienn symmetry check``
  and ``curienn order-parameter`` both report.
* :func:`representation_matrices`, :func:`component_labels` -- ``D(g)`` of
  O(3) irreps as numpy arrays, and the ``"2e m=2"`` names of their components.

The random-network demonstration of Curie's principle needs the networks and
lives in :func:`curienn.breaking.random_network_demo`.
"""

from ._group import (
    close_group,
    describe_operation,
    exactify_group,
    multiplication_table,
    operation_info,
    rotation_matrix,
    schoenflies_name,
)
from ._representation import component_labels, representation_matrices, representation_matrix
from ._point_group import PointGroup, point_group
from ._tensor import tensor_symmetry
from ._space_group import SpaceGroup, common_operations, space_group
from ._character_table import CharacterTable, GroupIrrep, character_table
from ._breaking import BreakingComponent, BreakingReport, breaking_irreps
from ._curie import CurieReport, curie_check, symmetry_of, symmetry_of_signals
from ._structure import Structure, as_structure
from ._supercell import SupercellCandidate, lattice_points_in_supercell, polar_decomposition, supercell_candidates
from ._match_result import StructureMatch
from ._match import default_max_displacement, match_structures
from ._molecule_match import kabsch
from ._strain import StrainComponent, StrainDecomposition, decompose_strain
from ._kpoints import commensurate_kpoints, kpoint_name, kpoint_stars
from ._field_type import field_dim, field_representation, parse_field_type
from ._parent_setting import ParentSetting, parent_setting
from ._mode_result import IrrepAmplitude, ModeDecomposition
from ._modes import mode_decomposition
from ._site_group import SiteGroup, site_group
from ._pair import PairAnalysis, analyse_pair

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
    "component_labels",
    "representation_matrix",
    "representation_matrices",
    "close_group",
    "describe_operation",
    "exactify_group",
    "multiplication_table",
    "operation_info",
    "rotation_matrix",
    "Structure",
    "as_structure",
    "StructureMatch",
    "match_structures",
    "default_max_displacement",
    "kabsch",
    "SupercellCandidate",
    "supercell_candidates",
    "polar_decomposition",
    "lattice_points_in_supercell",
    "StrainComponent",
    "StrainDecomposition",
    "decompose_strain",
    "commensurate_kpoints",
    "kpoint_stars",
    "kpoint_name",
    "parse_field_type",
    "field_dim",
    "field_representation",
    "ParentSetting",
    "parent_setting",
    "IrrepAmplitude",
    "ModeDecomposition",
    "mode_decomposition",
    "SiteGroup",
    "site_group",
    "PairAnalysis",
    "analyse_pair",
]
