"""Match a distorted child structure onto its parent: supercell, rotation,
strain, origin and atom mapping.

Crystals
--------
1. Compositions: every species must occur ``n`` times as often in the child
   as in the parent, with one integer ``1 <= n <= max_det``.
2. Lattice: :func:`~curienn.symmetry.supercell_candidates` lists the integer
   matrices ``S`` (``det S = n``) whose supercell matches the child's edge
   lengths and angles within tolerance. Candidates related by an operation of
   the parent (``S -> S W^T``) give the same match and are searched once
   (the one whose rotation is closest to the identity represents them,
   which also makes the choice reproducible).
3. Atoms: the child is taken into the parent frame by keeping its fractional
   coordinates in the supercell ``S @ parent.lattice`` (this undoes the
   rotation and the strain). For each trial origin (a child atom of the
   rarest species put onto each parent site of that species) the atoms are
   assigned species by species with
   :func:`scipy.optimize.linear_sum_assignment` on squared minimum-image
   distances; the origin is then refined to the mean displacement and the
   assignment repeated until it is stable.
4. The candidate with the smallest sum of squared displacements wins (ties
   within 1e-6 A^2 go to the first in a fixed order, so two inputs that differ
   by numerical noise give the same mapping).

Molecules are handled by :mod:`._molecule_match`.
"""

from __future__ import annotations

import numpy as np

from ._match_result import StructureMatch, check_displacements
from ._molecule_match import match_molecules
from ._paired_match import paired_match
from ._point_group import _check_tol
from ._structure import Structure, as_structure
from ._supercell import _candidate, lattice_points_in_supercell, supercell_candidates

__all__ = ["match_structures", "default_max_displacement"]

#: costs (sum of squared displacements, A^2) closer than this are ties
_TIE = 1e-6


class _MinImage:
    """Minimum-image vectors in a periodic cell (exact for a Minkowski-reduced basis)."""

    def __init__(self, lattice: np.ndarray):
        from ase.geometry import minkowski_reduce

        self.cell, _ = minkowski_reduce(np.asarray(lattice, dtype=np.float64))
        self.inv = np.linalg.inv(self.cell)
        self.images = np.array(np.meshgrid([-1, 0, 1], [-1, 0, 1], [-1, 0, 1], indexing="ij")).reshape(3, -1).T @ self.cell

    def __call__(self, d: np.ndarray) -> np.ndarray:
        f = d @ self.inv
        d = (f - np.round(f)) @ self.cell
        cand = d[..., None, :] + self.images
        k = np.argmin(np.einsum("...ki,...ki->...k", cand, cand), axis=-1)
        return np.take_along_axis(cand, k[..., None, None], axis=-2)[..., 0, :]


def default_max_displacement(parent) -> float:
    """``min(1 A, 0.5 x the shortest interatomic distance of the parent)``
    (periodic images included). Half the shortest bond is the largest
    displacement that cannot make two parent sites swap roles; 1 A caps it for
    loosely packed parents, where a larger value would accept nonsense maps.

    >>> default_max_displacement(Structure(np.zeros((1, 3)), ("Po",), 3.35 * np.eye(3)))
    1.0
    """
    p = as_structure(parent, name="parent")
    d = p.positions[:, None] - p.positions[None]
    if p.periodic:
        d = _MinImage(p.lattice)(d)
    r = np.linalg.norm(d, axis=-1)
    r[np.arange(len(p)), np.arange(len(p))] = np.inf
    shortest = float(r.min()) if len(p) > 1 else np.inf
    if p.periodic:
        shortest = min(shortest, float(np.linalg.norm(_MinImage(p.lattice).cell, axis=1).min()))
    if not np.isfinite(shortest):
        return 1.0
    return float(min(1.0, 0.5 * shortest))


def match_structures(parent, child, *, max_displacement: float | None = None, max_det: int = 16,
                     length_tol: float = 0.15, angle_tol: float = 8.0, symprec: float = 1e-3,
                     supercell=None, paired: bool = False) -> StructureMatch:
    r"""Find how ``child`` (a distorted version of ``parent``) maps onto it.

    The child may list its atoms in any order, be rotated by any proper
    rotation, shifted by any vector, and (crystals) be given in any
    commensurate supercell of the parent with ``det <= max_det`` (e.g.
    :math:`\sqrt2\times\sqrt2\times2`, 2x2x2, 1x1x2) with a homogeneous strain.

    Args:
        parent, child: ASE ``Atoms``, :class:`Structure` or spglib tuples; both
            periodic (crystals) or both finite (molecules).
        max_displacement: largest allowed atomic displacement (Angstrom);
            default :func:`default_max_displacement` of the parent.
        max_det: largest supercell index ``n`` tried.
        length_tol, angle_tol: how far the child's cell edges (relative) and
            angles (degrees) may be from the parent supercell's.
        symprec: spglib tolerance (Angstrom) for the parent's symmetry, used
            only to skip equivalent supercells.
        supercell: a check (crystals): the ``(3, 3)`` integer matrix (or three
            repetitions, ``(2, 2, 2)``) the child cell must be, up to a proper
            operation of the parent and a change of basis of the same lattice;
            ``ValueError`` (naming the supercell found) otherwise.
        paired: the atoms are already paired: child atom ``i`` is atom ``i`` of
            the parent repeated by ``supercell`` (``ase.Atoms.repeat`` order for
            three repetitions, :func:`ase.build.make_supercell` otherwise); the
            child's cell rows are the supercell's. No search, no rotation.

    Returns:
        :class:`StructureMatch` (supercell, rotation, stretch/strain, origin
        shift, child -> (parent atom, lattice translation) map, displacements
        in the parent frame).

    Raises:
        ValueError: incompatible compositions, no supercell within
            tolerance, or no mapping with every displacement below
            ``max_displacement`` (the message gives the numbers).

    Example:
        >>> from ase import Atoms
        >>> p = Atoms("Po", cell=3.0 * np.eye(3), pbc=True)
        >>> c = p.repeat((2, 1, 1)); c.positions[1, 0] += 0.1
        >>> m = match_structures(p, c)
        >>> m.supercell.tolist(), round(m.max_displacement, 3)
        ([[2, 0, 0], [0, 1, 0], [0, 0, 1]], 0.05)
    """
    p = as_structure(parent, name="parent")
    c = as_structure(child, name="child")
    if p.periodic != c.periodic:
        raise ValueError(
            f"the parent is {'periodic' if p.periodic else 'finite'} but the child is "
            f"{'periodic' if c.periodic else 'finite'}; give both as crystals or both as molecules"
        )
    tol = default_max_displacement(p) if max_displacement is None else _check_tol(max_displacement, "max_displacement")
    n = _cell_ratio(p, c, max_det if p.periodic else 1)
    wanted = None if supercell is None or not p.periodic else _supercell_matrix(supercell)
    if paired:
        return paired_match(p, c, wanted, tol)
    if not p.periodic:
        return match_molecules(p, c, tol)
    if wanted is not None and round(abs(np.linalg.det(wanted))) != n:
        raise ValueError(f"the child has {len(c)} atoms = {n} x the parent's {len(p)}, but supercell "
                         f"{wanted.tolist()} holds {round(abs(np.linalg.det(wanted)))} parent cells")
    ratio = c.volume / (n * p.volume)
    if abs(ratio - 1) > 3 * length_tol:
        raise ValueError(
            f"the child cell volume {c.volume:.4g} A^3 is {ratio:.3f} x that of {n} parent cells "
            f"({n * p.volume:.4g} A^3): strain beyond length_tol={length_tol}"
        )
    cands = supercell_candidates(p.lattice, c.lattice, n, length_tol=length_tol, angle_tol=angle_tol)
    if not cands:
        raise ValueError(
            f"no supercell of the parent with {n} cells matches the child cell "
            f"(edges {np.round(np.linalg.norm(c.lattice, axis=1), 4).tolist()} A) within "
            f"length_tol={length_tol} and angle_tol={angle_tol} deg"
        )
    cands = _distinct_up_to_symmetry(cands, p, c.lattice, symprec)
    if wanted is not None:
        rotations = _parent_rotations(p, symprec)  # one spglib search, not one per candidate
        kept = [cd for cd in cands if _same_lattice(cd.supercell, wanted, rotations)]
        if not kept:
            raise ValueError(
                f"the child cell is not the supercell {wanted.tolist()} of the parent: it matches "
                f"{cands[0].supercell.tolist()} (strain {cands[0].strain_norm:.3g}); leave the supercell out "
                "to have it found")
        cands = kept
    best = None
    for cand in cands:
        if best is not None and cand.strain_norm > best[1].strain_norm + 0.05:
            break  # candidates are sorted by strain; far more strained ones cannot be the answer
        res = _match_atoms(p, c, cand.supercell)
        if best is None or res[0] < best[0][0] - _TIE:
            best = (res, cand)
    (_, tau, index, trans, disp), cand = best
    check_displacements(disp, c.species, tol, f"mapping of the child onto a {n}-cell supercell of the parent "
                        f"(best supercell {cand.supercell.tolist()})")
    return StructureMatch(p, c, True, cand.supercell, cand.rotation, cand.stretch, tau, index, trans, disp, tol)


def _supercell_matrix(spec) -> np.ndarray:
    S = np.asarray(spec)
    if S.shape == (3,):
        S = np.diag(S)
    if S.shape != (3, 3) or not np.all(np.isfinite(S.astype(np.float64))) or not np.allclose(S, np.round(S)):
        raise ValueError(f"supercell must be a 3x3 integer matrix or three repetitions, got {np.asarray(spec).tolist()}")
    S = np.round(S).astype(np.int64)
    if round(np.linalg.det(S)) == 0:
        raise ValueError(f"supercell {S.tolist()} is singular")
    return S


def _same_lattice(S: np.ndarray, wanted: np.ndarray, rotations: np.ndarray) -> bool:
    """Whether the rows of ``S`` span the lattice of the rows of ``wanted @ W^T``
    for some parent operation ``W`` (fractional)."""
    for W in rotations:
        T = S @ np.linalg.inv((wanted @ W.T).astype(np.float64))
        if np.allclose(T, np.round(T), atol=1e-8) and abs(abs(np.linalg.det(T)) - 1) < 1e-8:
            return True
    return False


def _cell_ratio(p: Structure, c: Structure, max_det: int) -> int:
    """``n`` with child composition = n x parent composition, or ValueError."""
    cp, cc = p.composition(), c.composition()
    if set(cp) != set(cc) or len(c) % len(p):
        raise ValueError(f"incompatible compositions: parent {cp}, child {cc}")
    n = len(c) // len(p)
    bad = {s: (cp[s], cc[s]) for s in cp if cc[s] != n * cp[s]}
    if bad:
        raise ValueError(
            f"incompatible compositions: parent {cp}, child {cc} (the child has {len(c)} atoms = {n} x "
            f"{len(p)}, but not {n} x the parent's count of {sorted(map(str, bad))})"
        )
    if not 1 <= n <= max(1, int(max_det)):
        what = ("a molecule must have as many atoms as its parent" if not p.periodic else
                f"max_det={max_det} (allow more: max_det={n}, --max-det {n} on the command line)")
        raise ValueError(f"the child is {n} x the parent ({len(c)} vs {len(p)} atoms); {what}")
    return n


def _parent_rotations(p: Structure, symprec: float) -> np.ndarray:
    import spglib

    try:
        ds = spglib.get_symmetry_dataset(p.to_spglib(), symprec=symprec)
    except Exception:  # noqa: BLE001 - spglib raises several types; no pruning then
        ds = None
    if ds is None:
        return np.eye(3, dtype=np.int64)[None]
    return np.unique(np.asarray(ds.rotations, dtype=np.int64), axis=0)


def _distinct_up_to_symmetry(cands, p: Structure, child_lattice: np.ndarray, symprec: float):
    """One candidate per orbit under the parent's proper point operations
    ``W`` (spglib, fractional): ``S`` and ``S W^T`` give the same match up to
    a relabelling by a parent symmetry. Each orbit is represented by the
    image whose rotation is closest to the identity (largest trace, to 1e-6;
    then the lexicographically largest ``S``), so an unrotated child keeps
    its orientation and the choice is reproducible."""
    rots = _parent_rotations(p, symprec)
    rots = rots[np.rint(np.linalg.det(rots)) == 1]  # keep the handedness (a proper rotation)
    seen: dict = {}
    for cand in cands:
        images = np.einsum("ij,wkj->wik", cand.supercell, rots)
        key = max(map(tuple, images.reshape(len(images), 9)))
        if key in seen:
            continue
        best = None
        for S in np.unique(images.reshape(len(images), 9), axis=0):
            c = _candidate(S.reshape(3, 3), p.lattice, child_lattice)
            rank = (round(float(np.trace(c.rotation)), 6), tuple(S))
            if best is None or rank > best[0]:
                best = (rank, c)
        seen[key] = best[1]
    out = list(seen.values())
    out.sort(key=lambda c: (round(c.strain_norm, 9), tuple(-c.supercell.ravel())))
    return out


def _match_atoms(p: Structure, c: Structure, S: np.ndarray):
    """Best assignment of the child's atoms to the sites of supercell ``S``.

    Returns ``(cost, origin_shift, parent_index, translations, displacements)``.
    """
    from scipy.optimize import linear_sum_assignment

    M = S @ p.lattice
    mic = _MinImage(M)
    child_pos = c.fractional @ M  # the child's fractional coordinates, in the parent supercell
    T = lattice_points_in_supercell(S)
    site_atom = np.repeat(np.arange(len(p)), len(T))
    site_t = np.tile(T, (len(p), 1))
    site_pos = p.positions[site_atom] + site_t @ p.lattice
    sp_parent = np.array(p.species, dtype=object)[site_atom]
    sp_child = np.array(c.species, dtype=object)
    groups = []
    for s in p.composition():
        groups.append((np.nonzero(sp_child == s)[0], np.nonzero(sp_parent == s)[0]))
    counts = p.composition()
    rare = min(counts, key=lambda s: (counts[s], list(counts).index(s)))
    a0 = int(np.nonzero(sp_child == rare)[0][0])
    taus = child_pos[a0] - site_pos[sp_parent == rare]

    best = None
    for tau in taus:
        assign = None
        for _ in range(6):
            new = np.empty(len(c), dtype=np.int64)
            for ci, si in groups:
                d = mic(child_pos[ci][:, None] - tau - site_pos[si][None])
                rows, cols = linear_sum_assignment(np.einsum("abi,abi->ab", d, d))
                new[ci[rows]] = si[cols]
            disp = mic(child_pos - tau - site_pos[new])
            tau = tau + disp.mean(axis=0)
            if assign is not None and np.array_equal(new, assign):
                break
            assign = new
        disp = mic(child_pos - tau - site_pos[assign])
        cost = float(np.sum(disp ** 2))
        if best is None or cost < best[0] - _TIE:
            best = (cost, tau, assign, disp)
    cost, tau, assign, disp = best
    tau = _MinImage(p.lattice)(tau)  # the shortest equivalent origin shift
    # the lattice translation of each site: child = parent atom + t @ Lp + tau + disp exactly
    frac = (child_pos - tau - disp - p.positions[site_atom[assign]]) @ np.linalg.inv(p.lattice)
    trans = np.rint(frac).astype(np.int64)
    return cost, tau, site_atom[assign], trans, disp
