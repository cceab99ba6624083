"""Mulliken labels and class names of a point group's irreps (the rules are
listed in :mod:`curienn.symmetry._character_table`).

:class:`MullikenLabeller` finds the geometric roles of the operations (principal
axis and element, C2', sigma_h, sigma_v, sigma_d) and from them names the real
irreps (A/B/E/T/G/H, g/u or '/'' and the subscripts) and the conjugacy classes
(``E, 2C4, C2, 2C2', ...``) in the usual order. :func:`linear_label` renames the
irreps of the finite approximant of a linear group (Σ+, Π, Δ, ...).
"""

from __future__ import annotations

import numpy as np

from ._group import find_operation, operation_info

__all__ = ["MullikenLabeller", "label_sort_key", "linear_label"]

_LETTERS = {1: "AB", 2: "E", 3: "T", 4: "G", 5: "H"}
_GREEK = "ΣΠΔΦΓΗΙΚΛΜΝΞ"


def linear_label(label: str) -> str:
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


def label_sort_key(ir):
    lab = ir.label
    suffix = 0
    if lab.endswith("u") or lab.endswith("''") or lab.endswith("u+") or lab.endswith("u-"):
        suffix = 1
    first = lab[0]
    order = "ABETGH" if first in "ABETGH" else _GREEK
    return (suffix, 0 if first in "ABETGH" else 1, order.index(first) if first in order else 99, lab)


# --------------------------------------------------------------------------- #
class MullikenLabeller:
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
                s = f.power_symbol(self._class_exponent(c)) if f.kind in ("C", "S") and f.n > 2 else f.symbol
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

    def _class_exponent(self, c: int) -> int:
        """The ``m`` of a class of ``C_n^m`` or ``S_n^m`` (``n > 2``), as in the textbook
        tables: a class holding each operation with its inverse takes the smaller
        exponent (``2S6``, ``2S3``, ``2S5^3`` -- never ``S3^2``, a proper ``C3^2``);
        a class without its inverses is named about the principal axis (``C3``,
        ``C3^2``, ``S3``, ``S3^5`` in C3h) or, in T and Th, about the axes of the
        principal ``C3`` class (``4C3``, ``4C3^2``, ``4S6``, ``4S6^5``)."""
        i = self.classes[c][0]
        f = self.info[i]
        j = find_operation(self.ops, self.ops[i].T, atol=1e-5)
        if j >= 0 and self.class_of[j] == c:
            return min(f.exponent, f.inverse_exponent)
        if self.cubic:
            axes = [self.info[k].axis for k in self.classes[self.class_of[self.principal_index]]]
        else:
            axes = [self.principal_axis]
        reversed_ = any(np.dot(f.axis, u) < -1 + 1e-6 for u in axes if u is not None)
        return f.inverse_exponent if reversed_ else f.exponent

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
            m = self._class_exponent(c) if f.kind in ("C", "S") and (f.n or 0) > 2 else f.k
            return (rank, on_axis, -(f.n or 0), m, role, lab, c)

        return sorted(range(len(self.classes)), key=key)
