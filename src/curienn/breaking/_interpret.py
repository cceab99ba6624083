r"""Interpretation of a learned order parameter.

* :func:`geometric_meaning` -- what an O(3) irrep means as a distortion
  (``1e``: rotation axis; ``1o``: displacement/polarisation; ``2e``: quadrupolar
  strain; ...).
* :func:`parent_irreps` -- for each component of a learned vector, the irrep of
  the parent point group it belongs to: the isotypic projectors
  :math:`P_\Gamma = \sum_g w^\Gamma_g D(g)` of :func:`curienn.symmetry.character_table`
  are applied to the unit vector of the component (and to the learned block).
* :func:`fourier_components` -- the Fourier decomposition of a per-site order
  parameter over the k-points of a supercell of a cubic parent,

  .. math::

      F(\mathbf k) = \frac1N \sum_{\mathbf n} p(\mathbf n)\, e^{-2\pi i \mathbf k\cdot\mathbf n},

  with :math:`\mathbf n` the integer parent-cell coordinates of each site; for a
  2x2x2 cell the k-points are :math:`\{0, \tfrac12\}^3`, named Γ, X (one half),
  M (two) and R (three), and :math:`F` is real.
* :func:`glazer_from_pseudovectors` -- the Glazer symbol of per-B-site rotation
  pseudovectors and its irreps with the B-site-origin convention (Howard & Stokes):
  an in-phase tilt about :math:`j` lives at the M point with :math:`k_j = 0`
  (**M3+**), an anti-phase tilt at R (**R4+**); a uniform rotation is **Γ4+**.
"""

from __future__ import annotations

import itertools

import numpy as np

from curienn.o3 import Irrep, Irreps
from curienn.symmetry import character_table, component_labels, representation_matrices

__all__ = [
    "GEOMETRIC_MEANING",
    "geometric_meaning",
    "parent_irreps",
    "kpoint_name",
    "fourier_components",
    "fourier_by_irrep",
    "glazer_from_pseudovectors",
    "grid_coordinates",
    "TiltAnalysis",
]

GEOMETRIC_MEANING = {
    "0e": "scalar (no direction: e.g. a change of size or species)",
    "0o": "pseudoscalar (handedness, chirality)",
    "1e": "pseudovector: a rotation axis (e.g. an octahedral tilt, a magnetic moment)",
    "1o": "vector: a displacement / polarisation",
    "2e": "quadrupolar strain (symmetric traceless rank-2 tensor)",
    "2o": "pseudo-quadrupole (rank-2, odd parity)",
    "3e": "octupolar pseudo-tensor (rank 3, even parity)",
    "3o": "octupolar distortion (rank 3)",
    "4e": "hexadecapolar distortion (rank 4)",
    "4o": "hexadecapolar pseudo-tensor (rank 4, odd parity)",
    "5e": "rank-5 pseudo-tensor (even parity)",
    "5o": "rank-5 distortion",
}


def geometric_meaning(irrep: str) -> str:
    """Readable meaning of an O(3) irrep like ``"2e"``."""
    try:
        ir = Irrep(str(irrep).split(" ")[0])
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"not an O(3) irrep: {irrep!r}") from exc
    key = f"{ir.l}{'e' if ir.p == 1 else 'o'}"
    return GEOMETRIC_MEANING.get(key, f"rank-{ir.l} tensor ({'even' if ir.p == 1 else 'odd'} parity)")


def parent_irreps(values, irreps: str, group, *, threshold: float = 0.05) -> list[dict]:
    """Parent-group irreps of the components of one learned vector.

    Args:
        values: ``(D,)`` learned order parameter (components in ``irreps``).
        irreps: its O(3) irreps, e.g. ``"1e+1o+2e"``.
        group: the parent :class:`~curienn.symmetry.PointGroup` (or ``(n, 3, 3)``
            operations).
        threshold: components below ``threshold * max |value|`` are skipped.

    Returns one dict per component kept: ``component`` (``"2e m=2"``), ``value``,
    ``irrep`` (``"2e"``), ``parent_irrep`` (Mulliken label, e.g. ``"B1g"``; several
    joined by ``"+"`` when the component mixes irreps), ``weights`` (fraction of
    the unit component in each parent irrep), ``meaning``.
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    ir_all = Irreps(irreps)
    if v.shape[0] != ir_all.dim:
        raise ValueError(f"values have {v.shape[0]} components, irreps {irreps} need {ir_all.dim}")
    table = character_table(group)
    ops = table.operations
    labels = component_labels(ir_all)
    vmax = np.abs(v).max() if v.size else 0.0
    out = []
    offset = 0
    for mul, ir in ir_all:
        name = f"{ir.l}{'e' if ir.p == 1 else 'o'}"
        D = representation_matrices(name, ops)
        projs = [(g.label, np.einsum("g,gij->ij", g.proj_weights, D)) for g in table.irreps]
        for _ in range(mul):
            for c in range(ir.dim):
                idx = offset + c
                if vmax == 0 or abs(v[idx]) < threshold * vmax:
                    continue
                e = np.zeros(ir.dim)
                e[c] = 1.0
                w = {lab: float(e @ P @ e) for lab, P in projs}
                w = {k: x for k, x in w.items() if x > 1e-6}
                main = [k for k, _ in sorted(w.items(), key=lambda kv: -kv[1])]
                out.append({
                    "component": labels[idx],
                    "value": float(v[idx]),
                    "irrep": name,
                    "parent_irrep": "+".join(main),
                    "weights": w,
                    "meaning": geometric_meaning(name),
                })
            offset += ir.dim
    return out


def kpoint_name(k) -> str:
    """Γ / X / M / R for the k-points :math:`\\{0, \\tfrac12\\}^3` of a cubic
    parent (by the number of halves), ``"k=(...)"`` otherwise."""
    k = np.asarray(k, dtype=np.float64)
    if np.allclose(k * 2, np.round(k * 2)) and np.all((np.round(2 * k) % 2 == 0) | (np.round(2 * k) % 2 == 1)):
        halves = int(np.sum(np.round(2 * k) % 2))
        return "ΓXMR"[halves]
    return "k=(" + ",".join(f"{x:g}" for x in k) + ")"


def grid_coordinates(positions, parent_cell, origin=None) -> np.ndarray:
    """Integer parent-cell coordinates ``(N, 3)`` of sites: the fractional
    coordinates of ``positions - origin`` (default: the first site) in
    ``parent_cell`` (rows), rounded; ``ValueError`` when a site is more than 0.1
    off the grid.

    Example:
        >>> grid_coordinates([[0, 0, 0], [2.0, 0, 0], [0, 2.0, 2.0]], 2.0 * np.eye(3)).tolist()
        [[0, 0, 0], [1, 0, 0], [0, 1, 1]]
    """
    P = np.asarray(positions, dtype=np.float64)
    origin = P[0] if origin is None else np.asarray(origin, dtype=np.float64)
    frac = np.linalg.solve(np.asarray(parent_cell, dtype=np.float64).T, (P - origin).T).T
    n = np.round(frac)
    if np.abs(frac - n).max() > 0.1:
        raise ValueError("sites are not on the grid of the parent cell (fractional offset "
                         f"{np.abs(frac - n).max():.3f}); give the parent's primitive cell")
    return n.astype(np.int64)


def fourier_components(values, grid, supercell=(2, 2, 2)) -> list[dict]:
    """Fourier components of a per-site order parameter.

    Args:
        values: ``(N, d)`` per-site values.
        grid: ``(N, 3)`` integer parent-cell coordinates of the sites.
        supercell: repetitions of the parent cell along each axis.

    Returns one dict per k-point ``{"k", "name", "value" (d,), "norm"}``, in the
    order of ``itertools.product``; ``value`` is real when every ``2k`` is an
    integer (the complex value otherwise).
    """
    p = np.asarray(values, dtype=np.float64)
    n = np.asarray(grid, dtype=np.int64)
    if p.ndim == 1:
        p = p[:, None]
    if n.shape != (p.shape[0], 3):
        raise ValueError(f"grid must have shape ({p.shape[0]}, 3), got {n.shape}")
    S = tuple(int(s) for s in supercell)
    out = []
    for m in itertools.product(*(range(s) for s in S)):
        k = np.array(m, dtype=np.float64) / np.array(S)
        phase = np.exp(-2j * np.pi * (n @ k))
        F = (phase[:, None] * p).mean(axis=0)
        real = np.allclose(2 * k, np.round(2 * k))
        val = F.real if real else F
        out.append({"k": k.tolist(), "name": kpoint_name(k), "value": val, "norm": float(np.linalg.norm(F))})
    return out


def fourier_by_irrep(values, irreps: str, grid, supercell=(2, 2, 2)) -> dict:
    """Norms of the Fourier components of a per-site order parameter, per O(3)
    irrep and k-point: ``{"1e": {"Γ": ..., "X": ..., "M": ..., "R": ...}, ...}``
    (norms summed in quadrature over the arms of each star)."""
    p = np.asarray(values, dtype=np.float64)
    out: dict = {}
    off = 0
    for mul, ir in Irreps(irreps):
        d = mul * ir.dim
        name = f"{ir.l}{'e' if ir.p == 1 else 'o'}"
        per = out.setdefault(name, {})
        for f in fourier_components(p[:, off:off + d], grid, supercell):
            per[f["name"]] = float(np.hypot(per.get(f["name"], 0.0), f["norm"]))
        off += d
    return out


class TiltAnalysis(dict):
    """Result of :func:`glazer_from_pseudovectors` (a dict with a readable ``str``)."""

    def __str__(self) -> str:
        lines = [f"Glazer symbol {self['glazer']} ({self['irreps_label']}, B-site origin)"]
        for t in self["tilts"]:
            lines.append(
                f"  about {t['axis']}: {t['kind']:<9} amplitude {t['amplitude']:+.5f} at {t['kpoint']} "
                f"-> {t['irrep'] or '-'}"
            )
        lines.append(f"  fraction of |ω|² in M3+/R4+ tilts: {self['tilt_fraction']:.4f}")
        return "\n".join(lines)


def glazer_from_pseudovectors(omega, grid, *, rel_tol: float = 0.05, zero_tol: float = 0.1) -> TiltAnalysis:
    """Glazer symbol and tilt irreps of per-B-site pseudovectors on a 2x2x2 grid.

    Args:
        omega: ``(8, 3)`` rotation pseudovectors (any scale).
        grid: ``(8, 3)`` integer B-site coordinates (0/1).
        rel_tol: tilts whose magnitudes agree within this fraction share a letter.
        zero_tol: a tilt below ``zero_tol`` x the largest counts as 0.

    For axis :math:`j`: in-phase amplitude :math:`F(\\mathbf k_M^{(j)})_j` with
    :math:`\\mathbf k_M^{(j)}` the M point with :math:`k_j = 0` (M3+), anti-phase
    amplitude :math:`F(R)_j` (R4+). Returns a :class:`TiltAnalysis` with ``glazer``
    (e.g. ``"a+b-b-"``), ``irreps`` (e.g. ``["M3+", "R4+"]``), ``irreps_label``
    (``"M3+ ⊕ R4+"``), per-axis ``tilts``, the Fourier table ``fourier`` and
    ``tilt_fraction`` (share of :math:`\\sum|\\omega|^2` in those tilt modes).
    """
    w = np.asarray(omega, dtype=np.float64)
    n = np.asarray(grid, dtype=np.int64)
    if w.shape != (8, 3) or n.shape != (8, 3):
        raise ValueError(f"need 8 B sites with 3 components, got omega {w.shape} and grid {n.shape}")
    F = fourier_components(w, n, (2, 2, 2))
    byk = {tuple(int(round(2 * x)) for x in f["k"]): np.asarray(f["value"]) for f in F}
    amps = []
    for j in range(3):
        kM = tuple(0 if i == j else 1 for i in range(3))
        amps.append((float(byk[kM][j]), float(byk[(1, 1, 1)][j])))
    scale = max(max(abs(a), abs(b)) for a, b in amps) or 1.0
    tilts = []
    for j, (a_in, a_anti) in enumerate(amps):
        big_in, big_anti = abs(a_in) >= zero_tol * scale, abs(a_anti) >= zero_tol * scale
        if big_in and big_anti:
            kind, amp, kp, irr = ("mixed", a_in if abs(a_in) > abs(a_anti) else a_anti, "M+R", "M3+ + R4+")
            sign = "+" if abs(a_in) > abs(a_anti) else "-"
        elif big_in:
            kind, amp, kp, irr, sign = "in-phase", a_in, "M", "M3+", "+"
        elif big_anti:
            kind, amp, kp, irr, sign = "anti-phase", a_anti, "R", "R4+", "-"
        else:
            kind, amp, kp, irr, sign = "none", 0.0, "-", None, "0"
        tilts.append({"axis": "xyz"[j], "kind": kind, "amplitude": amp, "kpoint": kp, "irrep": irr, "sign": sign})
    # letters: equal magnitudes share one (zeros share one too)
    # letters: axis j gets "abc"[j] unless its tilt equals an earlier one of the same
    # kind (both in-phase, both anti-phase or both absent) within rel_tol; equality
    # between an in-phase and an anti-phase tilt is never symmetry-enforced, so it is
    # not reported (a learned pattern scales the M and R parts independently)
    letters, mags = [], []
    for j, t in enumerate(tilts):
        mag = abs(t["amplitude"])
        for L, m, u in zip(letters, mags, tilts):
            if u["sign"] != t["sign"]:
                continue
            if (mag == 0 and m == 0) or (m > 0 and abs(mag - m) <= rel_tol * max(mag, m)):
                letters.append(L)
                break
        else:
            letters.append("abc"[j])
        mags.append(mag)
    glazer = "".join(L + t["sign"] for L, t in zip(letters, tilts))
    irreps = []
    for lab in ("M3+", "R4+"):
        if any(t["irrep"] and lab in t["irrep"] for t in tilts):
            irreps.append(lab)
    total = float((w**2).sum()) / 8
    tilt_power = sum(t["amplitude"] ** 2 for t in tilts if t["irrep"])
    return TiltAnalysis(
        glazer=glazer,
        irreps=irreps,
        irreps_label=" ⊕ ".join(irreps) if irreps else "none",
        tilts=tilts,
        fourier=[{"k": f["k"], "name": f["name"], "value": np.asarray(f["value"]).tolist(), "norm": f["norm"]} for f in F],
        tilt_fraction=tilt_power / total if total > 0 else 0.0,
    )
