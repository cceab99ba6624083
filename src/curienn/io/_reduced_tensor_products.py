r"""Reduce a tensor product with index symmetries into irreps (as ``e3nn.o3.ReducedTensorProducts``).

A formula such as ``"ijkl=jikl=klij"`` says that a tensor :math:`T` on
:math:`V_i \otimes V_j \otimes \dots` (each index carrying irreps) satisfies
:math:`T_{ijkl} = T_{jikl} = T_{klij}`; a leading ``-`` flips the sign
(``"ij=-ji"``: antisymmetric). The relations generate a finite group :math:`G` of
signed index permutations; the admissible tensors are the image of the orthogonal projector

.. math::

    P = \frac{1}{|G|} \sum_{(\sigma, s) \in G} s\, \Pi_\sigma,

which commutes with the action of O(3) because permuted indices carry the same irreps.

The tensor space is decomposed into irreps by coupling the indices from left to right with
Clebsch--Gordan coefficients, :math:`((V_i \otimes V_j)_{L_1} \otimes V_k)_{L_2} \dots`;
each coupling path gives an isometry :math:`B_p` onto an irrep :math:`L`. The maps
:math:`B_p P` are intertwiners, so (Schur) :math:`B_p P B_q^\top = G_{pq} I`; diagonalising
the Gram matrix :math:`G` of the paths ending in :math:`L` gives an orthonormal basis
:math:`\sum_p a_{kp} B_p P / \sqrt{\lambda_k}` of the copies of :math:`L` among the
admissible tensors. Stacked and sorted by irrep, they form the ``change_of_basis``
:math:`Q` of shape ``(irreps_out.dim, *dims)``: its rows are orthonormal, each irrep block
has squared Frobenius norm equal to its dimension, and

.. math::

    Q\, (D_1(g) \otimes \dots \otimes D_n(g))\, T = D_{out}(g)\, Q T.

The basis may differ from e3nn's by an orthogonal change within each multiplicity space.
Bases are computed once (in float64) and cached by formula, irreps and filters.
"""

from __future__ import annotations

import functools
import math
import string
from typing import Any, Optional, Sequence

import torch

from curienn.o3 import FormulaError, InvalidArgumentError, Irrep, Irreps, ShapeError, wigner_3j

__all__ = ["ReducedTensorProducts"]


# ----------------------------------------------------------------------------- formula


def _parse_formula(formula: str) -> tuple[str, list[tuple[int, tuple[int, ...]]]]:
    """``formula`` -> (indices, [(sign, q)]) with ``T[x] = sign * T[x_q]`` for every term."""
    if not isinstance(formula, str):
        raise ValueError(f"formula must be a string, got {formula!r}")
    terms = [t.strip() for t in formula.split("=")]
    if not terms[0]:
        raise ValueError(f"formula {formula!r}: the first term is empty")
    base = terms[0]
    if base.startswith("-"):
        raise InvalidArgumentError(f"formula {formula!r}: the first term {base!r} cannot carry a sign")
    for c in base:
        if c not in string.ascii_letters:
            raise ValueError(f"formula {formula!r}: index {c!r} is not a letter")
    if len(set(base)) != len(base):
        raise ValueError(f"formula {formula!r}: an index is repeated in {base!r}")
    relations = []
    for t in terms[1:]:
        body = t.lstrip("-")
        sign = -1 if (len(t) - len(body)) % 2 else 1
        if sorted(body) != sorted(base):
            raise FormulaError(f"formula {formula!r}: term {t!r} is not a (signed) permutation of {base!r}")
        relations.append((sign, tuple(base.index(c) for c in body)))
    return base, relations


def _group(n: int, relations: list[tuple[int, tuple[int, ...]]], formula: str) -> list[tuple[int, tuple[int, ...]]]:
    """Closure of the signed permutations; ``q'' = q[q']`` composes ``(T o q) o q'``."""
    identity = tuple(range(n))
    elements = {identity: 1}
    frontier = [identity]
    while frontier:
        new = []
        for q in frontier:
            for s, g in relations:
                h = tuple(q[g[k]] for k in range(n))
                sh = elements[q] * s
                if h in elements:
                    if elements[h] != sh:
                        raise FormulaError(f"formula {formula!r} admits only the zero tensor (contradictory signs)")
                    continue
                elements[h] = sh
                new.append(h)
        frontier = new
    return [(s, q) for q, s in elements.items()]


def _resolve_irreps(indices: str, group: list, given: dict, formula: str) -> list[Irreps]:
    """Irreps of every index: given ones propagated along the permutations."""
    for name in given:
        if name not in indices:
            raise FormulaError(f"irreps given for {name!r}, which is not an index of formula {formula!r}")
    out: list[Optional[Irreps]] = [None] * len(indices)
    for k, c in enumerate(indices):
        if c in given:
            try:
                out[k] = Irreps(given[c])
            except ValueError as e:
                raise ValueError(f"bad irreps for index {c!r}: {e}") from None
    changed = True
    while changed:
        changed = False
        for _, q in group:
            for k in range(len(indices)):
                a, b = out[k], out[q[k]]
                if a is not None and b is not None and a != b:
                    raise FormulaError(
                        f"formula {formula!r}: indices {indices[k]!r} and {indices[q[k]]!r} are permuted "
                        f"but carry different irreps {a} and {b}"
                    )
                if a is None and b is not None:
                    out[k], changed = b, True
                elif b is None and a is not None:
                    out[q[k]], changed = a, True
    for k, c in enumerate(indices):
        if out[k] is None:
            raise FormulaError(f"formula {formula!r}: index {c!r} has no irreps associated to it")
    return out  # type: ignore[return-value]


# ----------------------------------------------------------------------------- basis


def _coupled_blocks(irreps: list[Irreps], keep_mid) -> list[tuple[Irrep, torch.Tensor]]:
    """Left-to-right coupling: a list of ``(ir, B)`` with ``B`` of shape ``(ir.dim, N)``,
    orthonormal rows, together spanning the tensor space (or the part allowed by
    ``keep_mid``)."""
    blocks: list[tuple[Irrep, torch.Tensor]] = []
    first = irreps[0]
    for mul_ir, s in zip(first, first.slices()):
        for u in range(mul_ir.mul):
            if not keep_mid(mul_ir.ir):
                continue
            b = torch.zeros(mul_ir.ir.dim, first.dim, dtype=torch.float64)
            start = s.start + u * mul_ir.ir.dim
            b[:, start : start + mul_ir.ir.dim] = torch.eye(mul_ir.ir.dim, dtype=torch.float64)
            blocks.append((mul_ir.ir, b))
    for irr in irreps[1:]:
        new: list[tuple[Irrep, torch.Tensor]] = []
        for ir1, b1 in blocks:
            for mul_ir, s in zip(irr, irr.slices()):
                ir2 = mul_ir.ir
                if not keep_mid(ir2):
                    continue
                for ir3 in ir1 * ir2:
                    if not keep_mid(ir3):
                        continue
                    c = wigner_3j(ir1.l, ir2.l, ir3.l, dtype=torch.float64) * math.sqrt(ir3.dim)
                    d1, d2, d3 = c.shape
                    # cb[M, a, j] = sum_i c[i, j, M] b1[i, a]: (2L+1, N_prev, 2l2+1)
                    cb = (c.permute(2, 1, 0).reshape(d3 * d2, d1) @ b1).reshape(d3, d2, -1).transpose(1, 2)
                    for u in range(mul_ir.mul):
                        start = s.start + u * ir2.dim
                        b = torch.zeros(ir3.dim, b1.shape[1], irr.dim, dtype=torch.float64)
                        b[:, :, start : start + ir2.dim] = cb
                        new.append((ir3, b.reshape(ir3.dim, -1)))
        blocks = new
    return blocks


def _symmetrizer(dims: list[int], group: list) -> list[tuple[int, torch.Tensor]]:
    r"""``[(s, idx)]`` such that :math:`B P = |G|^{-1} \sum s\, B[:, idx]` for row covectors
    ``B`` on flattened tensors, :math:`P = |G|^{-1} \sum s\, \Pi_\sigma` the projector."""
    ar = torch.arange(math.prod(dims)).reshape(dims)
    out = []
    for s, q in group:
        r = sorted(range(len(q)), key=lambda k: q[k])  # argsort(q): T o q = T.permute(r)
        idx = ar.permute(r).reshape(-1)  # (Pi T)[a] = T[idx[a]]
        inv = torch.empty_like(idx)
        inv[idx] = torch.arange(idx.numel())
        out.append((s, inv))  # (B Pi)[:, c] = B[:, inv[c]]
    return out


def _apply_projector(b: torch.Tensor, sym: list[tuple[int, torch.Tensor]]) -> torch.Tensor:
    out = torch.zeros_like(b)
    for s, inv in sym:
        out += s * b[..., inv]
    return out / len(sym)


@functools.lru_cache(maxsize=256)
def _formula_group(formula: str) -> tuple[str, list]:
    indices, relations = _parse_formula(formula)
    return indices, _group(len(indices), relations, formula)


@functools.lru_cache(maxsize=128)
def _reduced_basis(
    formula: str,
    irreps_key: tuple[str, ...],
    filter_ir_out: Optional[tuple[Irrep, ...]],
    filter_ir_mid: Optional[tuple[Irrep, ...]],
    eps: float,
) -> tuple[tuple[Irreps, ...], Irreps, torch.Tensor]:
    """Cached computation: ``(irreps_in, irreps_out, Q)`` with ``Q`` float64 ``(dim_out, *dims)``,
    keyed by the formula and the resolved irreps of every index."""
    _, group = _formula_group(formula)
    irreps = [Irreps(i) for i in irreps_key]
    dims = [ir.dim for ir in irreps]
    if 0 in dims:
        raise ValueError(f"formula {formula!r}: an index has irreps of dimension 0: {irreps}")

    def keep_mid(ir: Irrep) -> bool:
        return filter_ir_mid is None or ir in filter_ir_mid

    blocks = _coupled_blocks(irreps, keep_mid)
    sym = _symmetrizer(dims, group)
    by_ir: dict[Irrep, list[torch.Tensor]] = {}
    for ir, b in blocks:
        if filter_ir_out is not None and ir not in filter_ir_out:
            continue
        by_ir.setdefault(ir, []).append(b)
    out_irreps = []
    q_blocks = []
    for ir in sorted(by_ir):
        b = torch.stack(by_ir[ir])  # (paths, 2l+1, N), orthonormal rows
        # Schur: B_p P B_q^T = G_pq I, so one row of each block gives the Gram matrix
        b0p = _apply_projector(b[:, 0], sym)  # (paths, N)
        gram = b[:, 0] @ b0p.T
        gram = (gram + gram.T) / 2
        lam, vec = torch.linalg.eigh(gram)
        keep = lam > eps * max(1.0, float(lam.max()))
        if not bool(keep.any()):
            continue
        a = vec[:, keep] / lam[keep].sqrt()  # (paths, mul)
        basis = _apply_projector(torch.einsum("pk,pmn->kmn", a, b), sym)  # (mul, 2l+1, N)
        out_irreps.append((int(keep.sum()), ir))
        q_blocks.append(basis.reshape(-1, basis.shape[-1]))
    if not q_blocks:
        raise ValueError(
            f"formula {formula!r} with irreps {[str(i) for i in irreps]} and the given filters has no "
            "non-zero admissible tensor"
        )
    q = torch.cat(q_blocks).reshape(-1, *dims)
    return tuple(irreps), Irreps(out_irreps), q


def _as_filter(f: Optional[Sequence[Any]], name: str) -> Optional[tuple[Irrep, ...]]:
    if f is None:
        return None
    try:
        return tuple(sorted(set(Irrep(ir) for ir in f)))
    except (ValueError, TypeError) as e:
        raise ValueError(f"bad {name} {f!r}: {e}") from None


def reduced_basis(
    formula: str,
    filter_ir_out: Optional[Sequence[Any]] = None,
    filter_ir_mid: Optional[Sequence[Any]] = None,
    eps: float = 1e-9,
    **irreps: Any,
) -> tuple[tuple[Irreps, ...], Irreps, torch.Tensor]:
    """``(irreps_in, irreps_out, Q)`` of :class:`ReducedTensorProducts`, ``Q`` in float64, cached.

    The cached ``Q`` is shared: do not modify it in place.
    """
    items = []
    for k, v in sorted(irreps.items()):
        try:
            items.append((k, str(Irreps(v))))
        except ValueError as e:
            raise ValueError(f"bad irreps for index {k!r}: {e}") from None
    if not (isinstance(eps, (int, float)) and eps > 0):
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    indices, group = _formula_group(formula)
    resolved = _resolve_irreps(indices, group, dict(items), formula)
    return _reduced_basis(
        formula,
        tuple(str(i) for i in resolved),
        _as_filter(filter_ir_out, "filter_ir_out"),
        _as_filter(filter_ir_mid, "filter_ir_mid"),
        float(eps),
    )


class ReducedTensorProducts(torch.nn.Module):
    r"""The tensor product of the inputs, restricted to the symmetry of ``formula`` and
    reduced into irreps (as ``e3nn.o3.ReducedTensorProducts``).

    Args:
        formula: index symmetries, e.g. ``"ij=-ji"``, ``"ijkl=jikl=klij"``.
        filter_ir_out: keep only these output irreps.
        filter_ir_mid: irreps allowed along the left-to-right coupling (inputs, intermediate
            results and outputs), as e3nn.
        eps: relative threshold on the Gram eigenvalues deciding the multiplicities.
        **irreps: irreps of the indices (``i="1o"``); indices permuted by the formula inherit
            them.

    Attributes:
        irreps_in: list of ``Irreps``, one per index; ``irreps_out``: ``Irreps`` (sorted);
        ``change_of_basis``: buffer ``(irreps_out.dim, *dims)`` with orthonormal rows.

    Shapes: ``forward(x_1, ..., x_n)`` with ``x_k`` of shape ``(..., dims[k])`` (broadcast)
    returns ``(..., irreps_out.dim)``: :math:`Q_{z\,a b \dots} x_{1,a} x_{2,b} \cdots`.

    Raises:
        ValueError: malformed formula, inconsistent or missing irreps, contradictory signs,
            or nothing left after the filters.
    """

    def __init__(
        self,
        formula: str,
        filter_ir_out: Optional[Sequence[Any]] = None,
        filter_ir_mid: Optional[Sequence[Any]] = None,
        eps: float = 1e-9,
        **irreps: Any,
    ) -> None:
        super().__init__()
        irreps_in, irreps_out, q = reduced_basis(formula, filter_ir_out, filter_ir_mid, eps, **irreps)
        self.formula = formula
        self.irreps_in = list(irreps_in)
        self.irreps_out = irreps_out
        self.register_buffer("change_of_basis", q.to(torch.get_default_dtype()))
        n = len(self.irreps_in)
        letters = string.ascii_letters[:n]
        self._equation = "Z" + letters + "," + ",".join("..." + c for c in letters) + "->...Z"

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        if len(xs) != len(self.irreps_in):
            raise ValueError(f"expected {len(self.irreps_in)} inputs for formula {self.formula!r}, got {len(xs)}")
        for k, (x, ir) in enumerate(zip(xs, self.irreps_in)):
            if x.shape[-1] != ir.dim:
                raise ShapeError(f"input {k} must have shape (..., {ir.dim}) for irreps {ir}, got {tuple(x.shape)}")
        return torch.einsum(self._equation, self.change_of_basis, *xs)

    def extra_repr(self) -> str:
        return f"{self.formula!r}, irreps_in={self.irreps_in}, irreps_out={self.irreps_out}"
