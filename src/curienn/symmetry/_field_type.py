"""O(3) types of per-site fields and their representation matrices (numpy).

A field type is an irreps string in curienn's (= e3nn 0.6.0's) notation:
``"1o"`` (a vector: displacements), ``"1e"`` (a pseudovector: rotations,
magnetic moments), ``"0e"``/``"0o"`` (scalar / pseudoscalar), direct sums such
as ``"2x1o + 1e"``. For ``l <= 1`` the matrices are built here with numpy
(``1o``: ``R``; ``1e``: ``det(R) R``; ``0e``: 1; ``0o``: ``det R``), in the
``(x, y, z)`` basis; higher ``l`` (``"2e"``, a traceless symmetric tensor in
e3nn's basis) fall back to :func:`curienn.o3` through torch, imported only
then.
"""

from __future__ import annotations

import re

import numpy as np

from ._representation import representation_matrices

__all__ = ["parse_field_type", "field_dim", "field_representation"]

_TERM = re.compile(r"^\s*(?:(\d+)\s*x\s*)?(\d+)\s*([eo])\s*$")


def parse_field_type(irreps: str) -> list[tuple[int, int, int]]:
    """``"2x1o + 1e"`` -> ``[(2, 1, -1), (1, 1, 1)]`` (multiplicity, l, parity).

    >>> parse_field_type("2x1o + 0e")
    [(2, 1, -1), (1, 0, 1)]
    """
    if not isinstance(irreps, str) or not irreps.strip():
        raise ValueError(f"a field type must be an irreps string like '1o' or '1e', got {irreps!r}")
    out = []
    for term in irreps.split("+"):
        m = _TERM.match(term)
        if not m:
            raise ValueError(f"cannot read field type {irreps!r}: {term.strip()!r} is not like '1o', '2x1e', '0e'")
        mul = int(m.group(1)) if m.group(1) else 1
        if mul < 1:
            raise ValueError(f"field type {irreps!r}: multiplicity must be >= 1")
        out.append((mul, int(m.group(2)), 1 if m.group(3) == "e" else -1))
    return out


def field_dim(irreps: str) -> int:
    """Number of components of one site's value (``"1o + 1e"`` -> 6)."""
    return sum(mul * (2 * l + 1) for mul, l, _ in parse_field_type(irreps))


def field_representation(irreps: str, rotations) -> np.ndarray:
    """``D(R)`` for each orthogonal ``R``: ``(n, dim, dim)`` float64, acting on a
    site's value as ``v -> D(R) v``.

    >>> D = field_representation("1e", [-np.eye(3)])
    >>> D[0].tolist()  # a pseudovector is even under inversion
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    terms = parse_field_type(irreps)
    Rs = np.asarray(rotations, dtype=np.float64).reshape(-1, 3, 3)
    if any(l > 1 for _, l, _ in terms):
        return representation_matrices(irreps, Rs)
    improper = np.linalg.det(Rs) < 0
    blocks = []
    for mul, l, p in terms:
        # an improper R acts on Irrep(l, p) as p * D^l(-R): -p R for l = 1, p for l = 0
        factor = np.where(improper, -p if l == 1 else p, 1.0)[:, None, None]
        blocks.extend([factor * (Rs if l == 1 else np.ones((len(Rs), 1, 1)))] * mul)
    dim = sum(b.shape[1] for b in blocks)
    out = np.zeros((len(Rs), dim, dim))
    i = 0
    for b in blocks:
        k = b.shape[1]
        out[:, i:i + k, i:i + k] = b
        i += k
    return out
