"""Exact Clebsch-Gordan coefficients of SO(3) in the real basis.

Everything here is exact rational arithmetic on numbers of the form
``sum_d c_d * sqrt(d)`` (``c_d`` rational, ``d`` square-free); the one float
conversion happens at the very end, with a single rounding to float64.

The construction (the same mathematics as e3nn 0.6.0, so the same signs):

1. The complex Clebsch-Gordan coefficient ``<l1 m1 l2 m2 | l3 m3>`` (Condon-Shortley
   phase) from Racah's formula: ``sqrt(R) * S`` with ``R`` and ``S`` rational.
2. The move to the real basis,
   ``C[j, k, n] = Re sum_{a,b,c} Q1[a, j] Q2[b, k] conj(Q3[c, n]) CG[a, b, c]``,
   where ``Q_l = (-i)^l q_l`` is :func:`change_basis_real_to_complex` and every
   entry of ``q_l`` is ``1``, ``+-1/sqrt(2)`` or ``+-i/sqrt(2)``.
3. Normalisation to unit Frobenius norm.

Every real-basis entry turns out to be a single ``+- sqrt(rational)``; this is
checked (``AssertionError`` otherwise) rather than assumed.

This module is pure Python (``fractions``, ``math``) and imports no torch, so the
offline table generator ``scripts/generate_wigner_3j.py`` can use it directly.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ._errors import InvalidArgumentError

__all__: list[str] = []  # private helpers only


def _check_triple(l1: int, l2: int, l3: int) -> None:
    for name, value in (("l1", l1), ("l2", l2), ("l3", l3)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidArgumentError(f"wigner_3j: {name} must be a non-negative int, got {value!r}")
    if not abs(l1 - l2) <= l3 <= l1 + l2:
        raise InvalidArgumentError(
            f"wigner_3j: (l1, l2, l3) = ({l1}, {l2}, {l3}) violates the triangle rule "
            f"|l1 - l2| <= l3 <= l1 + l2"
        )


def _squarefree_split(n: int) -> tuple[int, int]:
    """Write a positive integer as ``n = a**2 * d`` with ``d`` square-free; return (a, d)."""
    a, d = 1, 1
    p = 2
    while p * p <= n:
        if n % p == 0:
            e = 0
            while n % p == 0:
                n //= p
                e += 1
            a *= p ** (e // 2)
            if e % 2:
                d *= p
        p += 1 if p == 2 else 2
    d *= n  # what is left is 1 or a prime
    return a, d


def _sqrt_rational(r: Fraction) -> tuple[Fraction, int]:
    """``sqrt(r) = c * sqrt(d)`` with ``c`` rational and ``d`` square-free; return (c, d)."""
    if r < 0:
        raise ValueError(f"negative radicand {r}")
    if r == 0:
        return Fraction(0), 1
    # sqrt(p/q) = sqrt(p*q) / q
    a, d = _squarefree_split(r.numerator * r.denominator)
    return Fraction(a, r.denominator), d


def clebsch_gordan_complex(l1: int, l2: int, l3: int) -> dict[tuple[int, int, int], tuple[Fraction, int]]:
    """Nonzero ``<l1 m1 l2 m2 | l3 m3>`` as ``{(m1, m2, m3): (c, d)}`` meaning ``c * sqrt(d)``.

    Racah's formula (Condon-Shortley phase), for ``m3 = m1 + m2``::

        C = sqrt((2 l3 + 1) (l3+l1-l2)! (l3-l1+l2)! (l1+l2-l3)! / (l1+l2+l3+1)!)
            * sqrt((l3+m3)! (l3-m3)! (l1-m1)! (l1+m1)! (l2-m2)! (l2+m2)!)
            * sum_k (-1)^k / (k! (l1+l2-l3-k)! (l1-m1-k)! (l2+m2-k)! (l3-l2+m1+k)! (l3-l1-m2+k)!)
    """
    _check_triple(l1, l2, l3)
    f = math.factorial
    pre = Fraction(
        (2 * l3 + 1) * f(l3 + l1 - l2) * f(l3 - l1 + l2) * f(l1 + l2 - l3),
        f(l1 + l2 + l3 + 1),
    )
    out: dict[tuple[int, int, int], tuple[Fraction, int]] = {}
    for m1 in range(-l1, l1 + 1):
        for m2 in range(-l2, l2 + 1):
            m3 = m1 + m2
            if abs(m3) > l3:
                continue
            kmin = max(0, l2 - l3 - m1, l1 - l3 + m2)
            kmax = min(l1 + l2 - l3, l1 - m1, l2 + m2)
            s = Fraction(0)
            for k in range(kmin, kmax + 1):
                den = (
                    f(k) * f(l1 + l2 - l3 - k) * f(l1 - m1 - k) * f(l2 + m2 - k)
                    * f(l3 - l2 + m1 + k) * f(l3 - l1 - m2 + k)
                )
                s += Fraction((-1) ** k, den)
            if s == 0:
                continue
            radicand = pre * (
                f(l3 + m3) * f(l3 - m3) * f(l1 - m1) * f(l1 + m1) * f(l2 - m2) * f(l2 + m2)
            )
            c, d = _sqrt_rational(radicand)
            out[(m1, m2, m3)] = (c * s, d)
    return out


def _q_entries(l: int) -> dict[int, list[tuple[int, int, int]]]:
    """Nonzero entries of ``q_l`` (the change of basis without its ``(-i)^l``).

    Returns ``{m: [(column, u, h), ...]}`` for complex row ``m``: the entry is
    ``i**u * 2**(-h/2) * sign`` folded into ``u`` (mod 4), i.e. ``i**u / sqrt(2)**h``.
    Real column index ``l + mu``.  Wikipedia's real form:

    * ``m < 0``: ``Y^m = (Y_{|m|} - i Y_{-|m|}) / sqrt 2``;
    * ``m = 0``: ``Y^0 = Y_0``;
    * ``m > 0``: ``Y^m = (-1)^m (Y_{m} + i Y_{-m}) / sqrt 2``.
    """
    rows: dict[int, list[tuple[int, int, int]]] = {0: [(l, 0, 0)]}
    for m in range(1, l + 1):
        rows[-m] = [(l + m, 0, 1), (l - m, 3, 1)]  # 1/sqrt2, -i/sqrt2
        sign = 0 if m % 2 == 0 else 2  # (-1)^m as a power of i
        rows[m] = [(l + m, sign, 1), (l - m, (sign + 1) % 4, 1)]
    return rows


def wigner_3j_exact(l1: int, l2: int, l3: int) -> dict[tuple[int, int, int], tuple[int, Fraction]]:
    """The real-basis coupling tensor with unit Frobenius norm, exactly.

    Returns ``{(i, j, k): (sign, r)}`` for the nonzero entries, each entry being
    ``sign * sqrt(r)`` with ``r`` a positive rational.  Indices are real-basis
    positions ``0 .. 2l`` (``i`` for ``l1``, ``j`` for ``l2``, ``k`` for ``l3``).
    """
    cg = clebsch_gordan_complex(l1, l2, l3)
    q1, q2, q3 = _q_entries(l1), _q_entries(l2), _q_entries(l3)
    # phase of Q1 Q2 conj(Q3): (-i)^l1 (-i)^l2 (i)^l3 = i^(3 l1 + 3 l2 + l3)
    phase = (3 * l1 + 3 * l2 + l3) % 4
    acc: dict[tuple[int, int, int], dict[int, Fraction]] = {}
    for (m1, m2, m3), (c, d) in cg.items():
        for j, u1, h1 in q1[m1]:
            for k, u2, h2 in q2[m2]:
                for n, u3, h3 in q3[m3]:
                    u = (phase + u1 + u2 - u3) % 4  # conj flips the power of i
                    if u % 2:  # purely imaginary: no contribution to the real part
                        continue
                    sign = 1 if u == 0 else -1
                    h = h1 + h2 + h3  # factor 2^(-h/2)
                    coef = sign * c / (2 ** (h // 2))
                    dd = d
                    if h % 2:  # one more 1/sqrt(2) = sqrt(2)/2
                        coef /= 2
                        if dd % 2 == 0:
                            coef *= 2
                            dd //= 2
                        else:
                            dd *= 2
                    entry = acc.setdefault((j, k, n), {})
                    entry[dd] = entry.get(dd, Fraction(0)) + coef
    terms: dict[tuple[int, int, int], tuple[Fraction, int]] = {}
    for idx, entry in acc.items():
        nonzero = [(dd, c) for dd, c in entry.items() if c != 0]
        if not nonzero:
            continue
        assert len(nonzero) == 1, f"entry {idx} of ({l1},{l2},{l3}) is not a single sqrt"
        dd, c = nonzero[0]
        terms[idx] = (c, dd)
    norm2 = sum((c * c * dd for c, dd in terms.values()), Fraction(0))
    return {idx: (1 if c > 0 else -1, c * c * dd / norm2) for idx, (c, dd) in sorted(terms.items())}


def sqrt_to_float(r: Fraction) -> float:
    """``sqrt(r)`` rounded to the nearest float64 (from a 200-bit exact integer sqrt)."""
    bits = 200
    root = math.isqrt((r.numerator << (2 * bits)) // r.denominator)
    return float(Fraction(root, 1 << bits))


def wigner_3j_sparse_exact(l1: int, l2: int, l3: int) -> tuple[list[tuple[int, int, int]], list[float]]:
    """Nonzero indices and float64 values of the normalised real coupling tensor."""
    exact = wigner_3j_exact(l1, l2, l3)
    indices = list(exact)
    values = [s * sqrt_to_float(r) for s, r in exact.values()]
    return indices, values
