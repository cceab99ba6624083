r"""Targets of the order-parameter search: displacements between a parent and a
child structure, and their encodings.

* ``"projection"`` -- the papers' spherical-harmonic projection of each
  displacement :math:`\vec\Delta_i` (:func:`curienn.io.project_vectors`,
  rescaled so that the signal's value along :math:`\hat\Delta_i` is
  :math:`\lVert\vec\Delta_i\rVert`), irreps ``0e+1o+2e+...`` up to ``lmax``
  (dimension :math:`(L+1)^2`);
* ``"vectors"`` -- the displacements themselves, irreps ``1o``.

:func:`structure_displacements` pairs two structures atom by atom (same number,
same species in the same order) and returns :math:`\vec\Delta_i` = child - parent,
by minimum image for periodic structures (fractional coordinates of the child
taken in the parent's cell).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch

from curienn.io import project_vectors
from curienn.o3 import Irreps

__all__ = ["ENCODINGS", "encode_displacements", "structure_displacements", "parse_supercell", "supercell_matrix",
           "make_supercell"]

ENCODINGS = ("projection", "vectors")


def encode_displacements(
    displacements, encoding: str = "projection", lmax: int = 5, normalization: str = "integral",
    dtype: Optional[torch.dtype] = None,
) -> tuple[torch.Tensor, str]:
    """``(N, 3)`` displacements -> ``(target (N, dim), irreps)`` for ``encoding``."""
    d = torch.as_tensor(np.asarray(displacements, dtype=np.float64), dtype=dtype or torch.get_default_dtype())
    if d.ndim != 2 or d.shape[1] != 3:
        raise ValueError(f"displacements must have shape (N, 3), got {tuple(d.shape)}")
    if encoding == "projection":
        return project_vectors(d, lmax, normalization, rescale=True), str(Irreps.spherical_harmonics(lmax))
    if encoding == "vectors":
        return d.clone(), "1x1o"
    raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")


def parse_supercell(spec) -> tuple[int, int, int]:
    """``"2x2x2"`` or ``(2, 2, 2)`` or ``2`` -> ``(2, 2, 2)``."""
    if spec is None:
        return (1, 1, 1)
    if isinstance(spec, str):
        parts = spec.lower().replace("×", "x").split("x")
        try:
            vals = tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(f"supercell must look like '2x2x2', got {spec!r}") from None
    elif np.ndim(spec) == 0:
        vals = (int(spec),) * 3
    else:
        vals = tuple(int(v) for v in spec)
    if len(vals) == 1:
        vals = vals * 3
    if len(vals) != 3 or min(vals) < 1:
        raise ValueError(f"supercell must be three positive integers like '2x2x2', got {spec!r}")
    return vals


def supercell_matrix(spec) -> np.ndarray:
    """A supercell as a ``(3, 3)`` integer matrix (rows: the new cell vectors in
    the parent's fractional coordinates): three repetitions as
    :func:`parse_supercell` reads them (``"2x2x2"``, ``2``, ``(2, 1, 3)``), or nine
    integers -- a nested list, or a string like ``"1,1,0,-1,1,0,0,0,2"``,
    ``"1 1 0 / -1 1 0 / 0 0 2"`` (the sqrt2 x sqrt2 x 2 cell).

    Example:
        >>> supercell_matrix("1 1 0 / -1 1 0 / 0 0 2").tolist()
        [[1, 1, 0], [-1, 1, 0], [0, 0, 2]]
    """
    if isinstance(spec, str) and any(c in spec for c in ",/ []"):
        text = spec.replace("/", " ").replace(",", " ").replace("[", " ").replace("]", " ")
        try:
            vals = [int(v) for v in text.split()]
        except ValueError:
            raise ValueError(f"supercell must be like '2x2x2' or nine integers, got {spec!r}") from None
        spec = vals if len(vals) != 3 else tuple(vals)
    if isinstance(spec, str) or np.ndim(spec) == 0 or np.size(spec) == 3:
        return np.diag(parse_supercell(spec)).astype(np.int64)
    S = np.asarray(spec)
    if S.size != 9 or not np.allclose(S, np.round(S)):
        raise ValueError(f"supercell must be three repetitions or a 3x3 integer matrix, got {spec!r}")
    S = np.round(S).astype(np.int64).reshape(3, 3)
    if round(np.linalg.det(S)) <= 0:
        raise ValueError(f"supercell {S.tolist()} must have a positive determinant (got {round(np.linalg.det(S))})")
    return S


def make_supercell(atoms, spec):
    """The supercell ``spec`` (:func:`supercell_matrix`) of ``atoms``:
    ``atoms.repeat`` for three repetitions (ASE's order: the original atoms, then
    each image), :func:`ase.build.make_supercell` for any other matrix."""
    S = supercell_matrix(spec)
    if np.count_nonzero(S - np.diag(np.diag(S))) == 0:
        reps = tuple(int(v) for v in np.diag(S))
        return atoms if reps == (1, 1, 1) else atoms.repeat(reps)
    from ase.build import make_supercell as ase_make_supercell  # optional dependency

    return ase_make_supercell(atoms, S)


def structure_displacements(parent, child, *, cell_tol: float = 0.05, max_displacement: Optional[float] = None) -> np.ndarray:
    """Displacements ``child - parent`` ``(N, 3)`` of two ASE ``Atoms`` with the same
    atoms in the same order.

    Periodic structures: the cells must agree to a relative ``cell_tol``
    (Frobenius norm of the difference over that of the parent's cell); the
    child's fractional coordinates are taken in the parent's cell and wrapped to the
    minimum image. ``ValueError`` says what differs (atom counts, the first
    species mismatch, periodicity, cells).
    """
    n_p, n_c = len(parent), len(child)
    if n_p != n_c:
        hint = ""
        if n_p and n_c % n_p == 0 and n_c // n_p > 1:
            hint = f" (the child has {n_c // n_p}x as many: try --supercell, e.g. 2x2x2 for 8x)"
        raise ValueError(f"atom counts differ: parent has {n_p}, child has {n_c}{hint}")
    sp, sc = parent.get_chemical_symbols(), child.get_chemical_symbols()
    for i, (a, b) in enumerate(zip(sp, sc)):
        if a != b:
            raise ValueError(
                f"species order differs at atom {i}: parent has {a}, child has {b} "
                "(the two files must list the same atoms in the same order)"
            )
    pbc_p, pbc_c = np.asarray(parent.pbc, bool), np.asarray(child.pbc, bool)
    if not np.array_equal(pbc_p, pbc_c):
        raise ValueError(f"periodicity differs: parent pbc={pbc_p.tolist()}, child pbc={pbc_c.tolist()}")
    if pbc_p.any():
        Cp = np.asarray(parent.cell[:], dtype=np.float64)
        Cc = np.asarray(child.cell[:], dtype=np.float64)
        rel = np.linalg.norm(Cc - Cp) / max(np.linalg.norm(Cp), 1e-12)
        if not rel <= cell_tol:
            raise ValueError(
                f"cells differ by {100 * rel:.1f}% (more than cell_tol={100 * cell_tol:.1f}%): parent "
                f"lengths {np.round(parent.cell.lengths(), 4).tolist()} angles "
                f"{np.round(parent.cell.angles(), 2).tolist()}, child lengths "
                f"{np.round(child.cell.lengths(), 4).tolist()} angles {np.round(child.cell.angles(), 2).tolist()}"
            )
        fp = np.linalg.solve(Cp.T, parent.positions.T).T
        fc = np.linalg.solve(Cc.T, child.positions.T).T
        df = fc - fp
        df[:, pbc_p] -= np.round(df[:, pbc_p])
        disp = df @ Cp
    else:
        disp = child.positions - parent.positions
    if max_displacement is not None:
        big = np.linalg.norm(disp, axis=1)
        if big.max() > max_displacement:
            i = int(big.argmax())
            raise ValueError(
                f"atom {i} ({sp[i]}) moves by {big[i]:.3f} > {max_displacement} between parent and child: "
                "are the atoms in the same order?"
            )
    return disp
