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

from ._group import close_group, find_operation, multiplication_table, operation_info

__all__ = ["CharacterTable", "GroupIrrep", "character_table"]

_LETTERS = {1: "AB", 2: "E", 3: "T", 4: "G", 5: "H"}


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
    from ._point_group import PointGroup, schoenflies_name

    if isinstance(group, PointGroup):
        ops = np.asarray(group.operations, dtype=np.float64)
        name = group.name if not group.infinite else schoenflies_name(ops)
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
    geo = _Geometry(ops, name, classes, class_of)
    labels = geo.mulliken([oc for oc in op_chars])
    irreps = []
    for (kind, real), oc, lab in zip(raw, op_chars, labels):
        d = int(round(real[class_of[0]]))
        factor = (0.5 if kind == "quaternionic" else 1.0) * (d // (2 if kind != "real" else 1)) / n
        irreps.append(GroupIrrep(lab, d, real, kind, oc, oc * factor))
    if isinstance(group, PointGroup) and group.infinite and group.name in ("D∞h", "C∞v"):
        for ir in irreps:
            ir.label = _linear_label(ir.label)
        name = group.name
    irreps.sort(key=_label_key)
    order = geo.class_order()
    names = geo.class_names()
    classes = [classes[k] for k in order]
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    for ir in irreps:
        ir.characters = ir.characters[order]
    return CharacterTable(name, ops, classes, [names[k] for k in order], irreps, remap[class_of])


_GREEK = "ΣΠΔΦΓΗΙΚΛΜΝΞ"


def _linear_label(label: str) -> str:
    """D_nh / C_nv approximant label -> D∞h / C∞v label (Σ+, Σ-, Π, Δ, ...)."""
    suffix = label[-1] if label[-1] in "gu" else ""
    core = label[:-1] if suffix else label
    if core in ("A1", "A2", "A"):
        plus = core != "A2"
        if suffix == "u":  # in D_nh, z is A2u but Σu+
            plus = not plus
        return f"Σ{suffix}{'+' if plus else '-'}"
    if core.startswith("E") and core[1:].isdigit() and int(core[1:]) < len(_GREEK):
        return f"{_GREEK[int(core[1:])]}{suffix}"
    if core == "E":
        return f"Π{suffix}"
    return label


def _label_key(ir: GroupIrrep):
    lab = ir.label
    suffix = 0
    if lab.endswith("u") or lab.endswith("''") or lab.endswith("u+") or lab.endswith("u-"):
        suffix = 1
    first = lab[0]
    order = "ABETGH" if first in "ABETGH" else _GREEK
    return (suffix, 0 if first in "ABETGH" else 1, order.index(first) if first in order else 99, lab)


# --------------------------------------------------------------------------- #
class _Geometry:
    """Geometric roles of the operations: principal axis, C2', sigma_h, sigma_v."""

    LAB = np.eye(3)

    def __init__(self, ops, name, classes, class_of):
        self.ops = ops
        self.name = name
        self.classes = classes
        self.class_of = class_of
        self.info = [operation_info(R) for R in ops]
        self.has_inv = any(f.kind == "i" for f in self.info)
        self.cubic = name[0] in "TOI"
        proper = [(i, f) for i, f in enumerate(self.info) if f.kind == "C"]
        self.principal_axis = None
        self.principal_index = None  # element defining A/B and E_k
        if self.cubic:
            want = {"T": 3, "O": 4, "I": 5}[name[0]]
            self.principal_axis = next((f.axis for _, f in proper if f.n == 3 and f.k == 1), None)
            self.principal_index = next(i for i, f in proper if f.n == 3 and f.k == 1)
            # element telling T1 from T2
            if name.startswith("Td"):
                self.t_index = next(i for i, f in enumerate(self.info) if f.kind == "S" and f.n == 4)
            elif name[0] in "OI":
                self.t_index = next(i for i, f in proper if f.n == want and f.k == 1)
            else:
                self.t_index = None
        elif proper:
            nmax = max(f.n for _, f in proper)
            cands = [(i, f) for i, f in proper if f.n == nmax and f.k == 1]
            if nmax == 2 and len(cands) > 1:  # D2, D2h: closest to z
                cands.sort(key=lambda t: -abs(t[1].axis[2]))
            i0, f0 = cands[0]
            self.principal_axis = f0.axis
            self.principal_index = i0
            if not self.has_inv:
                s = [
                    (i, f) for i, f in enumerate(self.info)
                    if f.kind == "S" and f.k == 1 and f.n > nmax and abs(abs(np.dot(f.axis, f0.axis)) - 1) < 1e-6
                ]
                if s:
                    self.principal_index = s[0][0]
        self.sigma_h = None
        if self.principal_axis is not None and not self.cubic:
            self.sigma_h = next(
                (i for i, f in enumerate(self.info)
                 if f.kind == "sigma" and abs(abs(np.dot(f.axis, self.principal_axis)) - 1) < 1e-6),
                None,
            )
        elif name == "Cs":
            self.sigma_h = next(i for i, f in enumerate(self.info) if f.kind == "sigma")
        self.c2p_class, self.c2pp_class = self._c2_prime()
        self.sv_class, self.sd_class = self._sigma_v()

    # ---- classes of secondary elements --------------------------------------
    def _perp(self, axis) -> bool:
        return self.principal_axis is not None and abs(np.dot(axis, self.principal_axis)) < 1e-6

    @staticmethod
    def _lab_score(axes) -> float:
        return max(np.abs(a).max() for a in axes)

    def _classes_where(self, pred) -> list[int]:
        return sorted({int(self.class_of[i]) for i, f in enumerate(self.info) if pred(f)})

    def _c2_prime(self):
        if self.cubic:
            if self.name[0] != "O":
                return None, None
            c4_axes = [f.axis for f in self.info if f.kind == "C" and f.n == 4]
            cl = self._classes_where(
                lambda f: f.kind == "C" and f.n == 2
                and all(abs(abs(np.dot(f.axis, a)) - 1) > 1e-6 for a in c4_axes)
            )
            return (cl[0] if cl else None), None
        if self.principal_axis is None:
            return None, None
        cl = self._classes_where(lambda f: f.kind == "C" and f.n == 2 and self._perp(f.axis))
        if not cl:
            return None, None
        if self._is_d2():
            return None, None  # D2, D2h: B1, B2, B3 rule instead
        cl.sort(key=lambda c: -self._lab_score([self.info[i].axis for i in self.classes[c]]))
        return cl[0], (cl[1] if len(cl) > 1 else None)

    def _sigma_v(self):
        if self.principal_axis is None or self.cubic:
            cl = self._classes_where(lambda f: f.kind == "sigma")
            if self.name.startswith("Oh"):
                c4 = [f.axis for f in self.info if f.kind == "C" and f.n == 4]
                sd = self._classes_where(
                    lambda f: f.kind == "sigma" and all(abs(abs(np.dot(f.axis, a)) - 1) > 1e-6 for a in c4))
                return None, (sd[0] if sd else None)
            return None, (cl[0] if cl and self.name.startswith("Td") else None)
        cl = self._classes_where(lambda f: f.kind == "sigma" and self._perp(f.axis))
        if not cl:
            return None, None
        if self.c2p_class is not None:
            c2p = [self.info[i].axis for i in self.classes[self.c2p_class]]
            # sigma_v contains the C2' axes: its normal is perpendicular to one of them
            cl.sort(key=lambda c: -max(
                1.0 if abs(np.dot(self.info[i].axis, a)) < 1e-6 else 0.0
                for i in self.classes[c] for a in c2p))
        else:
            pref = np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])

            def score(c):
                axes = [self.info[i].axis for i in self.classes[c]]
                best = self._lab_score(axes)
                tie = max(max(abs(np.dot(a, p)) * (3 - k) for k, p in enumerate(pref)) for a in axes)
                return (-round(best, 6), -tie)

            cl.sort(key=score)
        return cl[0], (cl[1] if len(cl) > 1 else None)

    def _is_d2(self) -> bool:
        return self.name in ("D2", "D2h")

    # ---- labels --------------------------------------------------------------
    def mulliken(self, op_chars: list[np.ndarray]) -> list[str]:
        base = []
        for oc in op_chars:
            d = int(round(oc[0]))
            if d == 1:
                letter = "A"
                if self._is_d2():
                    if any(oc[i] < 0 for i, f in enumerate(self.info) if f.kind == "C"):
                        letter = "B"
                elif self.principal_index is not None and oc[self.principal_index] < 0:
                    letter = "B"
            else:
                letter = _LETTERS.get(d, f"X{d}")
            if self.has_inv:
                i = next(i for i, f in enumerate(self.info) if f.kind == "i")
                suffix = "g" if oc[i] > 0 else "u"
            elif self.sigma_h is not None:
                suffix = "'" if oc[self.sigma_h] > 0 else "''"
            else:
                suffix = ""
            base.append([letter, "", suffix])
        buckets: dict = {}
        for k, (letter, _, suffix) in enumerate(base):
            buckets.setdefault((letter, suffix), []).append(k)
        for (letter, suffix), ks in buckets.items():
            if len(ks) < 2:
                continue
            for k in ks:
                base[k][1] = self._subscript(letter, op_chars[k])
        labels = ["".join(b) for b in base]
        # anything still ambiguous gets a running index
        seen: dict = {}
        for k, lab in enumerate(labels):
            seen.setdefault(lab, []).append(k)
        for lab, ks in seen.items():
            if len(ks) > 1:
                letter, sub, suffix = base[ks[0]]
                for j, k in enumerate(ks):
                    labels[k] = f"{letter}{sub}{j + 1}{suffix}" if sub else f"{letter}{j + 1}{suffix}"
        return labels

    def _char_on_class(self, oc, c):
        return oc[self.classes[c][0]]

    def _subscript(self, letter: str, oc: np.ndarray) -> str:
        if letter in "AB":
            if letter == "B" and self._is_d2():
                return self._d2_subscript(oc)
            if self.c2p_class is not None:
                return "1" if self._char_on_class(oc, self.c2p_class) > 0 else "2"
            if self.sv_class is not None:
                return "1" if self._char_on_class(oc, self.sv_class) > 0 else "2"
            if self.sd_class is not None:
                return "1" if self._char_on_class(oc, self.sd_class) > 0 else "2"
            return ""
        if letter == "E" and self.principal_index is not None:
            f = self.info[self.principal_index]
            N = f.n
            c = np.clip(oc[self.principal_index] / 2, -1, 1)
            k = int(round(N * np.arccos(c) / (2 * np.pi)))
            return str(k)
        if letter == "T" and getattr(self, "t_index", None) is not None:
            return "1" if oc[self.t_index] > 0 else "2"
        return ""

    def _d2_subscript(self, oc) -> str:
        axes = [(i, f.axis) for i, f in enumerate(self.info) if f.kind == "C" and f.n == 2]
        # assign lab roles: z -> 1, then y -> 2, x -> 3
        remaining = list(axes)
        roles = {}
        for lab, sub in ((2, "1"), (1, "2"), (0, "3")):
            remaining.sort(key=lambda t: -abs(t[1][lab]))
            i, _ = remaining.pop(0)
            roles[i] = sub
        for i, sub in roles.items():
            if oc[i] > 0:
                return sub
        return ""

    # ---- class names ------------------------------------------------------------
    def class_names(self) -> list[str]:
        names = []
        for c, members in enumerate(self.classes):
            f = self.info[members[0]]
            count = len(members)
            if f.kind == "E":
                s = "E"
            elif f.kind == "i":
                s = "i"
            elif f.kind == "sigma" and self._is_d2():
                s = "σ(" + {0: "yz", 1: "xz", 2: "xy"}[int(np.argmax(np.abs(f.axis)))] + ")"
            elif f.kind == "sigma" and self.name[0] == "D" and self.name.endswith("d"):
                s = "σd"
            elif f.kind == "sigma" and self.name == "C2v":
                s = "σv" if c == self.sv_class else "σv'"
            elif f.kind == "sigma":
                if self.sigma_h is not None and c == self.class_of[self.sigma_h]:
                    s = "σh"
                elif c == self.sv_class:
                    s = "σv"
                elif c == self.sd_class:
                    s = "σd"
                elif self.name.startswith(("Oh", "Th")):
                    s = "σh"
                elif self.principal_axis is not None and self.name[0] == "D" and self.name.endswith("d"):
                    s = "σd"
                else:
                    s = "σ"
            else:
                s = f.symbol
                if (f.kind in ("C", "S") and f.n > 2 and self.principal_axis is not None and not self.cubic
                        and abs(abs(np.dot(f.axis, self.principal_axis)) - 1) < 1e-6
                        and np.dot(f.axis, self.principal_axis) < 0):
                    # the same rotation sense as the principal element: C_n^(n-k)
                    s = f"{f.kind}{f.n}^{f.n - f.k}"
                if f.kind == "C" and f.n == 2 and self.principal_axis is not None and not self.cubic:
                    if c == self.c2p_class:
                        s += "'"
                    elif c == self.c2pp_class:
                        s += "''"
                    elif self._perp(f.axis) and not self._is_d2():
                        s += "'"
                elif self.cubic and c == self.c2p_class:
                    s += "'"
            if self._is_d2() and f.kind == "C":
                s += f"({'xyz'[int(np.argmax(np.abs(f.axis)))]})"
            names.append(f"{count}{s}" if count > 1 else s)
        # disambiguate duplicates
        for nm in set(names):
            idx = [k for k, x in enumerate(names) if x == nm]
            if len(idx) > 1:
                for j, k in enumerate(idx[1:], start=1):
                    names[k] += "'" * j
        return names

    def class_order(self) -> list[int]:
        """Usual order: E, rotations about the principal axis (highest order
        first), other rotations (C2' before C2''), i, rotoreflections, then
        sigma_h, sigma_v, sigma_d."""

        def key(c):
            f = self.info[self.classes[c][0]]
            rank = {"E": 0, "C": 1, "i": 2, "S": 3, "sigma": 4}[f.kind]
            on_axis = 0
            if f.kind in ("C", "S") and self.principal_axis is not None and not self.cubic:
                on_axis = 0 if abs(abs(np.dot(f.axis, self.principal_axis)) - 1) < 1e-6 else 1
            role = 0
            if c == self.c2pp_class:
                role = 1
            if f.kind == "sigma":
                if self.sigma_h is not None and c == self.class_of[self.sigma_h]:
                    role = 0
                elif self.cubic:
                    role = 2 if c == self.sd_class else 0
                elif c == self.sv_class:
                    role = 1
                else:
                    role = 2
            lab = -int(np.argmax(np.abs(f.axis))) if (self._is_d2() and f.axis is not None) else 0
            return (rank, on_axis, -(f.n or 0), f.k, role, lab, c)

        return sorted(range(len(self.classes)), key=key)
