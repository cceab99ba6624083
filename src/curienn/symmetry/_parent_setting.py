"""The parent crystal in the setting where its irreps get their labels.

Irrep labels (CDML, Mulliken) refer to a standard setting: the spglib
standardised orientation and cell, and an origin. :func:`parent_setting`
finds it for a parent given in any orientation or cell (a supercell of the
true parent included) and puts the origin where asked:

* ``origin=None``: the parent's own origin when it is a point of the full
  site symmetry (every rotation of the group occurs with a lattice
  translation, so the little groups are symmorphic there -- e.g. the B
  site of a perovskite given with B at (0, 0, 0)); otherwise spglib's
  standard origin;
* an ``int``: that parent atom; a ``str``: the first parent atom of that
  species (``"Ti"``); three numbers: fractional coordinates in the parent
  cell as given.

Frames: the standard frame is ``rotation @`` the parent's frame, and a point
``r`` of the parent frame sits at ``r @ rotation.T + shift`` in it, where
``shift`` puts the chosen origin at zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._structure import Structure

__all__ = ["ParentSetting", "parent_setting"]


@dataclass(frozen=True, eq=False)
class ParentSetting:
    """The parent in its standard setting (see the module docstring).

    ``number``/``international``: space group; ``rotation`` ``(3, 3)``: parent
    frame -> standard frame; ``shift`` ``(3,)``: added after rotating;
    ``conventional`` / ``primitive`` ``(3, 3)``: lattices (rows) in the
    standard frame; ``sites`` ``(n_sites, 3)``: fractional coordinates in the
    primitive basis; ``site_species``; ``atom_site`` / ``atom_translation``:
    parent atom ``j`` sits at ``(sites[atom_site[j]] + atom_translation[j])
    @ primitive``; ``rotations`` ``(g, 3, 3)`` int / ``translations``
    ``(g, 3)``: the space group operations in the primitive basis at this
    origin; ``origin``: a sentence saying what sits at the origin.
    """

    structure: Structure
    number: int
    international: str
    rotation: np.ndarray
    shift: np.ndarray
    conventional: np.ndarray
    primitive: np.ndarray
    sites: np.ndarray
    site_species: tuple
    atom_site: np.ndarray
    atom_translation: np.ndarray
    rotations: np.ndarray
    translations: np.ndarray
    origin: str
    symprec: float

    def to_standard(self, points) -> np.ndarray:
        """Parent-frame Cartesian points ``(..., 3)`` in the standard frame."""
        return np.asarray(points, dtype=np.float64) @ self.rotation.T + self.shift

    def primitive_coordinates(self, points) -> np.ndarray:
        """Parent-frame Cartesian points -> fractional coordinates of the primitive cell."""
        return self.to_standard(points) @ np.linalg.inv(self.primitive)

    @property
    def cartesian_rotations(self) -> np.ndarray:
        """``(g, 3, 3)`` the point operations in the standard Cartesian frame."""
        L = self.primitive
        return np.einsum("ij,njk,kl->nil", L.T, self.rotations, np.linalg.inv(L.T))


def _dataset(cell, symprec):
    import spglib

    try:
        ds = spglib.get_symmetry_dataset(cell, symprec=symprec)
    except Exception as exc:  # noqa: BLE001 - spglib raises several types
        raise ValueError(f"spglib could not find the parent's symmetry: {exc}") from exc
    if ds is None:
        raise ValueError("spglib could not find the parent's symmetry (check the structure and symprec)")
    return ds


def _origin_point(p: Structure, origin, ds) -> tuple[np.ndarray | None, str]:
    """The parent-frame point to put at the origin, or None for spglib's standard one."""
    if origin is None:
        frac_t = np.asarray(ds.translations)
        rots = np.asarray(ds.rotations)
        at_origin = {tuple(W.ravel()) for W, w in zip(rots, frac_t) if np.abs(w - np.round(w)).max() < 1e-6}
        if len(at_origin) == len({tuple(W.ravel()) for W in rots}):
            return np.zeros(3), _describe(p, np.zeros(3))
        return None, "spglib's standard origin"
    if isinstance(origin, (int, np.integer)):
        if not 0 <= int(origin) < len(p):
            raise ValueError(f"origin atom index {origin} is out of range for a {len(p)}-atom parent")
        return p.positions[int(origin)], f"parent atom {int(origin)} ({p.species[int(origin)]}) at the origin"
    if isinstance(origin, str):
        if origin not in p.species:
            raise ValueError(f"origin={origin!r} is not a species of the parent {sorted(set(map(str, p.species)))}")
        j = p.species.index(origin)
        return p.positions[j], f"{origin} (parent atom {j}) at the origin"
    o = np.asarray(origin, dtype=np.float64).reshape(-1)
    if o.shape != (3,) or not np.all(np.isfinite(o)):
        raise ValueError(f"origin must be None, an atom index, a species or 3 fractional coordinates, got {origin!r}")
    return o @ p.lattice, f"fractional point {np.round(o, 6).tolist()} of the parent cell at the origin"


def _describe(p: Structure, point: np.ndarray) -> str:
    d = p.positions - point
    f = d @ np.linalg.inv(p.lattice)
    r = np.linalg.norm((f - np.round(f)) @ p.lattice, axis=1)
    j = int(np.argmin(r))
    if r[j] < 1e-3:
        return f"{p.species[j]} (parent atom {j}) at the origin"
    return "the parent's origin (no atom there)"


def parent_setting(parent: Structure, *, origin=None, symprec: float = 1e-3) -> ParentSetting:
    """The standard setting of ``parent`` with the requested ``origin`` (see
    the module docstring). ``ValueError`` when spglib fails or the origin is
    not understood.

    >>> from ase import Atoms
    >>> from curienn.symmetry import as_structure
    >>> cto = Atoms("CaTiO3", scaled_positions=[[.5, .5, .5], [0, 0, 0], [.5, 0, 0], [0, .5, 0],
    ...             [0, 0, .5]], cell=3.9 * np.eye(3), pbc=True)
    >>> s = parent_setting(as_structure(cto))
    >>> s.international, s.origin, parent_setting(as_structure(cto), origin="Ca").origin
    ('Pm-3m', 'Ti (parent atom 1) at the origin', 'Ca (parent atom 0) at the origin')
    """
    import spglib

    if not parent.periodic:
        raise ValueError("a space-group setting needs a periodic parent")
    cell = parent.to_spglib()
    ds = _dataset(cell, symprec)
    point, what = _origin_point(parent, origin, ds)
    rot = np.asarray(ds.std_rotation_matrix, dtype=np.float64)
    conv = np.asarray(ds.std_lattice, dtype=np.float64)
    prim = np.asarray(spglib.standardize_cell(cell, to_primitive=True, symprec=symprec)[0], dtype=np.float64)
    shift = np.asarray(ds.origin_shift, dtype=np.float64) @ conv
    if point is not None:
        shift = -(point @ rot.T)
    frac = (parent.positions @ rot.T + shift) @ np.linalg.inv(prim)
    sites, species, atom_site = [], [], np.empty(len(parent), dtype=np.int64)
    tol = 10 * symprec
    for j, f in enumerate(frac):
        for s, (x, sp) in enumerate(zip(sites, species)):
            d = f - x
            if sp == parent.species[j] and np.linalg.norm((d - np.round(d)) @ prim) < tol:
                atom_site[j] = s
                break
        else:
            atom_site[j] = len(sites)
            sites.append(f - np.floor(f + 1e-9))
            species.append(parent.species[j])
    sites = np.array(sites)
    trans = np.rint(frac - sites[atom_site]).astype(np.int64)
    codes = {s: i for i, s in enumerate(dict.fromkeys(species))}
    pds = _dataset((prim, sites, [codes[s] for s in species]), symprec)
    if len(pds.rotations) != len(np.unique(np.asarray(pds.rotations).reshape(-1, 9), axis=0)):
        raise ValueError("the parent's primitive cell still has pure translations; lower symprec")  # pragma: no cover
    return ParentSetting(
        structure=parent, number=int(ds.number), international=str(ds.international), rotation=rot,
        shift=shift, conventional=conv, primitive=prim, sites=sites, site_species=tuple(species),
        atom_site=atom_site, atom_translation=trans, rotations=np.asarray(pds.rotations, dtype=np.int64),
        translations=np.asarray(pds.translations, dtype=np.float64), origin=what, symprec=float(symprec),
    )
