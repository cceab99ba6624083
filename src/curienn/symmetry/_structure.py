"""A small structure type for the matching and mode-decomposition tools.

:class:`Structure` holds what the group theory needs and nothing else: the
lattice (rows are lattice vectors, Angstrom; ``None`` for a finite point set
such as a molecule), Cartesian positions and one species label per atom.
:func:`as_structure` turns an ASE ``Atoms``, a spglib-style
``(lattice, fractional_positions, numbers)`` tuple or a ``Structure`` into one
and rejects bad input with a ``ValueError`` that names the problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Structure", "as_structure"]


@dataclass(frozen=True, eq=False)
class Structure:
    """Atoms in a periodic cell, or a finite set of atoms.

    Attributes
    ----------
    positions: ``(N, 3)`` Cartesian coordinates (Angstrom).
    species: ``(N,)`` species labels (chemical symbols or integers); atoms are
        only ever matched to atoms with an equal label.
    lattice: ``(3, 3)`` lattice vectors as rows (Angstrom), or ``None`` for a
        molecule / finite point set.

    Example
    -------
    >>> s = Structure(np.zeros((1, 3)), ("Po",), 3.35 * np.eye(3))
    >>> s.periodic, len(s), s.volume
    (True, 1, 37.595375)
    """

    positions: np.ndarray
    species: tuple
    lattice: np.ndarray | None = None

    def __post_init__(self):
        pos = _finite(self.positions, "positions")
        if pos.ndim != 2 or pos.shape[1] != 3 or len(pos) == 0:
            raise ValueError(f"positions must have shape (N, 3) with N >= 1, got {pos.shape}")
        species = tuple(self.species)
        if len(species) != len(pos):
            raise ValueError(f"{len(species)} species labels for {len(pos)} atoms")
        object.__setattr__(self, "positions", pos)
        object.__setattr__(self, "species", species)
        if self.lattice is not None:
            lat = _finite(self.lattice, "lattice")
            if lat.shape != (3, 3):
                raise ValueError(f"lattice must be 3x3 (rows are lattice vectors), got {lat.shape}")
            if abs(np.linalg.det(lat)) < 1e-9 * max(1.0, np.abs(lat).max()) ** 3:
                raise ValueError(f"the lattice is singular (det = {np.linalg.det(lat):.3g})")
            object.__setattr__(self, "lattice", lat)

    @property
    def periodic(self) -> bool:
        return self.lattice is not None

    @property
    def volume(self) -> float:
        """Cell volume (Angstrom^3); ``ValueError`` for a finite structure."""
        if self.lattice is None:
            raise ValueError("a finite structure has no cell volume")
        return float(abs(np.linalg.det(self.lattice)))

    @property
    def fractional(self) -> np.ndarray:
        """``(N, 3)`` fractional coordinates ``positions @ inv(lattice)`` (not wrapped)."""
        if self.lattice is None:
            raise ValueError("a finite structure has no fractional coordinates")
        return self.positions @ np.linalg.inv(self.lattice)

    def __len__(self) -> int:
        return len(self.positions)

    def composition(self) -> dict:
        """``{species: count}`` in order of first appearance."""
        out: dict = {}
        for s in self.species:
            out[s] = out.get(s, 0) + 1
        return out

    def to_spglib(self) -> tuple:
        """``(lattice, fractional positions wrapped to [0, 1), integer codes)``."""
        codes = {s: i + 1 for i, s in enumerate(self.composition())}
        frac = self.fractional
        return self.lattice, frac - np.floor(frac), np.array([codes[s] for s in self.species])


def _finite(x, name) -> np.ndarray:
    try:
        a = np.array(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {type(x).__name__}") from exc
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def as_structure(obj, *, name: str = "structure") -> Structure:
    """A :class:`Structure` from an ASE ``Atoms``, a ``Structure`` or a spglib
    tuple ``(lattice, fractional_positions, numbers)``.

    An ASE ``Atoms`` is periodic when ``pbc`` is set on all three axes and
    finite when it is set on none (its cell is then ignored); partial
    periodicity (slabs, wires) is refused. ``name`` only enters error messages.

    Example
    -------
    >>> s = as_structure((4.0 * np.eye(3), [[0, 0, 0], [0.5, 0.5, 0.5]], [11, 17]))
    >>> s.positions[1].tolist(), s.species
    ([2.0, 2.0, 2.0], ('Na', 'Cl'))
    """
    if isinstance(obj, Structure):
        return obj
    if hasattr(obj, "get_positions") and hasattr(obj, "pbc"):
        pbc = np.asarray(obj.pbc, dtype=bool).reshape(-1)
        symbols = tuple(obj.get_chemical_symbols())
        if len(symbols) == 0:
            raise ValueError(f"the {name} has no atoms")
        if pbc.all():
            return Structure(obj.get_positions(), symbols, np.asarray(obj.cell[:]))
        if not pbc.any():
            return Structure(obj.get_positions(), symbols, None)
        raise ValueError(
            f"the {name} is periodic along some axes only (pbc={pbc.tolist()}); "
            "give a bulk crystal (pbc on all axes) or a molecule (pbc off)"
        )
    try:
        lattice, frac, numbers = obj
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"the {name} must be an ASE Atoms, a curienn.symmetry.Structure or a "
            f"(lattice, fractional positions, numbers) tuple, got {type(obj).__name__}"
        ) from exc
    lat = _finite(lattice, f"{name} lattice")
    f = _finite(frac, f"{name} fractional positions")
    if lat.shape != (3, 3) or f.ndim != 2 or f.shape[-1] != 3:
        raise ValueError(f"the {name} tuple has lattice {lat.shape} and positions {f.shape}")
    return Structure(f @ lat, _symbols(numbers), lat)


def _symbols(numbers) -> tuple:
    """Atomic numbers -> chemical symbols (so a tuple and an ASE Atoms of one
    crystal have equal species); other labels are kept as they are."""
    labels = np.asarray(numbers).reshape(-1).tolist()
    if all(isinstance(z, int) and 1 <= z <= 118 for z in labels):
        try:
            from ase.data import chemical_symbols
        except ImportError:  # pragma: no cover - depends on the environment
            return tuple(labels)
        return tuple(chemical_symbols[z] for z in labels)
    return tuple(labels)
