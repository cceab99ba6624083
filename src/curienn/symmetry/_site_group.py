r"""The whole symmetry group of a structure, acting on its sites as permutations.

For a molecule this is its point group (about the centroid) with
:meth:`PointGroup.site_permutations`. For a crystal given in a supercell whose
lattice is less symmetric than the crystal -- a 1x1x2 or
:math:`\sqrt2\times\sqrt2\times2` cell of a cubic perovskite -- spglib returns
only the operations that map that cell onto itself, a subgroup. Here the cell
is first enlarged to the largest sublattice of its lattice that every rotation
of the crystal maps onto itself,

.. math:: L_{sym} = \{t : W t \in L \ \forall W\} ,

(found in the primitive basis, where every rotation ``W`` is an integer
matrix, among the ``t`` modulo ``|det S| Z^3``), and the sites are tiled over it.
Every operation of the crystal permutes the tiled sites; a per-site field of the
given cell is carried over by :meth:`SiteGroup.tile`. A symmetric cell (the
2x2x2 cell of a cubic crystal) is not enlarged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._group import schoenflies_name
from ._point_group import point_group
from ._space_group import space_group
from ._supercell import lattice_points_in_supercell

__all__ = ["SiteGroup", "site_group"]


@dataclass(eq=False)
class SiteGroup:
    """Result of :func:`site_group`.

    ``group``: the :class:`SpaceGroup` of the tiled crystal or the
    :class:`PointGroup` of the molecule; ``rotations`` ``(g, 3, 3)`` Cartesian;
    ``translations`` ``(g, 3)`` fractional in ``lattice`` (zeros for a
    molecule); ``permutations`` ``(g, M)``: site ``i`` goes to ``perm[i]``;
    ``site_of`` ``(M,)``: the atom of the given structure each tiled site copies;
    ``positions`` ``(M, 3)``; ``lattice``: the tiled cell (``None`` for a
    molecule); ``copies``: ``M / N``.
    """

    group: object
    rotations: np.ndarray = field(repr=False)
    translations: np.ndarray = field(repr=False)
    permutations: np.ndarray = field(repr=False)
    site_of: np.ndarray = field(repr=False)
    positions: np.ndarray = field(repr=False)
    lattice: np.ndarray | None = field(default=None, repr=False)

    @property
    def copies(self) -> int:
        return len(self.site_of) // (int(self.site_of.max()) + 1)

    @property
    def order(self) -> int:
        return len(self.rotations)

    def tile(self, values) -> np.ndarray:
        """A per-atom array of the given structure ``(N, ...)`` on the tiled sites ``(M, ...)``."""
        return np.asarray(values)[self.site_of]

    def name_of(self, indices) -> str:
        """The name of the subgroup made of the operations ``indices``: its
        space-group type (``"Pnma (62)"``, spglib) or its point group."""
        idx = np.asarray(indices, dtype=np.int64)
        if self.lattice is None:
            return schoenflies_name(self.rotations[idx]) if len(idx) else "C1"
        import spglib

        g = self.group
        t = spglib.get_spacegroup_type_from_symmetry(g.rotations[idx], g.translations[idx], self.lattice,
                                                     symprec=g.symprec)
        if t is None:  # pragma: no cover - a subgroup of a space group always has a type
            raise ValueError("spglib could not identify the space group of the operations kept")
        return f"{t.international_short} ({t.number})"

    def kept(self, values, representation: np.ndarray, atol: float) -> np.ndarray:
        """Indices of the operations ``g`` with ``D(g) v_i = v_{perm(i)}`` within
        ``atol`` for the per-atom ``values`` ``(N, d)`` (``representation``:
        ``(g, d, d)``)."""
        v = self.tile(np.asarray(values, dtype=np.float64).reshape(len(self.site_of) // self.copies, -1))
        return np.array([k for k, (D, perm) in enumerate(zip(representation, self.permutations))
                         if np.abs(v @ D.T - v[perm]).max(initial=0.0) <= atol], dtype=np.int64)


def _hnf(gens: np.ndarray) -> np.ndarray:
    """A basis (rows, 3x3, integer) of the lattice the integer rows ``gens`` generate."""
    A = [list(map(int, r)) for r in gens]
    basis = []
    for col in range(3):
        rows = [r for r in A if r[col] != 0]
        rest = [r for r in A if r[col] == 0]
        while len(rows) > 1:
            rows.sort(key=lambda r: abs(r[col]))
            piv = rows[0]
            new = [piv]
            for r in rows[1:]:
                q = r[col] // piv[col]
                r = [a - q * b for a, b in zip(r, piv)]
                (new if r[col] != 0 else rest).append(r)
            rows = new
        if rows:
            basis.append(rows[0])
        A = [r for r in rest if any(r)]
    if len(basis) != 3:  # pragma: no cover - the generators always span Z^3 multiples
        raise RuntimeError("the symmetric supercell lattice is not three-dimensional")
    return np.array(basis, dtype=np.int64)


def _symmetric_lattice(S: np.ndarray, rotations: np.ndarray) -> np.ndarray:
    """The largest sublattice of the rows of ``S`` (primitive basis) that every
    ``W`` of ``rotations`` maps onto itself, as integer rows (primitive basis)."""
    n = int(round(abs(np.linalg.det(S))))
    adj = np.rint(np.linalg.inv(S) * np.linalg.det(S)).astype(np.int64)  # t S^-1 = t adj / det
    det = int(round(np.linalg.det(S)))
    grid = np.stack(np.meshgrid(*[np.arange(n)] * 3, indexing="ij"), -1).reshape(-1, 3)
    ok = np.ones(len(grid), bool)
    for W in rotations:
        moved = grid @ np.asarray(W, dtype=np.int64).T  # W t, as rows
        ok &= np.all((moved @ adj) % det == 0, axis=1)
    gens = np.concatenate([grid[ok], n * np.eye(3, dtype=np.int64)])
    return _hnf(gens)


def _primitive(cell, symprec: float):
    import spglib

    prim = spglib.standardize_cell(cell, to_primitive=True, no_idealize=True, symprec=symprec)
    if prim is None:
        raise ValueError("spglib could not find the primitive cell (check the structure and symprec)")
    ds = spglib.get_symmetry_dataset(prim, symprec=symprec)
    if ds is None:
        raise ValueError("spglib could not find the symmetry of the primitive cell")
    return np.asarray(prim[0], dtype=np.float64), np.unique(np.asarray(ds.rotations, dtype=np.int64), axis=0)


def site_group(lattice, positions, species, *, symprec: float = 1e-3, tol: float = 1e-2) -> SiteGroup:
    """The symmetry group of a crystal (``lattice`` rows) or a molecule
    (``lattice=None``) with the permutations of its sites, tiled over the
    symmetric supercell (see the module docstring). ``species``: one label per
    atom; ``symprec``: spglib's tolerance; ``tol``: a molecule's."""
    pos = np.asarray(positions, dtype=np.float64)
    species = list(species)
    if lattice is None:
        g = point_group(pos, species, tol=tol)
        perms = g.site_permutations(pos)
        return SiteGroup(g, g.operations, np.zeros((len(g.operations), 3)), perms, np.arange(len(pos)), pos)
    L = np.asarray(lattice, dtype=np.float64)
    codes = {s: i + 1 for i, s in enumerate(dict.fromkeys(species))}
    numbers = [codes[s] for s in species]
    frac = pos @ np.linalg.inv(L)
    prim, rots = _primitive((L, frac - np.floor(frac), numbers), symprec)
    Sp = L @ np.linalg.inv(prim)
    if np.abs(Sp - np.round(Sp)).max() > 1e-3:
        raise ValueError(f"the cell is not a supercell of its primitive cell (misfit {np.abs(Sp - np.round(Sp)).max():.3g})")
    Sp = np.round(Sp).astype(np.int64)
    T = _symmetric_lattice(Sp, rots) @ np.linalg.inv(Sp.astype(np.float64))  # in the given cell's basis
    T = np.round(T).astype(np.int64)
    if np.linalg.det(T) < 0:
        T[0] *= -1
    shifts = lattice_points_in_supercell(T)
    big = T @ L
    site_of = np.tile(np.arange(len(pos)), len(shifts))
    tiled = pos[site_of] + np.repeat(shifts @ L, len(pos), axis=0)
    tf = tiled @ np.linalg.inv(big)
    g = space_group((big, tf - np.floor(tf), [numbers[i] for i in site_of]), symprec=symprec)
    perms = g.site_permutations(tiled, atol=max(10 * symprec, 1e-6))
    return SiteGroup(g, g.cartesian_rotations, g.translations, perms, site_of, tiled, big)
