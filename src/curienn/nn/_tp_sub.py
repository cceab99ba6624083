"""Tensor products with preset instructions: fully connected, full, elementwise, square."""

from __future__ import annotations

from math import prod
from typing import Iterable, Optional

import torch

from .. import o3
from ..o3 import InvalidArgumentError
from ._tp_base import TensorProduct

__all__ = ["FullyConnectedTensorProduct", "FullTensorProduct", "ElementwiseTensorProduct", "TensorSquare"]


def _filter(filter_ir_out, name: str = "filter_ir_out") -> Optional[list]:
    if filter_ir_out is None:
        return None
    try:
        return [o3.Irrep(ir) for ir in filter_ir_out]
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} (={filter_ir_out!r}) must be an iterable of Irrep") from exc



def align_multiplicities(irreps1, irreps2) -> list:
    """Split the multiplicities of two simplified irreps with the same ``num_irreps`` so
    that their irreps line up one to one: ``[(mul, ir1, ir2), ...]``.

    ``3x0e`` against ``1x1o+2x2e`` gives ``[(1, 0e, 1o), (2, 0e, 2e)]``. Used by
    :class:`ElementwiseTensorProduct` and :class:`~curienn.nn.Gate`.
    """
    a = [[mul, ir] for mul, ir in irreps1 if mul > 0]
    b = [[mul, ir] for mul, ir in irreps2 if mul > 0]
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        mul = min(a[i][0], b[j][0])
        out.append((mul, a[i][1], b[j][1]))
        a[i][0] -= mul
        b[j][0] -= mul
        i += a[i][0] == 0
        j += b[j][0] == 0
    return out

class FullyConnectedTensorProduct(TensorProduct):
    r"""Every allowed path ``(i1, i2, i_out)``, each with its own ``uvw`` weights.

    .. math:: z_{w k} = \sum_{\text{paths}} c \sum_{uv} W_{uvw} \sum_{ij} C_{ijk} x_{ui} y_{vj}

    Args:
        irreps_in1, irreps_in2, irreps_out: irreps of ``x``, ``y`` and the output.
        irrep_normalization, path_normalization, **kwargs: as for :class:`TensorProduct`.
    """

    def __init__(self, irreps_in1, irreps_in2, irreps_out, irrep_normalization: Optional[str] = None,
                 path_normalization: Optional[str] = None, **kwargs) -> None:
        irreps_in1, irreps_in2, irreps_out = o3.Irreps(irreps_in1), o3.Irreps(irreps_in2), o3.Irreps(irreps_out)
        instr = [
            (i_1, i_2, i_out, "uvw", True, 1.0)
            for i_1, (_, ir_1) in enumerate(irreps_in1)
            for i_2, (_, ir_2) in enumerate(irreps_in2)
            for i_out, (_, ir_out) in enumerate(irreps_out)
            if ir_out in ir_1 * ir_2
        ]
        super().__init__(irreps_in1, irreps_in2, irreps_out, instr, irrep_normalization=irrep_normalization,
                         path_normalization=path_normalization, **kwargs)


class ElementwiseTensorProduct(TensorProduct):
    r"""Tensor product of the ``n``-th irrep of ``x`` with the ``n``-th irrep of ``y`` (``uuu``, no weights).

    Both inputs are simplified and their multiplicities split so that they align; the
    output lists every ``ir1 x ir2`` product in order (not sorted).

    Args:
        irreps_in1, irreps_in2: irreps with the same total number of irreps.
        filter_ir_out: keep only these output irreps.
        irrep_normalization, **kwargs: as for :class:`TensorProduct`.
    """

    def __init__(self, irreps_in1, irreps_in2, filter_ir_out: Optional[Iterable] = None,
                 irrep_normalization: Optional[str] = None, **kwargs) -> None:
        irreps_in1 = o3.Irreps(irreps_in1).simplify()
        irreps_in2 = o3.Irreps(irreps_in2).simplify()
        filter_ir_out = _filter(filter_ir_out)
        if irreps_in1.num_irreps != irreps_in2.num_irreps:
            raise InvalidArgumentError(f"{irreps_in1} and {irreps_in2} have different numbers of irreps "
                             f"({irreps_in1.num_irreps} != {irreps_in2.num_irreps})")
        aligned = align_multiplicities(irreps_in1, irreps_in2)
        in1 = [(mul, ir_1) for mul, ir_1, _ in aligned]
        in2 = [(mul, ir_2) for mul, _, ir_2 in aligned]
        out, instr = [], []
        for i, (mul, ir_1, ir_2) in enumerate(aligned):
            for ir in ir_1 * ir_2:
                if filter_ir_out is not None and ir not in filter_ir_out:
                    continue
                instr.append((i, i, len(out), "uuu", False))
                out.append((mul, ir))
        super().__init__(in1, in2, out, instr, irrep_normalization=irrep_normalization, **kwargs)


class FullTensorProduct(TensorProduct):
    r"""All products ``ir1 x ir2 -> ir_out`` of every pair of irreps, without weights (``uvuv``).

    Inputs are simplified; the output irreps ``(mul1*mul2, ir_out)`` are sorted (the
    paths follow the permutation).

    Args:
        irreps_in1, irreps_in2: irreps of ``x`` and ``y``.
        filter_ir_out: keep only these output irreps.
        irrep_normalization, **kwargs: as for :class:`TensorProduct`.
    """

    def __init__(self, irreps_in1, irreps_in2, filter_ir_out: Optional[Iterable] = None,
                 irrep_normalization: Optional[str] = None, **kwargs) -> None:
        irreps_in1 = o3.Irreps(irreps_in1).simplify()
        irreps_in2 = o3.Irreps(irreps_in2).simplify()
        filter_ir_out = _filter(filter_ir_out)
        out, instr = [], []
        for i_1, (mul_1, ir_1) in enumerate(irreps_in1):
            for i_2, (mul_2, ir_2) in enumerate(irreps_in2):
                for ir_out in ir_1 * ir_2:
                    if filter_ir_out is not None and ir_out not in filter_ir_out:
                        continue
                    instr.append((i_1, i_2, len(out), "uvuv", False))
                    out.append((mul_1 * mul_2, ir_out))
        out, p, _ = o3.Irreps(out).sort()
        instr = [(i_1, i_2, p[i_out], mode, train) for i_1, i_2, i_out, mode, train in instr]
        super().__init__(irreps_in1, irreps_in2, out, instr, irrep_normalization=irrep_normalization, **kwargs)


def _alphas(ir_1, ir_2, ir_out, irrep_normalization: str) -> tuple[float, float]:
    """(alpha of the off-diagonal paths, alpha of the diagonal uuu/uuw path for even l_out)."""
    alpha = {"component": ir_out.dim, "norm": ir_1.dim * ir_2.dim, "none": 1}[irrep_normalization]
    diag = alpha
    if irrep_normalization == "component":
        diag = ir_out.dim / (ir_1.dim + 2) if ir_out.l == 0 else ir_out.dim / 2
    elif irrep_normalization == "norm":
        diag = ir_out.dim * ir_1.dim if ir_out.l == 0 else ir_1.dim * (ir_1.dim + 2) / 2
    return alpha, diag


class TensorSquare(TensorProduct):
    r"""Tensor product of ``x`` with itself, keeping each independent product once.

    Pairs of distinct irreps use ``uvuv`` (or ``uvw`` with ``irreps_out``), pairs of
    copies of one irrep use ``uvu<v`` (``u<vw``), and the diagonal ``u = v`` enters
    through ``uuu`` (``uuw``) for even ``l_out`` only, with the normalization
    ``α = d_out/(d_in+2)`` (``l_out = 0``) or ``d_out/2`` (component) that makes every
    output component of unit variance for normal inputs (e3nn 0.6.0's choice).

    Args:
        irreps_in: irreps of ``x`` (simplified).
        irreps_out: weighted fully connected output; if ``None``, the full square
            (sorted, unweighted).
        filter_ir_out: with ``irreps_out=None``, keep only these output irreps.
        irrep_normalization: ``'component'`` (default), ``'norm'`` or ``'none'``.

    ``forward(x, weight=None)``: ``x (..., irreps_in.dim)`` -> ``(..., irreps_out.dim)``.
    """

    def __init__(self, irreps_in, irreps_out=None, filter_ir_out: Optional[Iterable] = None,
                 irrep_normalization: Optional[str] = None, **kwargs) -> None:
        irrep_normalization = "component" if irrep_normalization is None else irrep_normalization
        if irrep_normalization not in ("component", "norm", "none"):
            raise InvalidArgumentError(f"irrep_normalization must be 'component', 'norm' or 'none', got {irrep_normalization!r}")
        irreps_in = o3.Irreps(irreps_in).simplify()
        filter_ir_out = _filter(filter_ir_out)
        instr = []
        if irreps_out is None:
            out = []
            for i_1, (mul_1, ir_1) in enumerate(irreps_in):
                for i_2, (mul_2, ir_2) in enumerate(irreps_in):
                    for ir_out in ir_1 * ir_2:
                        if filter_ir_out is not None and ir_out not in filter_ir_out:
                            continue
                        alpha, diag = _alphas(ir_1, ir_2, ir_out, irrep_normalization)
                        if i_1 < i_2:
                            instr.append((i_1, i_2, len(out), "uvuv", False, alpha))
                            out.append((mul_1 * mul_2, ir_out))
                        elif i_1 == i_2:
                            if mul_1 > 1:
                                instr.append((i_1, i_1, len(out), "uvu<v", False, alpha))
                                out.append((mul_1 * (mul_1 - 1) // 2, ir_out))
                            if ir_out.l % 2 == 0:
                                instr.append((i_1, i_1, len(out), "uuu", False, diag))
                                out.append((mul_1, ir_out))
            irreps_out, p, _ = o3.Irreps(out).sort()
            instr = [(i_1, i_2, p[i_out], mode, train, alpha) for i_1, i_2, i_out, mode, train, alpha in instr]
        else:
            if filter_ir_out is not None:
                raise ValueError("Both `irreps_out` and `filter_ir_out` are not None, this is ambiguous.")
            irreps_out = o3.Irreps(irreps_out).simplify()
            for i_1, (mul_1, ir_1) in enumerate(irreps_in):
                for i_2, (_, ir_2) in enumerate(irreps_in):
                    for i_out, (_, ir_out) in enumerate(irreps_out):
                        if ir_out not in ir_1 * ir_2:
                            continue
                        alpha, diag = _alphas(ir_1, ir_2, ir_out, irrep_normalization)
                        if i_1 < i_2:
                            instr.append((i_1, i_2, i_out, "uvw", True, alpha))
                        elif i_1 == i_2:
                            if mul_1 > 1:
                                instr.append((i_1, i_1, i_out, "u<vw", True, alpha))
                            if ir_out.l % 2 == 0:
                                instr.append((i_1, i_1, i_out, "uuw", True, diag))
        self.irreps_in = irreps_in
        super().__init__(irreps_in, irreps_in, irreps_out, instr, irrep_normalization="none", **kwargs)

    def __repr__(self) -> str:
        npath = sum(prod(i.path_shape) for i in self.instructions)
        return (f"{self.__class__.__name__}({self.irreps_in} -> {self.irreps_out.simplify()} "
                f"| {npath} paths | {self.weight_numel} weights)")

    def forward(self, x: torch.Tensor, weight=None) -> torch.Tensor:  # type: ignore[override]
        """``x (..., irreps_in.dim)`` -> ``(..., irreps_out.dim)``."""
        return super().forward(x, x, weight)
