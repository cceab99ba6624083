r"""Index-symmetry formulas such as ``"ij=-ji"`` and the tensors they allow
(``e3nn.math.germinate_formulas``, ``e3nn.math.reduce_permutation``).

A formula ``f0=s1 f1=s2 f2=...`` says :math:`T_{f_0} = s_k T_{f_k}` for index strings
:math:`f_k` that permute :math:`f_0`. Each term is a signed permutation :math:`(s, p)` with
:math:`p_a` the position in :math:`f_k` of the :math:`a`-th index of :math:`f_0`; the
relations generate a group (:func:`germinate_formulas`). :func:`reduce_permutation` finds
the independent components of such tensors: the multi-indices fall into orbits
:math:`\{(s, x \circ p)\}` under the group, an orbit containing :math:`(-1, x)` forces
:math:`T_x = 0`, and every other orbit is one degree of freedom, represented by the row
:math:`Q_{x} = s / \sqrt{|\text{orbit}|}` of an orthonormal ``Q``.
"""

from __future__ import annotations

import itertools
import math
from typing import Optional

import torch

from . import perm
from ._errors import FormulaError, InvalidArgumentError

__all__ = ["germinate_formulas", "reduce_permutation"]


def germinate_formulas(formula: str) -> tuple[str, set]:
    """The indices ``f0`` of ``formula`` and the group of signed permutations
    ``{(sign, p)}`` that its terms generate (see the module).

    Raises:
        InvalidArgumentError: the first term carries a sign (e3nn: ``AssertionError``).
        FormulaError: a term is not a permutation of the first (e3nn: ``RuntimeError``).
    """
    terms = [(-1 if f.startswith("-") else 1, f.replace("-", "")) for f in formula.split("=")]
    s0, f0 = terms[0]
    if s0 != 1:
        raise InvalidArgumentError(f"formula {formula!r}: the first term cannot carry a sign")
    for _, f in terms:
        if len(set(f)) != len(f) or set(f) != set(f0):
            raise FormulaError(f"formula {formula!r}: {f} is not a permutation of {f0}")
        if len(f) != len(f0):
            raise FormulaError(f"formula {formula!r}: {f0} and {f} don't have the same number of indices")
    group = {(s, tuple(f.index(i) for i in f0)) for s, f in terms}
    while True:
        size = len(group)
        group |= {(s, perm.inverse(p)) for s, p in group}
        group |= {(s1 * s2, perm.compose(p1, p2)) for s1, p1 in group for s2, p2 in group}
        if len(group) == size:
            return f0, group


def reduce_permutation(f0: str, formulas: set, dtype: Optional[torch.dtype] = None,
                       device: Optional[torch.device] = None, **dims: int) -> tuple[torch.Tensor, list]:
    r"""The independent components of the tensors with indices ``f0``, dimensions ``dims``
    (one per index; the formulas propagate them) and symmetries ``formulas``.

    Returns:
        ``Q`` ``(d_sym, *dims)``, orthonormal rows spanning the allowed tensors, and for each
        row the orbit ``[(sign, multi_index), ...]`` it represents.

    Raises:
        FormulaError: permuted indices with different dimensions, or an index without one
            (e3nn: ``RuntimeError``).
    """
    for _, p in formulas:
        f = "".join(f0[i] for i in p)
        for i, j in zip(f0, f):
            if i in dims and j in dims and dims[i] != dims[j]:
                raise FormulaError(f"dimension of {i} and {j} should be the same")
            if i in dims:
                dims[j] = dims[i]
            if j in dims:
                dims[i] = dims[j]
    for i in f0:
        if i not in dims:
            raise FormulaError(f"index {i} has no dimension associated to it")
    shape = [dims[i] for i in f0]

    orbits = set()
    for x in itertools.product(*(range(d) for d in shape)):
        xs = frozenset((s, tuple(x[i] for i in p)) for s, p in formulas)
        if (-1, x) not in xs:  # T_x = -T_x would force zero
            orbits.add(frozenset({xs, frozenset((-s, y) for s, y in xs)}))
    # a canonical order: each orbit as its two sorted signed versions, sorted
    ordered = sorted(sorted(sorted(xs) for xs in orbit) for orbit in orbits)

    strides = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    Q = torch.zeros(len(ordered), math.prod(shape), dtype=dtype, device=device)
    representatives = []
    for row, orbit in enumerate(ordered):
        xs = max(orbit, key=lambda signed: sum(s for s, _ in signed))
        representatives.append(xs)
        for s, e in xs:
            Q[row, sum(k * st for k, st in zip(e, strides))] = s / len(xs) ** 0.5
    return Q.reshape(len(ordered), *shape), representatives
