"""A :class:`StructureMatch` for two structures whose atoms are already paired.

Child atom ``i`` is atom ``i`` of the parent repeated by the supercell ``S``:
three repetitions ``diag(n0, n1, n2)`` in the order of ``ase.Atoms.repeat``
(every parent atom of image ``(0, 0, 0)``, then of ``(0, 0, 1)``, ...), any
other matrix in the order of :func:`ase.build.make_supercell`. The child's
cell rows are taken as the supercell's (its deformation ``A`` maps
``S @ parent.lattice`` onto them), so a rotated child keeps its rotation.
Molecules are paired atom by atom, with no rotation. The mean displacement
becomes the origin shift, as in :func:`~curienn.symmetry.match_structures`.
"""

from __future__ import annotations

import numpy as np

from ._match_result import StructureMatch, check_displacements
from ._structure import Structure
from ._supercell import _candidate

__all__ = ["paired_match"]


def _check_species(p_species, c_species, index) -> None:
    for i, (j, s) in enumerate(zip(index, c_species)):
        if p_species[j] != s:
            raise ValueError(f"species order differs at atom {i}: the parent has {p_species[j]}, the child {s} "
                             "(paired atoms must be listed in the same order)")


def _supercell_sites(p: Structure, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(parent atom (N,), lattice translation (N, 3))`` of each supercell atom, in ASE's order."""
    n_p = len(p)
    if np.count_nonzero(S - np.diag(np.diag(S))) == 0 and np.all(np.diag(S) > 0):
        reps = np.diag(S)
        images = np.stack(np.meshgrid(*[np.arange(r) for r in reps], indexing="ij"), -1).reshape(-1, 3)
        return np.tile(np.arange(n_p), len(images)), np.repeat(images, n_p, axis=0)
    from ase import Atoms
    from ase.build import make_supercell

    prim = Atoms(numbers=np.ones(n_p, dtype=int), positions=p.positions, cell=p.lattice, pbc=True,
                 tags=np.arange(n_p))
    big = make_supercell(prim, S)
    index = np.asarray(big.get_tags(), dtype=np.int64)
    frac = (big.positions - p.positions[index]) @ np.linalg.inv(p.lattice)
    return index, np.rint(frac).astype(np.int64)


def paired_match(p: Structure, c: Structure, supercell, tol: float) -> StructureMatch:
    """The match of the module docstring; ``supercell``: ``(3, 3)`` int or
    ``None`` (identity); ``tol``: the largest displacement allowed."""
    if not p.periodic:
        index = np.arange(len(p))
        _check_species(p.species, c.species, index)
        disp = c.positions - p.positions
        shift = disp.mean(axis=0)
        disp = disp - shift
        check_displacements(disp, c.species, tol, "pairing of the atoms in the order given")
        return StructureMatch(p, c, False, None, np.eye(3), np.eye(3), shift, index,
                              np.zeros((len(c), 3), dtype=np.int64), disp, tol)
    S = np.eye(3, dtype=np.int64) if supercell is None else np.asarray(supercell, dtype=np.int64)
    n = int(round(abs(np.linalg.det(S))))
    if n * len(p) != len(c):
        raise ValueError(f"the child has {len(c)} atoms, the supercell {S.tolist()} of the parent {n * len(p)}")
    index, trans = _supercell_sites(p, S)
    _check_species(p.species, c.species, index)
    cand = _candidate(S, p.lattice, c.lattice)
    M = S @ p.lattice
    sites = p.positions[index] + trans @ p.lattice
    df = c.fractional - sites @ np.linalg.inv(M)
    df -= np.round(df)
    disp = df @ M
    shift = disp.mean(axis=0)
    disp = disp - shift
    check_displacements(disp, c.species, tol, "pairing of the atoms in the order given")
    return StructureMatch(p, c, True, S, cand.rotation, cand.stretch, shift, index, trans, disp, tol)
