"""Space groups of crystals through spglib.

An operation is a pair ``(W, w)``: ``W`` an integer 3x3 matrix acting on
fractional coordinates and ``w`` a fractional translation, ``x -> W x + w``,
in the basis of the structure's own cell (spglib returns every operation of the
given cell, so pure translations of a supercell are operations too). With
lattice vectors as the rows of ``L`` (ASE/spglib convention), the Cartesian
form is ``R = L^T W L^{-T}``, ``t = L^T w``.

Tolerances are spglib's: ``symprec`` a Cartesian distance (in the units of the
positions, Angstrom for ASE), ``angle_tolerance`` in degrees (-1: spglib's
automatic choice).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ._group import as_array, check_tol, close_group, schoenflies_name
from ._point_group import PointGroup
from ._representation import irreps_dim, representation_matrices

__all__ = ["SpaceGroup", "space_group", "common_operations"]


@dataclass(eq=False)
class SpaceGroup:
    """Result of :func:`space_group`.

    Attributes: ``number`` (1-230), ``international`` (Hermann-Mauguin, e.g.
    ``"Pnma"``), ``schoenflies`` (e.g. ``"D2h^16"``), ``hall``,
    ``point_group_hm`` (e.g. ``"mmm"``), ``rotations`` ``(n, 3, 3)`` int and
    ``translations`` ``(n, 3)`` (fractional, in the input cell), ``lattice``
    (rows are lattice vectors), ``symprec``, ``angle_tolerance``.
    """

    number: int
    international: str
    schoenflies: str
    hall: str
    point_group_hm: str
    rotations: np.ndarray
    translations: np.ndarray
    lattice: np.ndarray
    symprec: float
    angle_tolerance: float

    @property
    def name(self) -> str:
        return f"{self.international} ({self.number})"

    @property
    def order(self) -> int:
        """Number of operations in the given cell (including supercell translations)."""
        return len(self.rotations)

    @property
    def cartesian_rotations(self) -> np.ndarray:
        L = self.lattice
        return np.einsum("ij,njk,kl->nil", L.T, self.rotations, np.linalg.inv(L.T))

    @property
    def cartesian_translations(self) -> np.ndarray:
        return self.translations @ self.lattice

    def point_group(self):
        """The isogonal point group: the distinct Cartesian rotation parts, as a
        :class:`~curienn.symmetry.PointGroup` (about the origin)."""
        ops = close_group(self.cartesian_rotations, atol=1e-4)
        return PointGroup(schoenflies_name(ops), ops, np.zeros(3), self.symprec)

    def contains(self, W, w, atol: float | None = None) -> bool:
        """Whether ``(W, w)`` (fractional, same cell) is an operation: equal
        rotation part and translations equal modulo lattice vectors within
        ``atol`` (Cartesian; default ``2 symprec``)."""
        atol = 2 * self.symprec if atol is None else atol
        W = np.asarray(W)
        same = np.all(np.abs(self.rotations - W[None]) < 1e-6, axis=(1, 2))
        if not same.any():
            return False
        dw = self.translations[same] - np.asarray(w, dtype=np.float64)[None]
        dw -= np.round(dw)
        return bool((np.linalg.norm(dw @ self.lattice, axis=1) <= atol).any())

    def site_permutations(self, positions, *, fractional: bool = False, atol: float | None = None) -> np.ndarray:
        r"""How each operation permutes the sites: ``perm`` ``(order, N)`` int with

        .. math:: W_k x_i + w_k \equiv x_{\mathrm{perm}[k, i]} \pmod{\text{lattice}}

        for the fractional coordinates :math:`x_i` of ``positions`` (Cartesian,
        or fractional with ``fractional=True``) in this group's ``lattice``;
        the nearest image by minimum-image Cartesian distance. Raises
        ``ValueError`` naming the operation and the site when an image is more
        than ``atol`` (default ``2 symprec``) from every site.
        """
        P = as_array(positions, "positions", 2)
        if P.shape[1] != 3:
            raise ValueError(f"positions must have shape (N, 3), got {P.shape}")
        from scipy.spatial import cKDTree

        frac = P if fractional else np.linalg.solve(self.lattice.T, P.T).T
        atol = 2 * self.symprec if atol is None else atol
        wrapped = frac - np.floor(frac)
        wrapped[wrapped >= 1.0] = 0.0
        tree = cKDTree(wrapped, boxsize=1.0 + 1e-12)
        images = np.einsum("kij,nj->kni", self.rotations, frac) + self.translations[:, None, :]
        images -= np.floor(images)
        images[images >= 1.0] = 0.0
        _, perms = tree.query(images.reshape(-1, 3))
        perms = perms.reshape(self.order, len(frac)).astype(np.int64)
        diff = images - wrapped[perms]
        diff -= np.round(diff)
        err = np.linalg.norm(diff @ self.lattice, axis=2)
        if err.size and err.max() > atol:
            k, i = np.unravel_index(int(err.argmax()), err.shape)
            raise ValueError(f"operation {k} ({_jones(self.rotations[k], self.translations[k])}) maps site {i} "
                             f"{err[k, i]:.3g} away from every site (atol {atol:.3g}): the sites lack this symmetry")
        return perms

    def describe(self) -> list[str]:
        """``x, y, z``-style symbols (Jones faithful notation) of the operations."""
        return [_jones(W, w) for W, w in zip(self.rotations, self.translations)]

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "international": self.international,
            "schoenflies": self.schoenflies,
            "hall": self.hall,
            "point_group": self.point_group_hm,
            "order": self.order,
            "symprec": self.symprec,
            "angle_tolerance": self.angle_tolerance,
            "rotations": self.rotations.tolist(),
            "translations": self.translations.round(10).tolist(),
            "operations": self.describe(),
        }

    def __str__(self) -> str:
        return (
            f"space group {self.international} ({self.number}), Schoenflies {self.schoenflies}, "
            f"point group {self.point_group_hm}; {self.order} operations in the given cell "
            f"(symprec {self.symprec:g})"
        )

    __repr__ = __str__


def _frac(v: float) -> str:
    f = Fraction(float(v)).limit_denominator(48)
    return "" if f == 0 else (f"+{f}" if f > 0 else f"{f}")


def _jones(W, w) -> str:
    out = []
    for i in range(3):
        s = ""
        for j, c in enumerate("xyz"):
            k = int(W[i][j])
            if k:
                s += ("+" if k > 0 and s else "") + ("-" if k < 0 else "") + (str(abs(k)) if abs(k) != 1 else "") + c
        out.append(s + _frac(w[i] - np.floor(w[i] + 1e-9)))
    return ", ".join(out)


def _cell_of(structure):
    if hasattr(structure, "get_scaled_positions") and hasattr(structure, "cell"):
        if not all(structure.pbc):
            raise ValueError("a space group needs a periodic structure (pbc on all three axes)")
        lattice = np.asarray(structure.cell[:], dtype=np.float64)
        if abs(np.linalg.det(lattice)) < 1e-12:
            raise ValueError("the structure's cell is singular")
        return lattice, structure.get_scaled_positions(wrap=True), np.asarray(structure.numbers)
    try:
        lattice, positions, numbers = structure
    except (TypeError, ValueError) as exc:
        raise ValueError("give an ASE Atoms or a (lattice, fractional positions, numbers) tuple") from exc
    lattice = np.asarray(lattice, dtype=np.float64)
    positions = np.asarray(positions, dtype=np.float64)
    if lattice.shape != (3, 3) or positions.ndim != 2 or positions.shape[1] != 3:
        raise ValueError(f"bad cell: lattice {lattice.shape}, positions {positions.shape}")
    if len(positions) == 0:
        raise ValueError("the structure has no atoms")
    if not (np.all(np.isfinite(lattice)) and np.all(np.isfinite(positions))):
        raise ValueError("the structure contains NaN or infinite values")
    return lattice, positions, np.asarray(numbers)


def space_group(structure, *, symprec: float = 1e-3, angle_tolerance: float = -1.0,
                features=None, irreps=None, feature_tol: float | None = None) -> SpaceGroup:
    """Space group of a periodic structure (ASE ``Atoms`` or a spglib cell tuple)
    through ``spglib.get_symmetry_dataset``.

    ``symprec``: Cartesian distance tolerance (Angstrom for ASE); must be > 0.
    ``angle_tolerance``: degrees, -1 for spglib's default.
    ``features``: optional ``(N, dim)`` per-atom geometric tensors with
    ``irreps`` (e.g. the per-B rotation pseudovectors, ``"1e"``): only the
    operations ``(W, w)`` with ``D(R) f_i = f_{pi(i)}`` within ``feature_tol``
    (default ``symprec``) are kept, and the type of that subgroup is identified
    with ``spglib.get_spacegroup_type_from_symmetry``.
    Raises ``ValueError`` for non-periodic/empty/NaN structures, ``symprec <= 0``,
    or when spglib fails.
    """
    import spglib

    symprec = check_tol(symprec, "symprec")
    lattice, positions, numbers = _cell_of(structure)
    if len(positions) == 0:
        raise ValueError("the structure has no atoms")
    if not (np.all(np.isfinite(lattice)) and np.all(np.isfinite(positions))):
        raise ValueError("the structure contains NaN or infinite values")
    cell = (lattice, positions, numbers)
    err = getattr(spglib, "error", None)  # spglib >= 2.5: raise instead of warn
    old = getattr(err, "OLD_ERROR_HANDLING", None)
    try:
        if old is not None:
            err.OLD_ERROR_HANDLING = False
        try:
            ds = spglib.get_symmetry_dataset(cell, symprec=symprec, angle_tolerance=angle_tolerance)
            sch = spglib.get_spacegroup(cell, symprec=symprec, angle_tolerance=angle_tolerance, symbol_type=1)
        except Exception as exc:  # spglib.SpglibError and friends
            raise ValueError(f"spglib could not find the symmetry: {exc}") from exc
    finally:
        if old is not None:
            err.OLD_ERROR_HANDLING = old
    if ds is None:
        raise ValueError("spglib could not find the symmetry (check the structure and symprec)")
    sg = SpaceGroup(
        number=int(ds.number),
        international=str(ds.international),
        schoenflies=str(sch).split(" ")[0] if sch else "",
        hall=str(ds.hall),
        point_group_hm=str(ds.pointgroup),
        rotations=np.asarray(ds.rotations, dtype=np.int64),
        translations=np.asarray(ds.translations, dtype=np.float64),
        lattice=lattice,
        symprec=symprec,
        angle_tolerance=float(angle_tolerance),
    )
    if features is None:
        return sg
    return _decorated(sg, positions, features, irreps, symprec if feature_tol is None else feature_tol)


def _decorated(sg: SpaceGroup, positions, features, irreps, feature_tol) -> SpaceGroup:
    """The subgroup of ``sg`` that also maps the per-atom features."""
    import spglib

    if irreps is None:
        raise ValueError("features need their irreps (e.g. irreps='1e')")
    feature_tol = check_tol(feature_tol, "feature_tol")
    F = as_array(features, "features", 2)
    if F.shape[0] != len(positions):
        raise ValueError(f"features has {F.shape[0]} rows for {len(positions)} atoms")
    if F.shape[1] != irreps_dim(irreps):
        raise ValueError(f"features have {F.shape[1]} columns but irreps {irreps} has dim {irreps_dim(irreps)}")
    Ds = representation_matrices(irreps, sg.cartesian_rotations)
    perms = sg.site_permutations(positions, fractional=True)
    keep = [k for k, perm in enumerate(perms) if float(np.abs(F @ Ds[k].T - F[perm]).max(initial=0.0)) <= feature_tol]
    rot, tra = sg.rotations[keep], sg.translations[keep]
    t = spglib.get_spacegroup_type_from_symmetry(rot, tra, sg.lattice, symprec=sg.symprec)
    if t is None:  # pragma: no cover
        raise ValueError("spglib could not identify the space group of the decorated structure")
    return SpaceGroup(
        number=int(t.number),
        international=str(t.international_short),
        schoenflies=str(t.schoenflies),
        hall=str(t.hall_symbol),
        point_group_hm=str(t.pointgroup_international),
        rotations=rot,
        translations=tra,
        lattice=sg.lattice,
        symprec=sg.symprec,
        angle_tolerance=sg.angle_tolerance,
    )


def common_operations(a: SpaceGroup, b: SpaceGroup, atol: float | None = None) -> np.ndarray:
    """Boolean mask over the operations of ``a``: True where the operation is also
    in ``b``. Both must describe the same cell (same setting and origin; the
    lattices may differ by a small strain, at most 10% per entry)."""
    scale = np.abs(a.lattice).max()
    if a.lattice.shape != b.lattice.shape or np.abs(a.lattice - b.lattice).max() > 0.1 * scale:
        raise ValueError(
            "the two crystals are not given in the same cell; express both in one "
            "setting (same lattice vectors and origin) to compare their operations"
        )
    atol = 2 * max(a.symprec, b.symprec) if atol is None else atol
    return np.array([b.contains(W, w, atol) for W, w in zip(a.rotations, a.translations)], dtype=bool)
