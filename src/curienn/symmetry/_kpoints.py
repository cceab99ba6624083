r"""The wave vectors a supercell holds, their stars and their names.

A field that repeats with the supercell lattice (rows of ``S @ L``, ``S``
integer) has Fourier components only at the wave vectors ``k`` with
:math:`e^{2\pi i\,k\cdot(m S)} = 1` for every integer row ``m``, i.e.
``S k`` integer (``k`` in fractional coordinates of the parent's reciprocal
basis, taken modulo 1). There are exactly ``|det S|`` of them:
``k = inv(S) m``, one ``m`` per coset of ``Z^3 / S Z^3``.

A 2x2x2 supercell of a cubic cell holds Gamma, the three X, the three M and R;
``diag(1, 1, 2)`` holds only Gamma and X = (0, 0, 1/2); the
:math:`\sqrt2\times\sqrt2\times2` cell ``[[1, 1, 0], [-1, 1, 0], [0, 0, 2]]``
holds Gamma, X(0,0,1/2), M(1/2,1/2,0) and R -- so a single cell never shows an
X, M or R component.

Names follow the CDML/ISOTROPY/Bilbao convention for primitive lattices, in
the conventional reciprocal basis of the spglib standard setting
(GM = Gamma): cubic P: X (0,1/2,0), M (1/2,1/2,0), R (1/2,1/2,1/2);
tetragonal P: Z, X, M, R (0,1/2,1/2), A; orthorhombic P: X, Y, Z, S, U, T, R;
hexagonal P: A, M, L, K, H. Any other wave vector is named by its
coordinates, e.g. ``k(0,0,1/4)``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ._supercell import lattice_points_in_supercell

__all__ = ["commensurate_kpoints", "kpoint_stars", "kpoint_name"]

_H, _T = 0.5, 1.0 / 3.0
_POINTS = {
    "cP": {"X": (0, _H, 0), "M": (_H, _H, 0), "R": (_H, _H, _H)},
    "tP": {"Z": (0, 0, _H), "X": (0, _H, 0), "M": (_H, _H, 0), "R": (0, _H, _H), "A": (_H, _H, _H)},
    "oP": {"X": (_H, 0, 0), "Y": (0, _H, 0), "Z": (0, 0, _H), "S": (_H, _H, 0), "U": (_H, 0, _H),
           "T": (0, _H, _H), "R": (_H, _H, _H)},
    "hP": {"A": (0, 0, _H), "M": (_H, 0, 0), "L": (_H, 0, _H), "K": (_T, _T, 0), "H": (_T, _T, _H)},
}


def _wrap(k: np.ndarray) -> np.ndarray:
    k = np.asarray(k, dtype=np.float64)
    k = k - np.floor(k + 1e-9)
    return np.where(np.abs(k - 1) < 1e-9, 0.0, np.where(np.abs(k) < 1e-9, 0.0, k))


def commensurate_kpoints(supercell) -> np.ndarray:
    """The ``|det S|`` wave vectors held by the supercell ``S``: ``(n, 3)``
    fractional coordinates in the parent's reciprocal basis, in ``[0, 1)``,
    Gamma first, then sorted.

    >>> commensurate_kpoints([[1, 1, 0], [-1, 1, 0], [0, 0, 2]]).tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.5], [0.5, 0.5, 0.0], [0.5, 0.5, 0.5]]
    """
    S = np.asarray(supercell)
    if S.shape != (3, 3) or not np.allclose(S, np.round(S)):
        raise ValueError(f"supercell must be a 3x3 integer matrix, got {np.asarray(supercell).tolist()}")
    S = np.round(S).astype(np.int64)
    m = lattice_points_in_supercell(S.T)  # cosets of Z^3 / S Z^3 (columns of S)
    k = _wrap(m @ np.linalg.inv(S.astype(np.float64)).T)
    return k[np.lexsort(np.round(k, 9).T[::-1])]


def _same(a, b) -> bool:
    d = np.asarray(a) - np.asarray(b)
    return bool(np.abs(d - np.round(d)).max() < 1e-6)


def kpoint_stars(kpoints, rotations) -> list[np.ndarray]:
    """Split wave vectors into stars under point operations.

    Args:
        kpoints: ``(n, 3)`` fractional wave vectors.
        rotations: ``(g, 3, 3)`` integer operations on fractional *direct*
            coordinates (``x -> W x``, spglib); a wave vector goes to
            ``W^{-T} k``.

    Returns:
        One ``(n_arms, 3)`` array per star: every arm of the full star (arms
        outside ``kpoints`` included), in the order met, starting from the
        first of ``kpoints`` not yet in a star.

    >>> C4 = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]])
    >>> [s.tolist() for s in kpoint_stars([[0, 0, 0], [0.5, 0, 0]], [np.eye(3, dtype=int), C4, C4 @ C4, C4.T])]
    [[[0.0, 0.0, 0.0]], [[0.5, 0.0, 0.0], [0.0, 0.5, 0.0]]]
    """
    ks = [_wrap(k) for k in np.asarray(kpoints, dtype=np.float64).reshape(-1, 3)]
    inv_t = [np.linalg.inv(np.asarray(W, dtype=np.float64)).T for W in rotations]
    stars, done = [], [False] * len(ks)
    for i, k in enumerate(ks):
        if done[i]:
            continue
        arms: list = []
        for M in inv_t:
            q = _wrap(M @ k)
            if not any(_same(q, a) for a in arms):
                arms.append(q)
        for j in range(len(ks)):
            if not done[j] and any(_same(ks[j], a) for a in arms):
                done[j] = True
        stars.append(np.array(arms))
    return stars


def _fraction(x: float) -> str:
    f = Fraction(float(x)).limit_denominator(48)
    return str(f) if f.denominator != 1 else str(f.numerator)


def _lattice_kind(number: int, international: str) -> str:
    centring = international[0]
    if centring != "P":
        return ""
    if number >= 195:
        return "cP"
    if number >= 168 or (143 <= number <= 167 and international[0] == "P"):
        return "hP"
    if number >= 75:
        return "tP"
    if number >= 16:
        return "oP"
    return ""


def kpoint_name(arms_conventional, number: int, international: str, primitive=None) -> tuple[str, np.ndarray]:
    """Name of a star and the arm the name refers to.

    Args:
        arms_conventional: ``(n_arms, 3)`` the star's arms in the conventional
            reciprocal basis of the standard setting.
        number, international: the space group.
        primitive: the same arms in the primitive reciprocal basis (default:
            the conventional ones); needed for a centred lattice, where an
            integer conventional ``k`` such as (1, 1, 1) of an I lattice is not
            Gamma.

    Returns:
        ``(name, arm)``: e.g. ``("M", [0.5, 0.5, 0])`` for a cubic P group;
        ``("GM", 0)`` for Gamma; otherwise ``("k(a,b,c)", arm)`` with the first
        arm as given and its coordinates shifted into (-1/2, 1/2] in the name.

    >>> kpoint_name([[0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5]], 221, "Pm-3m")
    ('X', array([0. , 0.5, 0. ]))
    """
    arms = np.asarray(arms_conventional, dtype=np.float64).reshape(-1, 3)
    prim = arms if primitive is None else np.asarray(primitive, dtype=np.float64).reshape(-1, 3)
    if any(_same(a, 0) for a in prim):
        return "GM", np.zeros(3)
    for name, point in _POINTS.get(_lattice_kind(number, international), {}).items():
        for a in arms:
            if _same(a, point):
                return name, np.array(point, dtype=np.float64)
    # the name shows the coordinates in (-1/2, 1/2]; the arm returned is the one given (for a centred
    # lattice a conventional reciprocal vector need not be a lattice vector of the primitive one)
    first = _wrap(arms[0])
    shown = np.where(first > 0.5 + 1e-9, first - 1, first)
    return "k(" + ",".join(_fraction(x) for x in shown) + ")", arms[0].copy()
