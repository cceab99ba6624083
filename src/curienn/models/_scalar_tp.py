r"""Fully connected tensor products with scalar node attributes, as one GEMM per irrep.

A :class:`~curienn.nn.FullyConnectedTensorProduct` ``x ⊗ z -> out`` whose second
input ``z`` is made of ``0e`` scalars (one-hot species, or the constant 1) has only
paths ``a -> o`` with ``ir_a = ir_o``, and their Clebsch-Gordan table is
``δ_ik / sqrt(2l+1)``. On the ``ir_mul`` blocks of :mod:`curienn.models._blocks`:

.. math::

    \text{out}_o[n, k, w] = \sum_{a \to o} \sum_{v, u}
        \big(z[n, v]\, x_a[n, k, u]\big)\; c_{avo}\, W_{avo}[u, v, w],

that is, per irrep ``l``: the outer product ``z ⊗ x_l`` ``(N, 2l+1, n_z, U)`` (none
when ``z`` is the constant 1) and one GEMM ``(N (2l+1), n_z U) @ (n_z U, Σ mul_o)``
(or, when there are fewer outputs than inputs, the GEMM first and then the sum over
``z``, whichever intermediate is smaller),
where ``x_l`` stacks every input block of irrep ``l`` (``U`` their multiplicities) and
the columns cover every output of irrep ``l`` of several tensor products sharing the
same inputs (``sc`` and ``lin1`` of a convolution). The weight matrix is gathered
from the modules' flat weights with a constant index map and scaled by constant
coefficients (path weight, Clebsch-Gordan value, any constant factor folded in by
the caller), so that it follows training and ``load_state_dict``.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import torch

from curienn.nn import FullyConnectedTensorProduct
from curienn.o3 import Irreps, wigner_3j

__all__ = ["ScalarAttrTP", "runs"]


def runs(irreps: Irreps) -> list:
    """Maximal runs of consecutive equal irreps: ``[(ir, [entry indices])]``."""
    out: list = []
    for i, (_, ir) in enumerate(irreps):
        if out and out[-1][0] == ir:
            out[-1][1].append(i)
        else:
            out.append((ir, [i]))
    return out


def _cg_scalar(l: int) -> float:
    """``wigner_3j(l, 0, l) = c * identity``: returns ``c`` (``1/sqrt(2l+1)``), checked."""
    cg = wigner_3j(l, 0, l, dtype=torch.float64)[:, 0, :]
    c = float(cg[0, 0])
    if not torch.allclose(cg, c * torch.eye(2 * l + 1, dtype=torch.float64), atol=1e-12):
        raise AssertionError(f"wigner_3j({l}, 0, {l}) is not proportional to the identity")
    return c


class ScalarAttrTP:
    """Tensor products ``tps`` (same inputs, scalar second input) as one GEMM per input irrep.

    Inputs are the blocks of the *runs* of ``irreps_in1`` (consecutive equal irreps
    stacked along the multiplicity axis, :func:`runs`); outputs are blocks of each
    ``irreps_out`` entry (views), multiplied by ``scales[t][o]``, ``None`` where no path
    reaches them. ``owner`` receives the index maps and coefficients as buffers.
    """

    @staticmethod
    def applies(tp: torch.nn.Module) -> bool:
        """Whether ``tp`` is a plain fully connected tensor product with ``0e`` second input."""
        return (type(tp) is FullyConnectedTensorProduct and tp.internal_weights and tp.shared_weights
                and all(ir.l == 0 and ir.p == 1 for _, ir in tp.irreps_in2))

    def __init__(self, tps: Sequence[FullyConnectedTensorProduct], scales: Sequence[Sequence[float]],
                 owner: torch.nn.Module, name: str) -> None:
        in1, in2 = tps[0].irreps_in1, tps[0].irreps_in2
        if any(tp.irreps_in1 != in1 or tp.irreps_in2 != in2 for tp in tps):
            raise AssertionError("the tensor products must share their inputs")
        self.name = name
        self.nz = in2.dim
        self.n_out = [len(tp.irreps_out) for tp in tps]
        z_off = [s.start for s in in2.slices()]
        base = 0
        self.runs: list = []  # per input run: (k, U, [(t, o, mul_o)]) or None
        entries = [(t, o, mul, ir) for t, tp in enumerate(tps) for o, (mul, ir) in enumerate(tp.irreps_out)]
        pieces: list = []  # per tp: {instruction index: (flat offset, mul_a, mul_b, mul_o)}
        for tp in tps:
            off, mine = base, {}
            for n, ins in enumerate(tp.instructions):
                m = (in1[ins.i_in1].mul, in2[ins.i_in2].mul, tp.irreps_out[ins.i_out].mul)
                mine[n] = (off,) + m
                off += m[0] * m[1] * m[2]
            pieces.append(mine)
            base = off
        for r, (ir, members) in enumerate(runs(in1)):
            outs = [(t, o, mul) for t, o, mul, ir_o in entries if ir_o == ir and mul > 0]
            u_off = [0]
            for a in members:
                u_off.append(u_off[-1] + in1[a].mul)
            width = sum(mul for *_, mul in outs)
            if not outs or u_off[-1] == 0:
                self.runs.append(None)
                continue
            idx = torch.zeros(self.nz, u_off[-1], width, dtype=torch.long)
            coef = torch.zeros(self.nz, u_off[-1], width, dtype=torch.float64)
            col = 0
            for t, o, mul_o in outs:
                for n, ins in enumerate(tps[t].instructions):
                    if ins.i_out != o or ins.i_in1 not in members:
                        continue
                    off, mul_a, mul_b, _ = pieces[t][n]
                    ua = u_off[members.index(ins.i_in1)]
                    flat = off + torch.arange(mul_a * mul_b * mul_o).view(mul_a, mul_b, mul_o)
                    v0 = z_off[ins.i_in2]
                    idx[v0:v0 + mul_b, ua:ua + mul_a, col:col + mul_o] = flat.transpose(0, 1)
                    c = ins.path_weight * _cg_scalar(ir.l) * scales[t][o]
                    coef[v0:v0 + mul_b, ua:ua + mul_a, col:col + mul_o] = c
                col += mul_o
            owner.register_buffer(f"{name}{r}_i", idx.flatten(), persistent=False)
            owner.register_buffer(f"{name}{r}_c", coef.view(-1, width).to(torch.get_default_dtype()),
                                  persistent=False)
            self.runs.append((ir.dim, u_off[-1], outs))

    def __call__(self, owner: torch.nn.Module, tps: Sequence[FullyConnectedTensorProduct],
                 x: List[Optional[torch.Tensor]], z: Optional[torch.Tensor]) -> list:
        """``tps`` (the modules this was built from), run blocks ``x`` ``(N, 2l+1, U)`` and
        ``z (N, n_z)`` (``None``: the constant 1) -> per module, blocks of its outputs."""
        flat = torch.cat([tp.weight for tp in tps]) if len(tps) > 1 else tps[0].weight
        out: list = [[None] * n for n in self.n_out]
        for r, (run, xr) in enumerate(zip(self.runs, x)):
            if run is None or xr is None:
                continue
            k, U, outs = run
            coef = getattr(owner, f"{self.name}{r}_c")
            W = flat.index_select(0, getattr(owner, f"{self.name}{r}_i")).view(coef.shape) * coef.to(flat.dtype)
            n, width = xr.shape[0], W.shape[1]
            if z is None:
                Y = (xr.reshape(n * k, U) @ W).view(n, k, width)
            elif width < U:  # contract the inputs first, then z: the smaller intermediate
                Wz = W.view(self.nz, U, width).transpose(0, 1).reshape(U, self.nz * width)
                Y = (xr.reshape(n * k, U) @ Wz).view(n, k, self.nz, width)
                Y = (Y * z[:, None, :, None]).sum(2)
            else:  # outer product with z, then one GEMM
                A = z[:, None, :, None] * xr.unsqueeze(2)  # (N, k, n_z, U)
                Y = (A.reshape(n * k, self.nz * U) @ W).view(n, k, width)
            sizes = [mul for *_, mul in outs]
            for (t, o, _), y in zip(outs, Y.split(sizes, dim=2) if len(sizes) > 1 else [Y]):
                out[t][o] = y
        return out
