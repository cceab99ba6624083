"""Result types of :func:`~curienn.symmetry.mode_decomposition`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["IrrepAmplitude", "ModeDecomposition"]


@dataclass(frozen=True, eq=False)
class IrrepAmplitude:
    """One field's part in one physically irreducible representation.

    Attributes
    ----------
    field: the field's name (``"displacement"`` or a name given by the caller).
    field_type: its O(3) type (``"1o"``, ``"1e"``, ...).
    label: ``"M3+"`` (CDML, Pm-3m), ``"X:Eg"`` (star + Mulliken label of the
        little co-group) or ``"k(0,0,1/4)#2"`` (numbered).
    star: the star's name (``"GM"``, ``"X"``, ``"M"``, ``"R"``, ``"k(...)"``).
    kpoints: ``(n_arms, 3)`` every arm of the star (and of the negative star
        when it is a different one), conventional reciprocal basis.
    mulliken, little_cogroup: the Mulliken label and Schoenflies symbol of the
        little co-group (``""`` where not defined).
    dimension: dimension of the physically irreducible representation of the
        space group (all arms).
    amplitude: ``A_s``, root-sum-square of the projected field over the child
        supercell (Angstrom for displacements).
    amplitude_parent_cell: ``A_p = A_s / sqrt(n)``, ``n`` the number of
        primitive parent cells in the child's cell (``det S`` for a primitive parent).
    values: ``(N_child, dim)`` the projected field on the child's atoms, in the
        parent frame; summed over all irreps it gives back the field.
    """

    field: str
    field_type: str
    label: str
    star: str
    kpoints: np.ndarray = field(repr=False)
    mulliken: str
    little_cogroup: str
    dimension: int
    amplitude: float
    amplitude_parent_cell: float
    values: np.ndarray = field(repr=False)


@dataclass(frozen=True, eq=False)
class ModeDecomposition:
    """Result of :func:`~curienn.symmetry.mode_decomposition`.

    ``match``: the :class:`StructureMatch`; ``space_group`` / ``number``: the
    parent's (for a molecule: its point group and 0); ``origin``: what sits at
    the origin the labels refer to; ``kpoints``: ``(det S, 3)`` the wave
    vectors the supercell holds (conventional reciprocal basis of the parent's
    standard setting); ``modes``: one :class:`IrrepAmplitude` per field and
    irrep present in the supercell (zero amplitudes included); ``strain``: the
    :class:`StrainDecomposition` of the cell change (standard frame; ``None``
    for a molecule); ``rotation``: the parent frame -> the standard frame the
    labels refer to (``(3, 3)``; ``IrrepAmplitude.values`` stay in the parent
    frame).
    """

    match: object
    space_group: str
    number: int
    origin: str
    kpoints: np.ndarray
    modes: list
    strain: object
    rotation: np.ndarray = field(default=None, repr=False)

    @property
    def periodic(self) -> bool:
        """Whether this is a crystal's decomposition (a space group's irreps)."""
        return self.number > 0

    def amplitudes(self, field: str = "displacement", *, threshold: float = 1e-4,
                   per_parent_cell: bool = False) -> dict:
        """``{label: amplitude}`` of ``field`` above ``threshold``, largest first
        (``A_s``; ``A_p`` with ``per_parent_cell=True``)."""
        rows = [m for m in self.modes if m.field == field]
        if not rows:
            raise ValueError(f"no field {field!r}; have {sorted({m.field for m in self.modes})}")
        key = "amplitude_parent_cell" if per_parent_cell else "amplitude"
        out = {m.label: float(getattr(m, key)) for m in rows if m.amplitude > threshold}
        return dict(sorted(out.items(), key=lambda kv: (-round(kv[1], 12), kv[0])))

    def active(self, field: str = "displacement", threshold: float = 1e-4) -> list[str]:
        """Labels of the irreps of ``field`` with amplitude above ``threshold``, sorted by label."""
        return sorted(self.amplitudes(field, threshold=threshold))

    def mode(self, label: str, field: str = "displacement") -> "IrrepAmplitude":
        for m in self.modes:
            if m.label == label and m.field == field:
                return m
        raise KeyError(f"no irrep {label!r} for field {field!r}; have "
                       f"{[m.label for m in self.modes if m.field == field]}")

    def to_dict(self, threshold: float = 0.0) -> dict:
        return {
            "space_group": self.space_group,
            "number": self.number,
            "origin": self.origin,
            "kpoints": np.round(self.kpoints, 9).tolist(),
            "modes": [
                {"field": m.field, "type": m.field_type, "label": m.label, "star": m.star,
                 "mulliken": m.mulliken, "little_cogroup": m.little_cogroup, "dimension": m.dimension,
                 "amplitude": m.amplitude, "amplitude_parent_cell": m.amplitude_parent_cell}
                for m in self.modes if m.amplitude > threshold
            ],
            "strain": None if self.strain is None else self.strain.to_dict(),
        }

    def __str__(self) -> str:
        if self.periodic:
            lines = [f"mode decomposition in {self.space_group} ({self.number}), {self.origin}; "
                     f"{len(self.kpoints)} k-points, {self.match.n_cells} parent cells"]
        else:
            lines = [f"mode decomposition in the point group {self.space_group} about {self.origin}"]
        for name in dict.fromkeys(m.field for m in self.modes):
            lines.append(f"  {name}: irrep, A_s, A_p")
            for m in self.modes:
                if m.field == name and m.amplitude > 1e-6:
                    lines.append(f"    {m.label:<10} {m.amplitude:.5f} {m.amplitude_parent_cell:.5f}")
        if self.strain is not None:
            lines.append("  " + str(self.strain).replace("\n", "\n  "))
        return "\n".join(lines)

    __repr__ = __str__
