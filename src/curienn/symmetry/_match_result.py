"""The result of :func:`~curienn.symmetry.match_structures`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._structure import Structure

__all__ = ["StructureMatch", "check_displacements"]


def check_displacements(disp: np.ndarray, species, tol: float, what: str) -> None:
    """Raise ``ValueError`` when the largest displacement exceeds ``tol``; the
    message names ``what`` was tried, the atom, its species and the numbers."""
    norms = np.linalg.norm(disp, axis=1)
    worst = int(np.argmax(norms))
    if norms[worst] > tol:
        raise ValueError(
            f"no {what} keeps every displacement below max_displacement={tol:.3f} A: the best moves "
            f"child atom {worst} ({species[worst]}) by {norms[worst]:.3f} A "
            f"(rms {np.sqrt(np.mean(norms ** 2)):.3f} A)"
        )


@dataclass(frozen=True, eq=False)
class StructureMatch:
    """How a child structure sits on its parent.

    Frames: every vector here is in the **parent's Cartesian frame**: the child
    is first undone by the inverse of its homogeneous deformation
    ``A = rotation @ stretch`` (periodic) or by the inverse of its rigid
    rotation (finite), so that the child's atoms land near the parent's sites.

    For child atom ``a`` (in the child's own order)::

        child_position_in_parent_frame[a]
            = parent.positions[parent_index[a]] + translations[a] @ parent.lattice
              + origin_shift + displacements[a]

    and, for a crystal, the child as given is
    ``rotation @ stretch @ child_position_in_parent_frame`` (up to child lattice
    vectors and a rigid translation; for a molecule, ``rotation @ (...)``
    about the centroid).

    Attributes
    ----------
    parent, child: the two :class:`Structure` s as given.
    periodic: True for crystals, False for molecules / finite point sets.
    supercell: ``(3, 3)`` int, rows are the child lattice vectors in the
        parent's fractional coordinates: ``child.lattice[i] = A (supercell @
        parent.lattice)[i]``; ``det = n``, the number of parent cells in the
        child cell. ``None`` for a molecule.
    rotation: ``(3, 3)`` proper rotation ``Q`` (``det = +1``) from the parent
        frame to the child's frame.
    stretch: ``(3, 3)`` symmetric right stretch ``U`` of the cell (identity
        for a molecule).
    origin_shift: ``(3,)`` rigid translation in the parent frame; chosen so
        that the displacements have zero mean (a uniform shift of every atom
        is a change of origin, not a distortion, as in ISODISTORT).
    parent_index: ``(N_child,)`` int, the parent atom each child atom sits on.
    translations: ``(N_child, 3)`` int, the parent lattice translation of that
        site (zeros for a molecule).
    displacements: ``(N_child, 3)`` Angstrom, in the parent frame.
    tolerance: the largest displacement that was allowed (Angstrom).
    """

    parent: Structure
    child: Structure
    periodic: bool
    supercell: np.ndarray | None
    rotation: np.ndarray
    stretch: np.ndarray
    origin_shift: np.ndarray
    parent_index: np.ndarray
    translations: np.ndarray
    displacements: np.ndarray
    tolerance: float

    @property
    def n_cells(self) -> int:
        """Number of parent cells in the child cell (1 for a molecule)."""
        return 1 if self.supercell is None else int(round(abs(np.linalg.det(self.supercell))))

    @property
    def deformation(self) -> np.ndarray:
        """``A = rotation @ stretch`` (acts on column vectors)."""
        return self.rotation @ self.stretch

    @property
    def strain(self) -> np.ndarray:
        r"""Symmetric (Biot) strain ``U - 1`` in the parent frame, ``(3, 3)``:
        :math:`\varepsilon = U - \mathbb{1}`, ``U = (A^T A)^{1/2}``. Zero for a
        molecule. To first order it equals the Green-Lagrange strain."""
        return self.stretch - np.eye(3)

    @property
    def green_lagrange_strain(self) -> np.ndarray:
        r""":math:`E = \tfrac12 (A^T A - \mathbb{1}) = \tfrac12 (U^2 - \mathbb{1})`, ``(3, 3)``."""
        return 0.5 * (self.stretch @ self.stretch - np.eye(3))

    @property
    def max_displacement(self) -> float:
        """Largest ``|displacements[a]|`` (Angstrom)."""
        return float(np.linalg.norm(self.displacements, axis=1).max())

    @property
    def rms_displacement(self) -> float:
        """Root-mean-square displacement per atom (Angstrom)."""
        return float(np.sqrt(np.mean(np.sum(self.displacements ** 2, axis=1))))

    def parent_sites(self) -> np.ndarray:
        """``(N_child, 3)``: the undistorted position of each child atom in
        the parent frame, ``parent.positions[j] + t @ parent.lattice + origin_shift``."""
        pos = self.parent.positions[self.parent_index] + self.origin_shift
        if self.periodic:
            pos = pos + self.translations @ self.parent.lattice
        return pos

    def child_in_parent_frame(self) -> np.ndarray:
        """``(N_child, 3)``: the child's atoms with the cell deformation (or
        the rigid rotation) undone, ``parent_sites() + displacements``."""
        return self.parent_sites() + self.displacements

    def to_dict(self) -> dict:
        return {
            "periodic": self.periodic,
            "supercell": None if self.supercell is None else self.supercell.tolist(),
            "n_cells": self.n_cells,
            "rotation": self.rotation.round(12).tolist(),
            "strain": self.strain.round(12).tolist(),
            "green_lagrange_strain": self.green_lagrange_strain.round(12).tolist(),
            "origin_shift": self.origin_shift.round(12).tolist(),
            "parent_index": self.parent_index.tolist(),
            "translations": self.translations.tolist(),
            "displacements": self.displacements.round(12).tolist(),
            "max_displacement": self.max_displacement,
            "rms_displacement": self.rms_displacement,
            "tolerance": self.tolerance,
        }

    def __str__(self) -> str:
        kind = "crystal" if self.periodic else "finite"
        lines = [f"structure match ({kind}, {len(self.child)} child atoms on {len(self.parent)} parent atoms)"]
        if self.periodic:
            lines.append(f"  supercell {self.supercell.tolist()} ({self.n_cells} parent cells)")
            lines.append(f"  strain (U - 1) diagonal {(np.round(np.diag(self.strain), 6) + 0.0).tolist()}, "
                         f"|strain| = {np.linalg.norm(self.strain):.3g}")
        angle = np.degrees(np.arccos(np.clip((np.trace(self.rotation) - 1) / 2, -1, 1)))
        lines.append(f"  rigid rotation {angle:.3f} deg, origin shift {(np.round(self.origin_shift, 6) + 0.0).tolist()} A")
        lines.append(f"  largest displacement {self.max_displacement:.4f} A (allowed {self.tolerance:.3f} A), "
                     f"rms {self.rms_displacement:.4f} A")
        return "\n".join(lines)

    __repr__ = __str__
