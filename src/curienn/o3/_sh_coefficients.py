r"""Recurrence and derivative coefficients of the real spherical harmonics.

Private helper of :mod:`curienn.o3._spherical_harmonics`; everything here is plain
Python ``float`` arithmetic, computed lazily and cached per ``(l, normalization)``
(under ``torch.compile`` the undecorated ``__wrapped__`` functions are traced instead).

Convention (e3nn 0.6.0, checked for every :math:`(l, m)` up to :math:`l = 12`):
:math:`y` is the polar axis and the azimuth is :math:`\varphi = \operatorname{atan2}(x, z)`.
With :math:`\mu = |m|`, the *component* normalised solid harmonic is

.. math::

    Y_l^m(\vec r) = N_l^\mu \, Q_l^\mu(y, r^2) \, T_m(z, x), \qquad
    N_l^\mu = \sqrt{(2l+1)(2-\delta_{\mu 0}) \frac{(l-\mu)!}{(l+\mu)!}},

where :math:`T_m + i\,T_{-m} = (z + i x)^\mu` (so :math:`T_\mu = r_\perp^\mu\cos\mu\varphi`,
:math:`T_{-\mu} = r_\perp^\mu\sin\mu\varphi`) and
:math:`Q_l^\mu(y, r^2) \, r_\perp^\mu = r^l P_l^\mu(y / r)` with the associated Legendre
function *without* the Condon--Shortley phase.  In words: Wikipedia's real spherical
harmonics with the axes relabelled :math:`(x, y, z)_{\rm wiki} = (z, x, y)`.

The three recurrences used (:math:`l \ge 2`) follow from
:math:`(l-\mu) Q_l^\mu = (2l-1) y Q_{l-1}^\mu - (l+\mu-1) r^2 Q_{l-2}^\mu`,
:math:`Q_l^l = (2l-1) Q_{l-1}^{l-1}` and :math:`(z + ix)^l = (z + ix)(z + ix)^{l-1}`:

.. math::

    Y_l^m &= A_l^m \, y \, Y_{l-1}^m - B_l^m \, r^2 \, Y_{l-2}^m, \quad |m| \le l-1, \\
    A_l^m &= \sqrt{\tfrac{4l^2-1}{l^2-m^2}}, \qquad
    B_l^m = \sqrt{\tfrac{(2l+1)((l-1)^2-m^2)}{(2l-3)(l^2-m^2)}}, \\
    Y_l^{\pm l} &= E_l \, (z\, Y_{l-1}^{\pm(l-1)} \mp x\, Y_{l-1}^{\mp(l-1)}), \qquad
    E_l = \sqrt{\tfrac{2l+1}{2l}}.

The derivatives of a solid harmonic are solid harmonics of degree :math:`l-1`
(with :math:`w = z + ix`, :math:`\partial_{\bar w} (Q_l^\mu w^\mu) = -\tfrac12 Q_{l-1}^{\mu+1} w^{\mu+1}`,
:math:`\partial_w (Q_l^\mu w^\mu) = \tfrac12 (l+\mu)(l+\mu-1) Q_{l-1}^{\mu-1} w^{\mu-1}` and
:math:`\partial_y Q_l^\mu = (l+\mu) Q_{l-1}^\mu`); :func:`derivative_block` lists them.
Another normalization multiplies block :math:`l` by a constant :math:`s_l`, which rescales
the coefficients by ratios of :math:`s`.
"""

from __future__ import annotations

import functools
import math

__all__ = [
    "NORMALIZATIONS",
    "block_scale",
    "derivative_block",
    "derivative_windows",
    "recurrence_coefficients",
]

NORMALIZATIONS = ("integral", "component", "norm")


def block_scale(l: int, normalization: str) -> float:
    r"""Factor :math:`s_l` from component normalization to ``normalization`` for degree ``l``."""
    if normalization == "component":
        return 1.0
    if normalization == "integral":
        return 1.0 / math.sqrt(4.0 * math.pi)
    if normalization == "norm":
        return 1.0 / math.sqrt(2 * l + 1)
    raise ValueError(
        f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}"
    )


def _norm_factor(l: int, mu: int) -> float:
    """:math:`N_l^\\mu` of the component normalization (``mu >= 0``)."""
    return math.sqrt(
        (2 * l + 1)
        * (1 if mu == 0 else 2)
        * math.factorial(l - mu)
        / math.factorial(l + mu)
    )


@functools.cache
def recurrence_coefficients(
    l: int, normalization: str
) -> tuple[list[float], list[float], float]:
    r"""Coefficients of the step :math:`l-2, l-1 \to l` (``l >= 2``) in ``normalization``.

    Returns ``(A, B, E)``: ``A`` has ``2l-1`` entries (rows :math:`m = -(l-1) \dots l-1`),
    ``B`` has ``2l-3`` entries (rows :math:`m = -(l-2) \dots l-2`) and ``E`` is the
    diagonal factor, all already rescaled by the block scales :math:`s_l / s_{l-1}` and
    :math:`s_l / s_{l-2}`.
    """
    s, s1, s2 = (block_scale(j, normalization) for j in (l, l - 1, l - 2))
    a = [
        math.sqrt((4 * l * l - 1) / (l * l - m * m)) * s / s1
        for m in range(-(l - 1), l)
    ]
    b = [
        math.sqrt(
            (2 * l + 1) * ((l - 1) ** 2 - m * m) / ((2 * l - 3) * (l * l - m * m))
        )
        * s
        / s2
        for m in range(-(l - 2), l - 1)
    ]
    e = math.sqrt((2 * l + 1) / (2 * l)) * s / s1
    return a, b, e


@functools.cache
def derivative_block(l: int, normalization: str) -> list[float]:
    r"""Jacobian of degree ``l >= 1`` in terms of degree ``l-1``, as a dense row-major list.

    :math:`\partial_k Y_l^{t} = \sum_s W[k (2l-1) + s,\, t] \, Y_{l-1}^{s}` with local row
    indices ``t = l + m`` (``2l+1`` of them) and ``s = l - 1 + m'`` (``2l-1``), ``k`` indexing
    :math:`(x, y, z)`.  ``W`` has shape ``(3 (2l-1), 2l+1)``; it has at most five nonzero
    entries per column (one for :math:`\partial_y`, two each for :math:`\partial_z, \partial_x`).
    """
    rows, cols = 2 * l - 1, 2 * l + 1
    w = [0.0] * (3 * rows * cols)
    ratio = block_scale(l, normalization) / block_scale(l - 1, normalization)

    def q(nu: int) -> float:  # Y_{l-1}^{nu} = N_{l-1}^{|nu|} Q T_nu
        return 1.0 / _norm_factor(l - 1, abs(nu))

    def add(m: int, mp: int, k: int, c: float) -> None:
        if abs(mp) <= l - 1:
            w[(k * rows + (l - 1 + mp)) * cols + (l + m)] += c

    for m in range(-l, l + 1):
        mu = abs(m)
        # polar derivative: d/dy Y_l^m = sqrt((2l+1)(l^2-m^2)/(2l-1)) Y_{l-1}^m
        add(m, m, 1, math.sqrt((2 * l + 1) * (l * l - m * m) / (2 * l - 1)) * ratio)
        n = _norm_factor(l, mu) * ratio
        if mu == 0:
            if l >= 2:
                add(m, 1, 2, -n * q(1))  # d/dz Q = -QC^1
                add(m, -1, 0, -n * q(1))  # d/dx Q = -QS^1
            continue
        a = 0.5 * (l + mu) * (l + mu - 1)
        b = 0.5
        if m > 0:  # cosine type: Q C_mu
            add(m, mu - 1, 2, n * a * q(mu - 1))
            if mu + 1 <= l - 1:
                add(m, mu + 1, 2, -n * b * q(mu + 1))
                add(m, -(mu + 1), 0, -n * b * q(mu + 1))
            if mu > 1:
                add(m, -(mu - 1), 0, -n * a * q(mu - 1))
        else:  # sine type: Q S_mu
            if mu > 1:
                add(m, -(mu - 1), 2, n * a * q(mu - 1))
            add(m, mu - 1, 0, n * a * q(mu - 1))
            if mu + 1 <= l - 1:
                add(m, -(mu + 1), 2, -n * b * q(mu + 1))
                add(m, mu + 1, 0, n * b * q(mu + 1))
    return w


@functools.cache
def derivative_windows(lmax: int, normalization: str) -> list[float]:
    r"""Weights of the windowed form of the Jacobian used by the fast backward.

    For degree :math:`l`, with :math:`g` the ``2l+1`` rows of the cotangent, :math:`Y` the
    ``2l-1`` rows of degree :math:`l-1` and :math:`\bar Y` those rows reversed, the five
    products (slots) are, for :math:`i = 0 \dots 2l-2`,

    ``0: g[i+2] Y[i]`` (z), ``1: g[i] Y[i]`` (z), ``2: g[i+1] Y[i]`` (y),
    ``3: g[i] Ybar[i]`` (x), ``4: g[i+2] Ybar[i]`` (x),

    stored at row :math:`(l-1)^2 + i` of a slot.  The returned flat list ``w[j * lmax^2 + row]``
    weights them so that :math:`\sum_t g_t \partial_k Y_t` is the weighted sum of the slots
    of direction ``k`` (slots 0-1: z, 2: y, 3-4: x).
    """
    size = lmax * lmax
    out = [0.0] * (5 * size)
    for l in range(1, lmax + 1):
        w = derivative_block.__wrapped__(l, normalization)
        rows, cols = 2 * l - 1, 2 * l + 1
        used = 0

        def get(
            k: int,
            s: int,
            t: int,
            w: list[float] = w,
            rows: int = rows,
            cols: int = cols,
        ) -> float:
            return w[(k * rows + s) * cols + t] if 0 <= t < cols else 0.0

        for i in range(rows):
            r = (l - 1) ** 2 + i
            entries = [
                get(2, i, i + 2),
                get(2, i, i),
                get(1, i, i + 1),
                get(0, rows - 1 - i, i),
                get(0, rows - 1 - i, i + 2),
            ]
            for j, c in enumerate(entries):
                out[j * size + r] = c
                used += c != 0.0
        if used != sum(c != 0.0 for c in w):
            raise AssertionError(f"windowed Jacobian misses entries at l={l}")
    return out
