r"""Strain as an order parameter: the cell change split into irreps of the
parent's point group.

A symmetric strain :math:`\varepsilon` (3x3) carries the O(3) representation
``0e + 2e``: the volume part :math:`\tfrac13 \mathrm{tr}(\varepsilon)\,\mathbb 1`
(``0e``) and the traceless shear part (``2e``). An operation ``g`` of the
parent's point group ``G`` acts as :math:`\varepsilon \mapsto g \varepsilon g^T`,
and each O(3) part splits further into isotypic components of ``G``:

.. math::
    \varepsilon_\Gamma = P_\Gamma \varepsilon
    = \sum_{g \in G} w_\Gamma(g)\, g\, \varepsilon\, g^T,
    \qquad w_\Gamma(g) = \frac{d_\Gamma}{|G|\,\langle\chi_\Gamma,\chi_\Gamma\rangle}\chi_\Gamma(g)

(real, physically irreducible characters from
:func:`~curienn.symmetry.character_table`). For O_h: ``0e -> A1g``,
``2e -> Eg + T2g``; for D4h: ``0e -> A1g``, ``2e -> A1g + B1g + B2g + Eg``.
The amplitude of a component is its Frobenius norm
:math:`|\varepsilon_\Gamma|_F` (dimensionless); the squared amplitudes add up to
:math:`|\varepsilon|_F^2`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._character_table import character_table

__all__ = ["StrainComponent", "StrainDecomposition", "decompose_strain"]

#: CDML labels of the O_h irreps at Gamma (ISODISTORT's strain labels for cubic parents)
_OH_GAMMA = {"A1": 1, "A2": 2, "E": 3, "T1": 4, "T2": 5}


@dataclass(frozen=True, eq=False)
class StrainComponent:
    """One isotypic part of a strain.

    ``o3``: ``"0e"`` (volume) or ``"2e"`` (shear); ``label``: Mulliken label
    in the parent point group (e.g. ``"Eg"``); ``cdml``: ``"GM3+"``-style label
    where the point group is O_h, else ``""``; ``amplitude``: Frobenius norm;
    ``tensor``: the ``(3, 3)`` component.
    """

    o3: str
    label: str
    cdml: str
    amplitude: float
    tensor: np.ndarray = field(repr=False)

    @property
    def name(self) -> str:
        return self.cdml or self.label


@dataclass(frozen=True, eq=False)
class StrainDecomposition:
    """Result of :func:`decompose_strain`: ``strain`` ``(3, 3)``,
    ``point_group`` (Schoenflies), ``components`` (every irrep allowed by
    symmetry, zero amplitudes included)."""

    strain: np.ndarray
    point_group: str
    components: list

    def amplitudes(self, threshold: float = 0.0) -> dict:
        """``{"0e A1g": amplitude, "2e Eg": ...}`` for amplitudes above ``threshold``."""
        return {f"{c.o3} {c.name}": c.amplitude for c in self.components if c.amplitude > threshold}

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.strain))

    def to_dict(self) -> dict:
        return {
            "point_group": self.point_group,
            "strain": self.strain.round(12).tolist(),
            "components": [
                {"o3": c.o3, "label": c.label, "cdml": c.cdml, "amplitude": c.amplitude,
                 "tensor": c.tensor.round(12).tolist()} for c in self.components
            ],
        }

    def __str__(self) -> str:
        lines = [f"strain |e|_F = {self.norm:.4g} in irreps of {self.point_group}:"]
        for c in self.components:
            lines.append(f"  {c.o3:>2} {c.name:<6} {c.amplitude:.4g}")
        return "\n".join(lines)

    __repr__ = __str__


def _as_operations(operations) -> np.ndarray:
    if hasattr(operations, "cartesian_rotations"):  # a SpaceGroup
        operations = operations.point_group().operations
    elif hasattr(operations, "operations"):  # a PointGroup
        operations = operations.operations
    ops = np.asarray(operations, dtype=np.float64)
    if ops.ndim != 3 or ops.shape[1:] != (3, 3) or len(ops) == 0:
        raise ValueError(f"operations must have shape (n, 3, 3), got {ops.shape}")
    return ops


def decompose_strain(strain, operations, *, atol: float = 1e-5) -> StrainDecomposition:
    r"""Split a symmetric strain into ``0e``/``2e`` parts and irreps of a
    point group.

    Args:
        strain: ``(3, 3)`` symmetric strain in the frame of ``operations``
            (e.g. :attr:`StructureMatch.strain`).
        operations: the parent's point group: ``(n, 3, 3)`` Cartesian
            orthogonal matrices forming a group, a :class:`PointGroup` or a
            :class:`SpaceGroup` (its isogonal point group is used).
        atol: tolerance for recognising the group.

    Returns:
        :class:`StrainDecomposition`; components with zero amplitude are kept
        so that a report can show what symmetry allows.

    Example:
        >>> from curienn.symmetry import close_group
        >>> C4 = np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])
        >>> C3 = np.eye(3)[[1, 2, 0]]  # about (1, 1, 1)
        >>> Oh = close_group([C4, C3, -np.eye(3)])
        >>> d = decompose_strain(np.diag([0.01, 0.01, 0.03]), Oh)
        >>> {k: round(v, 5) for k, v in d.amplitudes(1e-12).items()}
        {'0e GM1+': 0.02887, '2e GM3+': 0.01633}
    """
    e = np.asarray(strain, dtype=np.float64)
    if e.shape != (3, 3) or not np.all(np.isfinite(e)):
        raise ValueError(f"strain must be a finite 3x3 matrix, got shape {e.shape}")
    if np.abs(e - e.T).max() > 1e-8 * max(1.0, np.abs(e).max()):
        raise ValueError(f"strain must be symmetric, got asymmetry {np.abs(e - e.T).max():.3g}")
    e = (e + e.T) / 2
    ct = character_table(_as_operations(operations), atol=atol)
    ops = ct.operations
    vol = np.trace(e) / 3 * np.eye(3)
    parts = {"0e": vol, "2e": e - vol}
    comps = []
    for o3, part in parts.items():
        moved = np.einsum("gij,jk,glk->gil", ops, part, ops)
        for ir in ct.irreps:
            t = np.einsum("g,gij->ij", ir.proj_weights, moved)
            # an irrep occurs in 0e/2e iff its projector is non-zero on that whole space
            basis = _SYM_BASIS[o3]
            pb = np.einsum("g,gaij->aij", ir.proj_weights, np.einsum("gij,ajk,glk->gail", ops, basis, ops))
            if np.abs(pb).max() < 1e-9:
                continue
            comps.append(StrainComponent(o3, ir.label, _cdml(ct.name, ir.label), float(np.linalg.norm(t)), t))
    return StrainDecomposition(e, ct.name, comps)


def _cdml(group: str, label: str) -> str:
    if group != "Oh" or label[-1] not in "gu" or label[:-1] not in _OH_GAMMA:
        return ""
    return f"GM{_OH_GAMMA[label[:-1]]}{'+' if label[-1] == 'g' else '-'}"


def _sym_basis() -> dict:
    eye = np.eye(3)
    shear = []
    for i, j in ((0, 1), (0, 2), (1, 2)):
        m = np.zeros((3, 3))
        m[i, j] = m[j, i] = 1 / np.sqrt(2)
        shear.append(m)
    shear.append(np.diag([1.0, -1.0, 0.0]) / np.sqrt(2))
    shear.append(np.diag([1.0, 1.0, -2.0]) / np.sqrt(6))
    return {"0e": (eye / np.sqrt(3))[None], "2e": np.array(shear)}


_SYM_BASIS = _sym_basis()
