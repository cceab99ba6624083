"""Symmetry-breaking order parameters, computed rather than looked up.

For a parent group ``G`` and the subgroup ``H`` to keep, the components of an
O(3) irrep ``rho = (l, p)`` (e3nn basis) that can describe the breaking
``G -> H`` are those invariant under ``H`` but not under ``G``:

    P_H = (1/|H|) sum_{h in H} D(h)             (projector onto Fix(H)),
    P_Gamma = (d/|G|) sum_{g in G} chi_Gamma(g)* D(g)   (isotypic projector),

and since ``P_Gamma`` is central it commutes with ``P_H``: ``Fix(H)`` splits as
the direct sum over the parent's real irreps ``Gamma`` of
``Fix(H) cap V_Gamma = range(P_Gamma P_H)``. Every non-trivial ``Gamma``
with a non-zero part gives allowed order parameters, reported with the
parent's Mulliken label, its characters, and a canonical (reduced row echelon)
basis of that subspace in the ``2l+1`` components ``m = -l..l``; when the
subspace is spanned by single components (as for a square perpendicular to
e3nn's polar axis y) each basis vector is one ``"2e m=2"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._character_table import CharacterTable, character_table
from ._group import describe_operation, find_operation, schoenflies_name
from ._point_group import PointGroup
from ._representation import representation_matrices

__all__ = ["BreakingComponent", "BreakingReport", "breaking_irreps"]


@dataclass
class BreakingComponent:
    """One allowed order parameter: a unit vector of irrep ``irrep`` (e.g. "2e")
    invariant under the kept group, transforming as ``label`` of the parent."""

    irrep: str
    label: str
    vector: np.ndarray
    components: list[str]
    coefficients: list[float]
    characters: dict = field(repr=False, default_factory=dict)

    def __str__(self) -> str:
        if len(self.components) == 1:
            return f"{self.components[0]} ({self.label})"
        terms = " ".join(f"{c:+.4f}·[{n}]" for c, n in zip(self.coefficients, self.components))
        return f"{self.irrep}: {terms} ({self.label})"


@dataclass
class BreakingReport:
    """Result of :func:`breaking_irreps`.

    ``components``: list of :class:`BreakingComponent`; ``table``: the parent's
    :class:`CharacterTable`; ``fixed_dims``: ``{irrep: (dim Fix(H), dim Fix(G))}``.
    """

    parent: str
    kept: str
    lmax: int
    components: list
    table: CharacterTable = field(repr=False)
    fixed_dims: dict = field(default_factory=dict)

    def by_irrep(self) -> dict[str, list[BreakingComponent]]:
        out: dict = {}
        for c in self.components:
            out.setdefault(c.irrep, []).append(c)
        return out

    def labels(self) -> list[str]:
        """The parent irreps that occur, in table order."""
        present = {c.label for c in self.components}
        return [lb for lb in self.table.labels if lb in present]

    def to_dict(self) -> dict:
        return {
            "parent": self.parent,
            "kept": self.kept,
            "lmax": self.lmax,
            "components": [
                {
                    "irrep": c.irrep,
                    "label": c.label,
                    "components": c.components,
                    "coefficients": c.coefficients,
                    "characters": c.characters,
                }
                for c in self.components
            ],
            "fixed_dims": {k: list(v) for k, v in self.fixed_dims.items()},
        }

    def __str__(self) -> str:
        lines = [f"order parameters breaking {self.parent} -> {self.kept} (l <= {self.lmax}):"]
        if not self.components:
            lines.append("  none (the kept group has no invariant that the parent lacks up to this l)")
        for irrep, comps in self.by_irrep().items():
            lines.append(f"  {irrep:>3}: " + "; ".join(str(c) for c in comps))
        for lab in self.labels():
            ch = self.table[lab].characters
            lines.append(
                f"  {lab} characters: "
                + ", ".join(f"{n}: {_num(v)}" for n, v in zip(self.table.class_names, ch))
            )
        return "\n".join(lines)

    __repr__ = __str__


def _num(v: float) -> str:
    return str(int(round(v))) if abs(v - round(v)) < 1e-9 else f"{v:.3f}"


def _ops(g, what: str) -> tuple[np.ndarray, str]:
    if isinstance(g, PointGroup):
        return np.asarray(g.operations, dtype=np.float64), g.name
    ops = np.asarray(g, dtype=np.float64)
    if ops.ndim != 3 or ops.shape[1:] != (3, 3) or len(ops) == 0:
        raise ValueError(f"{what} must be a PointGroup or operations of shape (n, 3, 3), got {ops.shape}")
    return ops, schoenflies_name(ops)


def _rref_basis(B: np.ndarray, atol: float = 1e-9) -> np.ndarray:
    """Rows spanning the column space of ``B`` (d x r, orthonormal columns),
    in reduced row echelon form (pivot entries 1), then normalised."""
    M = B.T.copy()
    r, d = M.shape
    row = 0
    for col in range(d):
        if row >= r:
            break
        piv = row + int(np.argmax(np.abs(M[row:, col])))
        if abs(M[piv, col]) < 1e-7:
            continue
        M[[row, piv]] = M[[piv, row]]
        M[row] /= M[row, col]
        for k in range(r):
            if k != row:
                M[k] -= M[k, col] * M[row]
        row += 1
    M[np.abs(M) < atol] = 0.0
    return M / np.linalg.norm(M, axis=1, keepdims=True)


def breaking_irreps(parent, kept, lmax: int = 5, *, parities=(1, -1)) -> BreakingReport:
    """The order parameters of ``parent -> kept`` in the O(3) irreps up to ``lmax``.

    ``parent``, ``kept``: :class:`PointGroup` or ``(n, 3, 3)`` operations; every
    operation of ``kept`` must belong to ``parent``. ``parities``: which of
    ``p = +1`` (``e``) and ``p = -1`` (``o``) to scan. Linear (infinite) groups
    are represented by their finite approximants (exact for ``l <= 11``; labels
    Σ, Π, Δ, ... as for the continuous group).
    """
    if isinstance(lmax, bool) or not isinstance(lmax, (int, np.integer)) or lmax < 0:
        raise ValueError(f"lmax must be a non-negative integer, got {lmax!r}")
    if lmax > 11:
        raise ValueError(f"lmax must be at most 11, got {lmax}")
    if not set(parities) <= {1, -1} or not parities:
        raise ValueError(f"parities must be a subset of (1, -1), got {parities!r}")
    G, gname = _ops(parent, "parent")
    H, hname = _ops(kept, "kept")
    for R in H:
        if find_operation(G, R, 1e-5) < 0:
            raise ValueError(f"kept group {hname} is not a subgroup of {gname}: {describe_operation(R)} is missing")
    table = character_table(parent if isinstance(parent, PointGroup) else G)
    ops = table.operations
    h_idx = [find_operation(ops, R, 1e-5) for R in H]
    trivial = [ir for ir in table.irreps if np.allclose(ir.op_characters, 1.0)]
    components = []
    fixed = {}
    for l in range(lmax + 1):
        for p in parities:
            name = f"{l}{'e' if p == 1 else 'o'}"
            D = representation_matrices(name, ops)
            PH = D[h_idx].mean(axis=0)
            PG = D.mean(axis=0)
            fixed[name] = (int(round(np.trace(PH))), int(round(np.trace(PG))))
            for ir in table.irreps:
                if ir in trivial:
                    continue
                PGam = np.einsum("g,gij->ij", ir.proj_weights, D)
                Q = PGam @ PH
                Q = (Q + Q.T) / 2
                rank = int(round(np.trace(Q)))
                if rank == 0:
                    continue
                w, V = np.linalg.eigh(Q)
                B = V[:, w > 0.5]
                for vec in _rref_basis(B):
                    nz = np.where(np.abs(vec) > 1e-9)[0]
                    comps = [name if l == 0 else f"{name} m={i - l}" for i in nz]
                    components.append(
                        BreakingComponent(
                            irrep=name,
                            label=ir.label,
                            vector=vec,
                            components=comps,
                            coefficients=[float(vec[i]) for i in nz],
                            characters=dict(zip(table.class_names, (float(c) for c in ir.characters))),
                        )
                    )
    return BreakingReport(gname, hname, int(lmax), components, table, fixed)
