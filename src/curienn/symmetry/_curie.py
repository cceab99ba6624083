"""Curie's principle as a check.

An equivariant map ``f`` with ``f(D_in(g) x) = D_out(g) f(x)`` sends every
symmetry of its input to a symmetry of its output: ``Sym(x) <= Sym(f(x))``
(Smidt, Geiger & Miller 2021). So a map from ``input`` to ``target`` can exist
only if every operation of ``Sym(input)`` is an operation of
``Sym(target)``; the operations of ``Sym(input)`` missing from ``Sym(target)``
are the symmetry the input must lose (its "symmetry-breaking" order
parameter: the components listed by :func:`breaking_irreps`, from
``Sym(input)`` to ``Sym(input) cap Sym(target)``).

Inputs and targets may be
* point sets: ``(N, 3)`` arrays, ``(points, species)`` tuples, non-periodic ASE
  ``Atoms`` or ready :class:`PointGroup` objects (compared as affine maps about
  their centres, so both must be given in the same frame);
* crystals: periodic ASE ``Atoms`` or :class:`SpaceGroup` objects, both in the
  same cell (setting and origin); operations ``(W, w)`` are compared with the
  translation modulo lattice vectors;
* geometric tensors: an array with ``irreps_input=`` / ``irreps_target=``;
  their symmetry is taken inside ``group`` (or, for a tensor target, inside
  ``Sym(input)``, which is all the check needs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._breaking import breaking_irreps
from ._group import close_group, describe_operation, schoenflies_name
from ._point_group import PointGroup, affine_in, point_group
from ._space_group import SpaceGroup, common_operations, space_group
from ._tensor import tensor_symmetry

__all__ = ["CurieReport", "curie_check", "symmetry_of", "symmetry_of_signals"]


@dataclass
class CurieReport:
    """Result of :func:`curie_check`.

    ``kind``: "point group" or "space group"; ``input_symmetry``,
    ``target_symmetry``: :class:`PointGroup` or :class:`SpaceGroup`;
    ``lost``: the operations of Sym(input) not in Sym(target) (3x3 matrices, or
    ``(W, w)`` pairs for crystals) with readable ``lost_names``; ``kept``:
    Sym(input) cap Sym(target) as a :class:`PointGroup` (for crystals, the
    point-group parts of the common operations); ``allowed``: whether an
    equivariant map input -> target can exist; ``breaking``: a
    :class:`BreakingReport` when ``lmax`` was given and something is lost.
    """

    kind: str
    input_symmetry: object
    target_symmetry: object
    lost: list
    lost_names: list
    kept: PointGroup | None
    allowed: bool
    breaking: object = None
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "input": _sym_dict(self.input_symmetry),
            "target": _sym_dict(self.target_symmetry),
            "kept": None if self.kept is None else {"name": self.kept.name, "order": len(self.kept.operations)},
            "lost": self.lost_names,
            "n_lost": len(self.lost),
            "allowed": self.allowed,
            "breaking": None if self.breaking is None else self.breaking.to_dict(),
            "notes": self.notes,
        }

    def __str__(self) -> str:
        lines = [
            f"Sym(input)  = {_sym_line(self.input_symmetry)}",
            f"Sym(target) = {_sym_line(self.target_symmetry)}",
        ]
        if self.kept is not None:
            lines.append(f"common      = {self.kept.name} (order {len(self.kept.operations)})")
        if self.allowed:
            lines.append("Sym(input) is contained in Sym(target): an equivariant map input -> target CAN exist.")
        else:
            lines.append(
                f"{len(self.lost)} operation(s) of Sym(input) are not symmetries of the target: "
                "no equivariant map input -> target exists (Curie's principle); "
                "the input lacks the symmetry-breaking information."
            )
            shown = self.lost_names[:24]
            lines += [f"  lost: {n}" for n in shown]
            if len(self.lost_names) > len(shown):
                lines.append(f"  ... and {len(self.lost_names) - len(shown)} more")
        for n in self.notes:
            lines.append(f"note: {n}")
        if self.breaking is not None:
            lines.append(str(self.breaking))
        return "\n".join(lines)

    __repr__ = __str__


def _sym_dict(s) -> dict:
    if isinstance(s, SpaceGroup):
        return {"space_group": s.international, "number": s.number, "order": s.order,
                "point_group": s.point_group_hm}
    return {"point_group": s.name, "order": None if s.infinite else len(s.operations)}


def _sym_line(s) -> str:
    if isinstance(s, SpaceGroup):
        return f"{s.international} ({s.number}), {s.order} operations in the cell"
    order = "∞" if s.infinite else len(s.operations)
    return f"{s.name} (order {order})"


def _is_atoms(x) -> bool:
    return hasattr(x, "get_positions") and hasattr(x, "pbc")


def symmetry_of(obj, *, tol: float = 1e-2, symprec: float = 1e-3, angle_tolerance: float = -1.0,
                irreps=None, group=None, tensor_tol: float = 1e-6):
    """Sym of a point set, crystal or tensor (see the module docstring):
    a :class:`PointGroup` or a :class:`SpaceGroup`."""
    if isinstance(obj, (PointGroup, SpaceGroup)):
        return obj
    if irreps is not None:
        if group is None:
            raise ValueError("the symmetry of a tensor is taken inside a finite group: pass group=")
        return tensor_symmetry(obj, irreps, group, tol=tensor_tol)
    if _is_atoms(obj):
        if all(obj.pbc):
            return space_group(obj, symprec=symprec, angle_tolerance=angle_tolerance)
        if any(obj.pbc):
            raise ValueError(f"structure is periodic along some axes only (pbc={list(obj.pbc)})")
        return point_group(obj, tol=tol)
    if isinstance(obj, tuple) and len(obj) == 2:
        return point_group(obj[0], obj[1], tol=tol)
    return point_group(obj, tol=tol)


def curie_check(input, target, *, tol: float = 1e-2, symprec: float = 1e-3, angle_tolerance: float = -1.0,
                irreps_input=None, irreps_target=None, group=None, tensor_tol: float = 1e-6,
                lmax: int | None = None) -> CurieReport:
    """Report Sym(input), Sym(target), the operations of Sym(input) missing from
    Sym(target), and whether an equivariant map input -> target can exist.

    ``tol``: distance tolerance for point sets (absolute, their units);
    ``symprec``/``angle_tolerance``: spglib's, for crystals; ``tensor_tol``:
    for tensors. ``lmax``: also list the breaking irreps up to this l
    (:func:`breaking_irreps` from Sym(input) to the common subgroup; for
    crystals, of the point-group parts, i.e. uniform k = 0 order parameters).
    """
    s_in = symmetry_of(input, tol=tol, symprec=symprec, angle_tolerance=angle_tolerance,
                       irreps=irreps_input, group=group, tensor_tol=tensor_tol)
    if irreps_target is not None and group is None:
        if not isinstance(s_in, PointGroup):
            raise ValueError("a tensor target needs group= (or a point-set input)")
        s_out = tensor_symmetry(target, irreps_target, s_in, tol=tensor_tol)
    else:
        s_out = symmetry_of(target, tol=tol, symprec=symprec, angle_tolerance=angle_tolerance,
                            irreps=irreps_target, group=group, tensor_tol=tensor_tol)
    if isinstance(s_in, SpaceGroup) != isinstance(s_out, SpaceGroup):
        raise ValueError("cannot compare a crystal with a finite object: give two crystals or two finite ones")
    notes = []
    if isinstance(s_in, SpaceGroup):
        mask = common_operations(s_in, s_out)
        lost = [(W, w) for W, w, m in zip(s_in.rotations, s_in.translations, mask) if not m]
        names = [n for n, m in zip(s_in.describe(), mask) if not m]
        parent = s_in.point_group()
        kept_rot = close_group(s_in.cartesian_rotations[mask], atol=1e-4)
        kept = PointGroup(schoenflies_name(kept_rot), kept_rot, np.zeros(3), s_in.symprec)
        kind = "space group"
        if lmax is not None:
            notes.append("breaking irreps for crystals use the point-group parts of the operations "
                         "(uniform, k = 0 order parameters); zone-boundary order (lost pure "
                         "translations) is not resolved by them")
    else:
        keep, lost = [], []
        for R in s_in.operations:
            (keep if _contains_affine(s_out, R, s_in.center) else lost).append(R)
        names = [describe_operation(R) for R in lost]
        kept_ops = np.array(keep)
        kept = PointGroup(schoenflies_name(kept_ops), kept_ops, s_in.center, s_in.tol)
        if s_in.infinite and s_out.infinite and not lost:
            kept = s_in
        parent = s_in
        kind = "point group"
        if s_in.infinite or s_out.infinite:
            notes.append("linear groups are compared through their finite approximants")
    breaking = None
    if lmax is not None and lost:
        breaking = breaking_irreps(parent, kept, lmax=lmax)
    return CurieReport(kind, s_in, s_out, lost, names, kept, not lost, breaking, notes)


def _contains_affine(group: PointGroup, R, center, atol: float = 1e-4) -> bool:
    return affine_in(R, center, group, atol)


def symmetry_of_signals(points, signals, irreps, species=None, *, tol: float = 1e-2,
                        signal_tol: float | None = None):
    """Sym of points decorated with per-point signals (e.g. a network's output):
    the operations g about the centroid with ``g r_i ~ r_pi(i)`` and
    ``D_irreps(g) s_i ~ s_pi(i)``. ``signals``: ``(N, irreps.dim)`` (numpy or torch).

    This is what the Curie demonstration compares with the symmetry of the
    network's input: for an equivariant network, Sym(input) must be a subgroup
    (``g_in.is_subgroup_of(g_out)``, or :func:`curie_check` on the two groups).
    ``signal_tol`` defaults to ``tol``. For a periodic ASE ``Atoms`` the result
    is a :class:`SpaceGroup` (``tol`` is then spglib's ``symprec``).
    """
    if hasattr(points, "pbc") and hasattr(points, "get_positions") and all(points.pbc):
        return space_group(points, symprec=tol, features=signals, irreps=irreps, feature_tol=signal_tol)
    return point_group(points, species, tol=tol, features=signals, irreps=irreps, feature_tol=signal_tol)
