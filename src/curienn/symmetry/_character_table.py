"""Character tables of finite point groups, computed from the group itself, with
Mulliken labels assigned by rule.

Characters (Burnside-Dixon)
---------------------------
With conjugacy classes ``C_1 = {E}, ..., C_r`` and class-multiplication
coefficients ``c_jkl`` (``C_j C_k = sum_l c_jkl C_l``), the central characters
``omega_i(C_k) = |C_k| chi_i(C_k) / chi_i(E)`` are the common eigenvectors of the
matrices ``(A_j)_kl = c_jkl``: ``A_j omega = omega_j omega``. A random combination
of the ``A_j`` has distinct eigenvalues, so its eigenvectors, scaled to
``omega(E) = 1``, give every irreducible character up to the degree
``chi(E)^2 = |G| / sum_k |omega_k|^2 / |C_k|``.

Real ("physical") irreps
------------------------
The Frobenius-Schur indicator ``nu = (1/|G|) sum_g chi(g^2)`` sorts the complex
irreps: ``nu = 1`` real, ``nu = 0`` paired with its complex conjugate (the real
irrep has character ``chi + chi*`` and twice the dimension, labelled E as in the
usual tables for C3, C4, T...), ``nu = -1`` quaternionic (``2 chi``). The
isotypic projector of a real irrep on a real representation ``D`` is
``P = (d / |G|) sum_g chi_c(g)* D(g)`` summed over its complex constituents
(``d`` their degree).

Mulliken labels
---------------
* letter by real dimension: 1 -> A/B, 2 -> E, 3 -> T, 4 -> G, 5 -> H; a 1D irrep
  is A when symmetric (+1) under the principal element: the rotation ``C_n``
  of highest order about the principal axis, or the rotoreflection ``S_2n``
  about it when that is of higher order and the group has no inversion
  (S4, D2d, D4d, ...);
* ``g``/``u``: character of the inversion (when present); otherwise ``'``/``''``
  for the character of sigma_h (mirror perpendicular to the principal axis);
* subscripts, only where needed to tell irreps apart: A/B get 1/2 by the
  character of a C2' (a two-fold axis perpendicular to the principal axis; for
  O/Oh the C2 not along a four-fold axis), or when there is none, of a
  sigma_v (a mirror containing the principal axis); E_k by
  ``chi(principal) = 2 cos(2 pi k / N)``; T1/T2 by the sign of the character
  of C4 (O, Oh), S4 (Td) or C5 (I, Ih); D2/D2h use B1, B2, B3 for the
  irreps symmetric under the C2 along z, y, x.

Conventions for the orientation-dependent choices (which class is C2' rather
than C2'', which mirrors are sigma_v rather than sigma_d, which axis is z in
D2h): the class whose axes (mirror normals) lie along the lab axes x, y, z is
C2' (sigma_v); for D2 and D2h the principal axis is the C2 closest to z, then
y, then x. So a square in the xz plane with edges along x and z has
C2' along x and z, and its rectangular distortion is B1g.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._group import close_group, find_operation, multiplication_table, schoenflies_name
from ._mulliken import MullikenLabeller, label_sort_key, linear_label

__all__ = ["CharacterTable", "GroupIrrep", "character_table"]


@dataclass
class GroupIrrep:
    """A real (physically irreducible) representation of a point group.

    ``label`` (Mulliken), ``dim`` (real dimension), ``characters`` per class
    (real), ``kind`` ("real", "complex pair", "quaternionic"),
    ``op_characters`` per operation (real character), ``proj_weights`` per
    operation: the isotypic projector is ``sum_g proj_weights[g] D(g)``.
    """

    label: str
    dim: int
    characters: np.ndarray
    kind: str
    op_characters: np.ndarray = field(repr=False)
    proj_weights: np.ndarray = field(repr=False)


@dataclass
class CharacterTable:
    """Character table of a finite group of orthogonal matrices.

    ``operations`` (n, 3, 3); ``classes``: list of index arrays into
    ``operations``; ``class_names`` like ``"2C4"``, ``"2C2'"``, ``"σh"``;
    ``irreps``: list of :class:`GroupIrrep`; ``name``: Schoenflies symbol.
    """

    name: str
    operations: np.ndarray
    classes: list
    class_names: list
    irreps: list
    class_of: np.ndarray = field(repr=False)

    @property
    def labels(self) -> list[str]:
        return [ir.label for ir in self.irreps]

    def __getitem__(self, label: str) -> GroupIrrep:
        for ir in self.irreps:
            if ir.label == label:
                return ir
        raise KeyError(f"{self.name} has no irrep {label!r}; it has {self.labels}")

    def class_index(self, R, atol: float = 1e-6) -> int:
        """Index of the class containing the operation ``R`` (ValueError if none)."""
        i = find_operation(self.operations, np.asarray(R, dtype=np.float64), atol)
        if i < 0:
            raise ValueError("operation is not in the group")
        return int(self.class_of[i])

    def character(self, label: str, R) -> float:
        """Character of irrep ``label`` at the operation ``R`` (3x3)."""
        return float(self[label].characters[self.class_index(R)])

    def decompose(self, op_characters) -> dict[str, int]:
        """Multiplicities of the irreps in a real representation given its
        character at every operation (same order as ``operations``)."""
        chi = np.asarray(op_characters, dtype=np.float64)
        out = {}
        for ir in self.irreps:
            m = float(np.dot(ir.proj_weights, chi)) / ir.dim
            mi = int(round(m))
            if abs(m - mi) > 1e-6:
                raise ValueError(f"not a character of a representation (multiplicity {m} of {ir.label})")
            if mi:
                out[ir.label] = mi
        return out

    def to_dict(self) -> dict:
        return {
            "group": self.name,
            "classes": self.class_names,
            "irreps": {ir.label: [round(float(c), 10) for c in ir.characters] for ir in self.irreps},
        }

    def __str__(self) -> str:
        w = max(7, *(len(c) + 2 for c in self.class_names))
        lw = max(len(lb) for lb in self.labels) + 2
        head = f"{self.name:<{lw}}" + "".join(f"{c:>{w}}" for c in self.class_names)
        rows = [head]
        for ir in self.irreps:
            rows.append(f"{ir.label:<{lw}}" + "".join(f"{_fmt(c):>{w}}" for c in ir.characters))
        return "\n".join(rows)

    __repr__ = __str__


def _fmt(c: float) -> str:
    if abs(c - round(c)) < 1e-9:
        return str(int(round(c)))
    return f"{c:.3f}"


# --------------------------------------------------------------------------- #
def _conjugacy_classes(table: np.ndarray, inv: np.ndarray) -> tuple[list, np.ndarray]:
    n = len(table)
    class_of = -np.ones(n, dtype=np.int64)
    classes = []
    for a in range(n):
        if class_of[a] >= 0:
            continue
        members = np.unique(table[table[:, a], inv])  # g a g^-1
        class_of[members] = len(classes)
        classes.append(members)
    return classes, class_of


def _complex_characters(table, inv, classes, class_of) -> np.ndarray:
    """Rows: irreducible characters (complex) per class."""
    n, r = len(table), len(classes)
    sizes = np.array([len(c) for c in classes])
    # c[j, k, l] = #{x in C_j : x^-1 z_l in C_k}, z_l a representative of C_l
    c = np.zeros((r, r, r))
    for l_, cl in enumerate(classes):
        z = cl[0]
        for j, cj in enumerate(classes):
            ks = class_of[table[inv[cj], z]]
            np.add.at(c[j], (ks, l_), 1)
    rng = np.random.default_rng(12345)
    for _ in range(5):
        A = np.einsum("j,jkl->kl", rng.normal(size=r), c)
        vals, vecs = np.linalg.eig(A)
        if np.min(np.abs(vals[:, None] - vals[None, :]) + np.eye(r) * 1e9) > 1e-6:
            break
    else:  # pragma: no cover
        raise ValueError("could not separate the irreducible characters")
    e = int(class_of[0])
    chars = []
    for v in vecs.T:
        w = v / v[e]
        deg = np.sqrt(n / np.sum(np.abs(w) ** 2 / sizes))
        d = int(round(deg.real))
        chars.append(w * d / sizes)
    chars = np.array(chars, dtype=np.complex128)
    re, im = chars.real.copy(), chars.imag.copy()
    re[np.abs(re) < 1e-10] = 0
    im[np.abs(im) < 1e-10] = 0
    return re + 1j * im


def character_table(group, atol: float = 1e-5) -> CharacterTable:
    """The character table of a finite point group (a ``PointGroup`` or an array
    of 3x3 orthogonal matrices forming a group), with Mulliken labels.

    Infinite (linear) groups are not supported: pass a finite approximant's
    operations explicitly if needed (labels are then those of the approximant).
    """
    infinite = bool(getattr(group, "infinite", False))
    if hasattr(group, "operations"):  # a PointGroup
        ops = np.asarray(group.operations, dtype=np.float64)
        name = group.name if not infinite else schoenflies_name(ops)
    else:
        ops = np.asarray(group, dtype=np.float64)
        if ops.ndim != 3 or ops.shape[1:] != (3, 3) or len(ops) == 0:
            raise ValueError(f"operations must have shape (n, 3, 3), got {ops.shape}")
        if find_operation(ops, np.eye(3), atol) < 0:
            raise ValueError("the operations do not contain the identity")
        if len(close_group(ops, atol=atol)) != len(ops):
            raise ValueError("the operations are not closed: not a group")
        name = schoenflies_name(ops)
    e = find_operation(ops, np.eye(3), atol)
    if e != 0:  # identity first, for convenience
        order = [e] + [i for i in range(len(ops)) if i != e]
        ops = ops[order]
    table = multiplication_table(ops, atol)
    n = len(ops)
    inv = np.argmax(table == 0, axis=1)
    classes, class_of = _conjugacy_classes(table, inv)
    cchars = _complex_characters(table, inv, classes, class_of)
    sq = class_of[table[np.arange(n), np.arange(n)]]

    # real irreps
    used = np.zeros(len(cchars), dtype=bool)
    raw = []
    for i, chi in enumerate(cchars):
        if used[i]:
            continue
        used[i] = True
        d = int(round(chi[class_of[0]].real))
        fs = float(np.mean(cchars[i][sq]).real)
        if np.abs(chi.imag).max() < 1e-8 and fs > 0.5:
            kind, real, weight = "real", chi.real, chi.real * d / n
        elif np.abs(chi.imag).max() < 1e-8:
            kind, real, weight = "quaternionic", 2 * chi.real, chi.real * d / n
        else:
            kind = "complex pair"
            j = next(j for j in range(len(cchars)) if not used[j] and np.allclose(cchars[j], chi.conj(), atol=1e-8))
            used[j] = True
            real, weight = 2 * chi.real, 2 * chi.real * d / n
        snapped = np.round(real)
        real = np.where(np.abs(real - snapped) < 1e-8, snapped, real)
        raw.append((kind, real))
    op_chars = [real[class_of] for _, real in raw]
    geo = MullikenLabeller(ops, name, classes, class_of)
    labels = geo.mulliken([oc for oc in op_chars])
    irreps = []
    for (kind, real), oc, lab in zip(raw, op_chars, labels):
        d = int(round(real[class_of[0]]))
        factor = (0.5 if kind == "quaternionic" else 1.0) * (d // (2 if kind != "real" else 1)) / n
        irreps.append(GroupIrrep(lab, d, real, kind, oc, oc * factor))
    if infinite and group.name in ("D∞h", "C∞v"):
        for ir in irreps:
            ir.label = linear_label(ir.label)
        name = group.name
    irreps.sort(key=label_sort_key)
    order = geo.class_order()
    names = geo.class_names()
    classes = [classes[k] for k in order]
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    for ir in irreps:
        ir.characters = ir.characters[order]
    return CharacterTable(name, ops, classes, [names[k] for k in order], irreps, remap[class_of])
