"""Atomic structures: reading, writing and validating them.

Reading and writing go through :mod:`ase.io`, so every format ASE knows works
(POSCAR/CONTCAR and ``.vasp``, ``.traj``, CIF, (extended) XYZ, PDB, ...): the
format comes from ``format=`` (any ASE format name) or is guessed by ASE from the
file's name and content. ASE is the optional ``curienn[md]``/``curienn[symmetry]``
dependency, imported when a file is read. ASE's many exception types become
two clear ones:

* a missing file raises :class:`FileNotFoundError` naming the file (a
  directory: :class:`IsADirectoryError`);
* a file ASE cannot parse, an unknown format name or a frame index out of range
  raise :class:`ValueError` naming the file (and quoting ASE).

:func:`validate_positions` rejects NaN/inf coordinates, coordinates beyond
:data:`MAX_COORDINATE` and overlapping atoms
(periodic images included) with a :class:`ValueError` naming the atoms.

:func:`atoms_to_data` turns an :class:`ase.Atoms` into the ``dict`` of tensors
understood by :class:`curienn.models.Network` and :func:`curienn.io.batch_graphs`.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence, Union

import numpy as np
import torch

from ._graph import _neighbor_pairs_numpy

if TYPE_CHECKING:  # pragma: no cover
    import ase

__all__ = [
    "STRUCTURE_FORMATS",
    "MAX_COORDINATE",
    "read_structure",
    "read_structures",
    "write_structure",
    "validate_positions",
    "validate_atoms",
    "atoms_to_data",
    "data_to_atoms",
]

#: Formats chosen by suffix where ASE's own guess is not the one wanted: ``.xyz``
#: files are read and written as extended XYZ (which also reads plain XYZ and
#: keeps the cell and pbc; write plain XYZ with ``format="xyz"``). Any other file
#: is left to ASE (``ase.io.formats.filetype``).
STRUCTURE_FORMATS = {
    ".xyz": "extxyz",
    ".extxyz": "extxyz",
}

PathLike = Union[str, os.PathLike]

#: names people give formats that ASE calls otherwise (used for "did you mean")
_FORMAT_ALIASES = {"poscar": "vasp", "contcar": "vasp", "pdb": "proteindatabank",
                   "ase": "traj", "trajectory": "traj", "mmcif": "cif"}

#: the largest coordinate (and cell entry) :func:`validate_positions` accepts: 1e8 Å
#: is a centimetre; past it a file holds no atomic structure in Å, and past about
#: 1e154 squared distances overflow float64
MAX_COORDINATE = 1e8
_MAX_TEXT = "1e8"


def _ase_io():
    try:
        import ase.io
        import ase.io.formats
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("reading and writing structures needs ASE: pip install 'curienn[md]'") from e
    return ase.io


def _format_for(path: Path, format: str | None) -> str | None:
    """``format`` checked against ASE's formats, the suffix's entry of
    :data:`STRUCTURE_FORMATS`, or ``None`` (ASE guesses)."""
    ase_io = _ase_io()
    if format is not None:
        if format not in ase_io.formats.ioformats:
            known = sorted(ase_io.formats.ioformats)
            close = ([_FORMAT_ALIASES[format.lower()]] if format.lower() in _FORMAT_ALIASES
                     else difflib.get_close_matches(format.lower(), known, n=3, cutoff=0.5))
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            raise ValueError(f"format={format!r} is not an ASE format (file {str(path)!r}); {hint}ASE knows "
                             f"{len(known)}, e.g. cif, extxyz, vasp, traj, xyz, proteindatabank "
                             "(all: ase.io.formats.ioformats)")
        return format
    return STRUCTURE_FORMATS.get(path.suffix.lower())


def read_structures(
    path: PathLike, format: str | None = None, *, validate: bool = True, min_distance: float = 0.5
) -> list["ase.Atoms"]:
    """Read every frame of a structure file in any format ASE reads.

    Args:
        path: the file.
        format: an ASE format name (``"vasp"``, ``"traj"``, ``"cif"``,
            ``"extxyz"``, ``"proteindatabank"``, ...); default: ``.xyz`` as
            extended XYZ, anything else guessed by ASE from the name and content.
        validate: run :func:`validate_atoms` on each frame.
        min_distance: the overlap threshold passed to :func:`validate_atoms`.

    Returns:
        a list of :class:`ase.Atoms`, at least one.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: an unknown ``format``; ASE cannot read the file (the message
            names the file and quotes ASE); it holds no structure, or a frame
            fails validation.
    """
    ase_io = _ase_io()
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a directory, not a structure file")
    if not path.is_file():
        raise FileNotFoundError(f"structure file {str(path)!r} does not exist")
    fmt = _format_for(path, format)
    try:
        frames = ase_io.read(str(path), index=":", format=fmt)
    except Exception as e:  # ASE raises many unrelated types on bad input
        try:
            fmt = fmt or ase_io.formats.filetype(str(path))
        except Exception:  # noqa: BLE001 - ASE could not even guess
            fmt = None
        what = f"as {fmt}" if fmt else "(ASE cannot tell its format)"
        said = f"{type(e).__name__}: {e}" if str(e).strip() else f"ASE's reader failed ({type(e).__name__})"
        raise ValueError(
            f"cannot read structure file {str(path)!r} {what}: {said}; "
            "give the format explicitly (an ASE format name) if it was guessed wrong"
        ) from e
    if not isinstance(frames, list):
        frames = [frames]
    if len(frames) == 0:
        raise ValueError(f"structure file {str(path)!r} holds no structure")
    if validate:
        for k, atoms in enumerate(frames):
            try:
                validate_atoms(atoms, min_distance=min_distance)
            except ValueError as e:
                where = f" (frame {k})" if len(frames) > 1 else ""
                raise ValueError(f"structure file {str(path)!r}{where}: {e}") from e
    return frames


def read_structure(
    path: PathLike,
    format: str | None = None,
    *,
    index: int = -1,
    validate: bool = True,
    min_distance: float = 0.5,
) -> "ase.Atoms":
    """Read one frame (by default the last) of a structure file in any format ASE reads.

    See :func:`read_structures` for the arguments and errors; ``index`` picks the
    frame (negative counts from the end) and one out of range raises
    ``ValueError`` ("file ... has 1 frame", "... has 3 frames").

    Example:
        >>> import tempfile, ase.build
        >>> folder = tempfile.mkdtemp()
        >>> write_structure(f"{folder}/POSCAR", ase.build.bulk("Si"), format="vasp")
        >>> read_structure(f"{folder}/POSCAR").get_chemical_formula()
        'Si2'
        >>> read_structure(f"{folder}/POSCAR", index=3)
        Traceback (most recent call last):
        ...
        ValueError: structure file '.../POSCAR' has 1 frame; index=3 is out of range
    """
    frames = read_structures(path, format, validate=False)
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise ValueError(f"index must be an integer frame number, got {index!r}")
    if not -len(frames) <= index < len(frames):
        n = len(frames)
        raise ValueError(f"structure file {str(path)!r} has {n} frame{'s' if n != 1 else ''}; "
                         f"index={index} is out of range")
    atoms = frames[index]
    if validate:
        try:
            validate_atoms(atoms, min_distance=min_distance)
        except ValueError as e:
            raise ValueError(f"structure file {str(path)!r}: {e}") from e
    return atoms


def write_structure(
    path: PathLike, atoms: "ase.Atoms | Sequence[ase.Atoms]", format: str | None = None
) -> None:
    """Write one structure or a sequence of frames in any format ASE writes.

    ``format`` as in :func:`read_structures` (``.xyz`` writes extended XYZ, which
    keeps the cell and pbc; ``format="xyz"`` writes plain XYZ; other files are
    guessed by ASE from the name). Raises ``ValueError`` naming the file when ASE
    refuses to write it.
    """
    ase_io = _ase_io()
    path = Path(path)
    fmt = _format_for(path, format)
    if not path.parent.exists():
        raise FileNotFoundError(f"directory {str(path.parent)!r} of {str(path)!r} does not exist")
    try:
        ase_io.write(str(path), atoms, format=fmt)
    except Exception as e:
        raise ValueError(
            f"cannot write structure file {str(path)!r}{f' as {fmt}' if fmt else ''}: {type(e).__name__}: {e}"
        ) from e


def _as_numpy(x: Any, name: str) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().double().numpy()
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name} cannot be read as an array of numbers: {e}") from e


def _normalize_pbc(pbc: Any) -> np.ndarray:
    if pbc is None:
        return np.zeros(3, dtype=bool)
    if isinstance(pbc, torch.Tensor):
        pbc = pbc.detach().cpu().numpy()
    arr = np.asarray(pbc, dtype=bool).reshape(-1)
    if arr.size == 1:
        arr = np.repeat(arr, 3)
    if arr.shape != (3,):
        raise ValueError(f"pbc must be a bool or three bools, got {pbc!r}")
    return arr


def _label(i: int, symbols: Sequence[str] | None) -> str:
    return f"{i} ({symbols[i]})" if symbols is not None else f"{i}"


def validate_positions(
    pos: Any,
    cell: Any = None,
    pbc: Any = None,
    *,
    min_distance: float = 0.5,
    symbols: Sequence[str] | None = None,
) -> None:
    r"""Check that positions are finite and that no two atoms overlap.

    Two atoms :math:`i, j` overlap when
    :math:`\min_S \lVert x_j - x_i + S\,\mathrm{cell} \rVert < d_{\min}` over
    the integer cell shifts :math:`S` allowed by ``pbc`` (:math:`S = 0` and
    :math:`i = j` excluded). An atom overlapping with its own periodic image
    (a cell shorter than ``min_distance``) is reported too.

    Args:
        pos: positions, shape ``(N, 3)`` (tensor, array or nested lists).
        cell: lattice vectors as rows, shape ``(3, 3)``; needed when any ``pbc``.
        pbc: a bool or three bools; default non-periodic.
        min_distance: the overlap threshold :math:`d_{\min}` (same length unit as
            ``pos``, Å for structures read from files).
        symbols: optional chemical symbols, used only to name atoms in errors.

    Raises:
        ValueError: bad shape, NaN/inf coordinates or cell (naming the atoms),
            coordinates or cell entries beyond :data:`MAX_COORDINATE` (1e8 Å),
            or overlapping atoms (naming the first few pairs and their distance).
    """
    p = _as_numpy(pos, "pos")
    if p.ndim != 2 or p.shape[1] != 3:
        raise ValueError(f"pos must have shape (N, 3), got {tuple(p.shape)}")
    bad = np.nonzero(~np.isfinite(p).all(axis=1))[0]
    if bad.size:
        shown = ", ".join(_label(int(i), symbols) for i in bad[:10])
        more = f" and {bad.size - 10} more" if bad.size > 10 else ""
        raise ValueError(f"non-finite (NaN or inf) coordinates for atom(s) {shown}{more}")
    bad = np.nonzero((np.abs(p) > MAX_COORDINATE).any(axis=1))[0]
    if bad.size:
        shown = ", ".join(_label(int(i), symbols) for i in bad[:10])
        more = f" and {bad.size - 10} more" if bad.size > 10 else ""
        raise ValueError(f"coordinates of atom(s) {shown}{more} exceed {_MAX_TEXT} in magnitude "
                         f"(largest {np.abs(p).max():.3g}): not atomic positions in Å")
    pbc_arr = _normalize_pbc(pbc)
    if pbc_arr.any():
        if cell is None:
            raise ValueError(f"pbc={pbc_arr.tolist()} needs a cell")
        c = _as_numpy(cell, "cell").reshape(3, 3)
        if not np.isfinite(c).all():
            raise ValueError(f"the cell has non-finite (NaN or inf) entries: {c.tolist()}")
        if np.abs(c).max() > MAX_COORDINATE:
            raise ValueError(f"the cell has entries beyond {_MAX_TEXT} in magnitude "
                             f"(largest {np.abs(c).max():.3g}): not a cell in Å")
        if abs(np.linalg.det(c[pbc_arr] @ c[pbc_arr].T)) < 1e-12:
            raise ValueError(f"the periodic cell vectors are degenerate: cell={c.tolist()}, pbc={pbc_arr.tolist()}")
    else:
        c = np.zeros((3, 3)) if cell is None else _as_numpy(cell, "cell").reshape(3, 3)
    if p.shape[0] == 0 or min_distance <= 0:
        return

    i, j, S, d = _neighbor_pairs_numpy(p, min_distance, c, pbc_arr)
    keep = (i < j) | ((i == j) & (S != 0).any(axis=1))  # each pair once
    i, j, S, d = i[keep], j[keep], S[keep], d[keep]
    if i.size:
        order = np.argsort(d, kind="stable")[:5]
        parts = []
        for k in order:
            img = "" if not S[k].any() else f" (periodic image {S[k].astype(int).tolist()})"
            parts.append(f"atoms {_label(int(i[k]), symbols)} and {_label(int(j[k]), symbols)}{img} are {d[k]:.4g} apart")
        more = f"; {i.size - len(order)} more pair(s)" if i.size > len(order) else ""
        raise ValueError(f"overlapping atoms (distance < min_distance={min_distance}): " + "; ".join(parts) + more)


def validate_atoms(atoms: "ase.Atoms", *, min_distance: float = 0.5) -> None:
    """:func:`validate_positions` on an :class:`ase.Atoms` (its cell, pbc and symbols);
    a structure without atoms is refused too."""
    if len(atoms) == 0:
        raise ValueError("it holds no atoms")
    validate_positions(
        atoms.get_positions(),
        np.asarray(atoms.get_cell()),
        atoms.get_pbc(),
        min_distance=min_distance,
        symbols=atoms.get_chemical_symbols(),
    )


def atoms_to_data(atoms: "ase.Atoms", dtype: torch.dtype | None = None) -> dict[str, torch.Tensor]:
    """Tensors of one structure, the dict read by the Network and the graph helpers.

    Returns:
        ``{"pos": (N, 3), "cell": (3, 3), "pbc": (3,) bool, "atomic_numbers": (N,) long}``,
        floats in ``dtype`` (default: torch's default dtype).
    """
    dtype = dtype or torch.get_default_dtype()
    return {
        "pos": torch.as_tensor(np.asarray(atoms.get_positions()), dtype=dtype),
        "cell": torch.as_tensor(np.asarray(atoms.get_cell()), dtype=dtype),
        "pbc": torch.as_tensor(np.asarray(atoms.get_pbc(), dtype=bool)),
        "atomic_numbers": torch.as_tensor(np.asarray(atoms.get_atomic_numbers()), dtype=torch.long),
    }


def data_to_atoms(data: dict[str, torch.Tensor]) -> "ase.Atoms":
    """The inverse of :func:`atoms_to_data` for one (unbatched) structure."""
    _ase_io()
    import ase

    pos = data["pos"].detach().cpu().double().numpy()
    numbers = data.get("atomic_numbers")
    numbers = np.zeros(len(pos), dtype=int) if numbers is None else numbers.detach().cpu().numpy()
    cell = data.get("cell")
    pbc = data.get("pbc")
    return ase.Atoms(
        numbers=numbers,
        positions=pos,
        cell=None if cell is None else cell.detach().cpu().double().numpy().reshape(3, 3),
        pbc=_normalize_pbc(pbc),
    )
