r"""Octahedral tilts of a learned order parameter on a perovskite, in any cell.

For a Pm-3m ABX3 parent (the octahedral centre B found as the cation with six X
at the shortest distance), the ``1e`` part of the learned per-site order
parameter on the B sites is a field of rotation pseudovectors
:math:`\omega_B`. :func:`tilt_analysis`

1. decomposes it into irreps of Pm-3m with B at the origin
   (:func:`curienn.symmetry.mode_decomposition`, any supercell): in-phase tilts
   are **M3+**, anti-phase tilts **R4+** (Howard & Stokes), a uniform rotation
   **GM4+**;
2. scales each irrep part above ``threshold`` of the largest so that the
   octahedra rotated by it (:func:`rotate_octahedra`, linearised) fit the
   target displacements best (least squares) -- the learned pattern fixes the
   directions, the target the angles, as ISODISTORT's mode amplitudes;
3. reads the tilt angle about each cubic axis ``j`` (the parent's standard
   frame) as the root-mean-square of :math:`\omega_j` over the B sites of the
   M3+ part (in-phase, ``+``) and of the R4+ part (anti-phase, ``-``), and
   writes the Glazer symbol: axes whose angles agree within ``rel_tol`` share a
   letter (``a+a-a-``: three equal tilts), an axis with no tilt is ``0``; the
   axes are ordered as Glazer writes the tilt systems (``glazer``: untilted,
   in-phase, then anti-phase axes, so that a rotated child gives the same
   symbol) and in x, y, z order (``glazer_axes``);
4. applies the fitted pattern to the parent and names the space group with
   spglib at ``symprec``.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from curienn.symmetry import mode_decomposition, space_group

from ._perovskite import pseudovectors_of, rotate_octahedra

__all__ = ["octahedral_centre", "tilt_analysis"]


def octahedral_centre(problem) -> Optional[str]:
    """The B species of a Pm-3m ABX3 parent (six X at the shortest distance),
    or ``None`` when the parent is not such a perovskite."""
    a = problem.analysis
    if a is None or not a.periodic or a.modes.number != 221:
        return None
    species = list(problem.species)
    counts = {s: species.count(s) for s in dict.fromkeys(species)}
    if len(counts) != 3 or sorted(counts.values())[:2] != [min(counts.values())] * 2:
        return None
    x = max(counts, key=counts.get)
    if counts[x] != 3 * min(counts.values()):
        return None
    pos, cell = problem.parent.positions, np.asarray(problem.parent.cell[:])
    xs = np.array([s == x for s in species])
    for s in counts:
        if s == x:
            continue
        i = species.index(s)
        d = pos[xs] - pos[i]
        f = d @ np.linalg.inv(cell)
        r = np.sort(np.linalg.norm((f - np.round(f)) @ cell, axis=1))
        if len(r) >= 7 and r[5] < 1.05 * r[0] < r[6] / 1.2:
            return s
    return None


def _same(a: float, b: float, rel_tol: float) -> bool:
    return (a == 0 and b == 0) or (max(a, b) > 0 and abs(a - b) <= rel_tol * max(a, b))


def _glazer(tilts, mags, rel_tol, order) -> str:
    """Letters and signs of the axes in ``order``: a new letter ("abc"[position])
    for each new magnitude, the earlier letter for an equal one."""
    letters = []
    for j, axis in enumerate(order):
        same = next((letters[k] for k in range(j) if _same(mags[axis], mags[order[k]], rel_tol)), None)
        letters.append(same or "abc"[j])
    return "".join(L + tilts[axis]["sign"] for L, axis in zip(letters, order))


def _canonical_order(tilts, mags, rel_tol) -> list[int]:
    """Glazer's way of writing a tilt system, whatever the axes: untilted axes
    first, then in-phase, then anti-phase; within one kind an axis whose angle
    no other shares before those that share one (a0a0c+, a+b-b-, a-b-b-,
    a0b+c-)."""
    rank = {"0": 0, "+": 1, "-": 2}

    def key(j):
        shared = sum(_same(mags[j], mags[k], rel_tol) for k in range(3) if tilts[k]["sign"] == tilts[j]["sign"])
        return (rank[tilts[j]["sign"]], shared, -round(mags[j], 6), j)

    return sorted(range(3), key=key)


def tilt_analysis(problem, result, *, threshold: float = 0.05, rel_tol: float = 0.05, symprec: float = 1e-3,
                  b_species: Optional[str] = None) -> Optional[dict]:
    """Glazer symbol, irreps, tilt angles and the space group of the applied
    pattern (see the module docstring); ``None`` when the parent is not a
    Pm-3m perovskite or no ``1e`` order parameter sits on its B sites."""
    b = b_species or octahedral_centre(problem)
    if b is None or "1e" not in result.irreps:
        return None
    species = np.array(problem.species)
    b_sites = np.nonzero(species == b)[0]
    omega = np.zeros((len(species), 3))
    omega[b_sites] = pseudovectors_of(result, b_sites)
    if np.abs(omega).max() == 0:
        return None
    dec = mode_decomposition(problem.match, fields={"tilt": (omega, "1e")}, include_displacements=False,
                             frame="parent", origin=b)
    modes = [m for m in dec.modes if m.amplitude > 0]
    top = max(m.amplitude for m in modes)
    parts = [m for m in modes if m.amplitude >= threshold * top]
    parent = problem.parent
    eps = np.radians(0.5)
    cols = []
    for m in parts:
        unit = m.values[b_sites] / np.abs(m.values[b_sites]).max()
        d = rotate_octahedra(parent, b_sites, eps * unit).positions - parent.positions
        cols.append((d - d.mean(axis=0)).reshape(-1) / eps)
    target = np.asarray(problem.displacements) - np.mean(problem.displacements, axis=0)
    scales = np.linalg.lstsq(np.array(cols).T, target.reshape(-1), rcond=None)[0]
    fitted = {m.label: s * m.values[b_sites] / np.abs(m.values[b_sites]).max() for m, s in zip(parts, scales)}
    Q = dec.rotation
    angle = {lab: np.degrees(np.sqrt(np.mean((w @ Q.T) ** 2, axis=0))) for lab, w in fitted.items()}
    in_phase, anti = angle.get("M3+", np.zeros(3)), angle.get("R4+", np.zeros(3))
    big = max(float(np.max(in_phase)), float(np.max(anti)), 1e-12)
    tilts, mags = [], []
    for j in range(3):
        a_in, a_anti = float(in_phase[j]), float(anti[j])
        on_in, on_anti = a_in >= threshold * big, a_anti >= threshold * big
        sign = "+" if on_in and a_in >= a_anti else "-" if on_anti else "0"
        kind = ("mixed" if on_in and on_anti else "in-phase" if on_in else "anti-phase" if on_anti else "none")
        mag = max(a_in if on_in else 0.0, a_anti if on_anti else 0.0)
        tilts.append({"axis": "xyz"[j], "kind": kind, "sign": sign, "in_phase_deg": a_in, "anti_phase_deg": a_anti,
                      "angle_deg": mag})
        mags.append(mag)
    glazer_axes = _glazer(tilts, mags, rel_tol, [0, 1, 2])
    glazer = _glazer(tilts, mags, rel_tol, _canonical_order(tilts, mags, rel_tol))
    irreps = [lab for lab in ("M3+", "R4+") if lab in angle and float(np.max(angle[lab])) >= threshold * big]
    applied = rotate_octahedra(parent, b_sites, sum(fitted.values()))
    sg = space_group(applied, symprec=symprec)
    return {
        "b_species": str(b), "glazer": glazer, "glazer_axes": glazer_axes,
        "irreps": " ⊕ ".join(irreps) if irreps else "none",
        "tilts": tilts, "modes": {m.label: float(m.amplitude) for m in modes},
        "fitted_deg": {lab: float(np.degrees(np.sqrt(np.mean(np.sum(w ** 2, axis=1))))) for lab, w in fitted.items()},
        "origin": dec.origin, "space_group_of_applied_pattern": int(sg.number),
        "space_group_symbol": sg.international, "symprec": symprec,
        "b_positions": parent.positions[b_sites].tolist(), "omega": omega[b_sites].tolist(),
    }
