"""ABX3 perovskites with octahedral tilts in Glazer notation, built with exact
symmetry on a 2x2x2 pseudo-cubic supercell (40 atoms, A8 B8 X24).

Construction (B sites at the origin of the pseudo-cubic grid):

1. B sites at ``n * a`` (componentwise), ``n in {0, 1}^3``.
2. Each B carries a rotation pseudovector ``omega(n)`` with components
   ``omega_j(n) = theta_j s_j(n)``, where for an in-phase tilt (``+``) about j,
   ``s_j = (-1)^(sum_{k != j} n_k)`` (neighbours along j equal, perpendicular
   neighbours alternate); for an anti-phase tilt (``-``),
   ``s_j = (-1)^(n_1 + n_2 + n_3)``; for ``0``, ``omega_j = 0``.
3. Each octahedron is rotated rigidly about its B by ``R(omega) = exp([omega]_x)``.
4. The X shared by ``B1`` and ``B2 = B1 + a_i e_i`` sits at the average of
   ``B1 + R(omega_1) d e_i`` and ``B2 - R(omega_2) d e_i``. Averaging is
   covariant (``g R(omega) g^-1 = R(det g * g omega)`` for every g in O(3)), so every
   operation of the parent that maps the omega field onto itself maps the
   structure onto itself: the symmetry is exact.
5. Pseudo-cubic edges ``a_i = 2 d R_ii(omega)`` (the same on every site, since
   ``R_ii`` depends only on ``|omega_k|``); A cations stay at the cube centres.

spglib then finds the Howard & Stokes (1998) groups, e.g. a0a0a0 -> Pm-3m,
a+b-b- -> Pnma, a0b-b- -> Imma, a0a0c- -> I4/mcm, a0a0c+ -> P4/mbm,
a-a-a- -> R-3c, a+a+a+ -> Im-3, a0b+b+ -> I4/mmm.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

__all__ = ["B_SITES", "glazer_perovskite", "parse_glazer", "glazer_pseudovectors"]

_GLAZER = re.compile(r"^\s*([a-zA-Z])\s*([0+\-−])\s*([a-zA-Z])\s*([0+\-−])\s*([a-zA-Z])\s*([0+\-−])\s*$")

#: the 8 B sites of the 2x2x2 supercell, in the order used everywhere here
B_SITES = np.array(list(itertools.product((0, 1), repeat=3)), dtype=np.int64)


def parse_glazer(tilts: str) -> tuple[tuple[str, str], ...]:
    """``"a+b-b-"`` -> ``(("a", "+"), ("b", "-"), ("b", "-"))`` (x, y, z).
    Accepts ``-`` or the minus sign ``−``; raises ``ValueError`` otherwise."""
    if not isinstance(tilts, str):
        raise ValueError(f"Glazer tilt system must be a string like 'a+b-b-', got {tilts!r}")
    m = _GLAZER.match(tilts)
    if not m:
        raise ValueError(
            f"cannot read Glazer tilt system {tilts!r}: expected three letter+sign pairs "
            "with sign 0, + or -, e.g. 'a0a0c-' or 'a+b-b-'"
        )
    g = m.groups()
    out = tuple((g[2 * i].lower(), g[2 * i + 1].replace("−", "-")) for i in range(3))
    for letter in {l for l, _ in out}:
        kinds = {s == "0" for l, s in out if l == letter}
        if len(kinds) > 1:
            raise ValueError(
                f"Glazer tilt system {tilts!r}: letter {letter!r} marks equal tilts but is "
                "used both with 0 and with a tilt"
            )
    return out


def _angles(spec, angles) -> np.ndarray:
    """Tilt angles (degrees, about x, y, z) with the Glazer letters' constraints."""
    if np.ndim(angles) == 0:
        try:
            a = float(angles)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"tilt angle must be a number, got {angles!r}") from exc
        theta = np.full(3, a)
    else:
        theta = np.asarray(angles, dtype=np.float64).reshape(-1)
        if theta.shape != (3,):
            raise ValueError(f"give one tilt angle or three (about x, y, z), got {angles!r}")
    if not np.all(np.isfinite(theta)):
        raise ValueError(f"tilt angles must be finite, got {angles!r}")
    theta = np.where([s == "0" for _, s in spec], 0.0, theta)
    for letter in {l for l, _ in spec}:
        vals = {abs(t) for (l, s), t in zip(spec, theta) if l == letter}
        if len(vals) > 1:
            raise ValueError(
                f"equal Glazer letters {letter!r} need equal tilt angles, got {sorted(vals)}"
            )
    if np.any(np.abs(theta) >= 45):
        raise ValueError(f"tilt angles must be below 45 degrees, got {theta.tolist()}")
    return theta


def glazer_pseudovectors(tilts: str, angles=10.0) -> np.ndarray:
    """The rotation pseudovectors ``omega`` (radians), shape ``(8, 3)``, of the B
    sites ``B_SITES`` for a Glazer tilt system; ``angles`` in degrees (one for
    all tilted axes, or three about x, y, z)."""
    spec = parse_glazer(tilts)
    theta = np.radians(_angles(spec, angles))
    omega = np.zeros((8, 3))
    for j, (_, sign) in enumerate(spec):
        if sign == "0":
            continue
        if sign == "+":
            s = (-1.0) ** (B_SITES.sum(1) - B_SITES[:, j])
        else:
            s = (-1.0) ** B_SITES.sum(1)
        omega[:, j] = theta[j] * s
    return omega


def glazer_perovskite(
    tilts: str = "a0a0a0",
    angles=10.0,
    species: tuple[str, str, str] = ("Ca", "Ti", "O"),
    bx: float = 1.95,
):
    """A 2x2x2 pseudo-cubic ABX3 supercell with the Glazer tilt system ``tilts``.

    Parameters
    ----------
    tilts: Glazer symbol, e.g. ``"a+b-b-"`` (about x, y, z in that order).
    angles: tilt angle(s) in degrees: one for every tilted axis, or three
        (about x, y, z; equal letters need equal angles; ``0`` axes ignored).
    species: chemical symbols of A, B and X.
    bx: the B-X bond length (Angstrom).

    Returns
    -------
    ``(atoms, omega)``: an ASE ``Atoms`` (periodic, 40 atoms ordered A8 B8 X24,
    B sites in the order of :data:`B_SITES`) and the ``(8, 3)`` rotation
    pseudovectors of the B sites in radians. ``atoms.arrays["pseudovector"]``
    holds them per atom (zero on A and X); ``atoms.info`` has ``glazer`` and
    ``tilt_angles_deg``.
    """
    from ase import Atoms
    from scipy.spatial.transform import Rotation

    spec = parse_glazer(tilts)
    theta = _angles(spec, angles)
    try:
        d = float(bx)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"bx must be a positive length, got {bx!r}") from exc
    if not np.isfinite(d) or d <= 0:
        raise ValueError(f"bx must be a positive length, got {bx!r}")
    if len(species) != 3:
        raise ValueError(f"species must be three symbols (A, B, X), got {species!r}")
    omega = glazer_pseudovectors(tilts, theta)
    rots = Rotation.from_rotvec(omega).as_matrix()  # (8, 3, 3)
    a = 2 * d * np.diag(rots[0])  # pseudo-cubic edges
    if not np.allclose(np.einsum("bii->bi", rots), np.diag(rots[0]), atol=1e-12):
        raise AssertionError("R_ii differ between sites")  # pragma: no cover
    cell = np.diag(2 * a)
    b_pos = B_SITES * a
    index = {tuple(n): k for k, n in enumerate(B_SITES)}
    x_pos = []
    for k, n in enumerate(B_SITES):
        for i in range(3):
            e = np.eye(3)[i]
            m = n.copy()
            m[i] = (m[i] + 1) % 2
            k2 = index[tuple(m)]
            p1 = b_pos[k] + rots[k] @ (d * e)
            p2 = b_pos[k] + a[i] * e - rots[k2] @ (d * e)
            x_pos.append((p1 + p2) / 2)
    a_pos = (B_SITES + 0.5) * a
    positions = np.concatenate([a_pos, b_pos, np.array(x_pos)])
    symbols = [species[0]] * 8 + [species[1]] * 8 + [species[2]] * 24
    atoms = Atoms(symbols, positions=positions, cell=cell, pbc=True)
    atoms.wrap()
    pv = np.zeros((len(atoms), 3))
    pv[8:16] = omega
    atoms.arrays["pseudovector"] = pv
    atoms.info["glazer"] = "".join(l + s for l, s in spec)
    atoms.info["tilt_angles_deg"] = theta.tolist()
    return atoms, omega
