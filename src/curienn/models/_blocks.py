r"""The Network's internal layout: an irreps tensor as a list of ``ir_mul`` blocks.

Between its layers the gate-points :class:`~curienn.models.Network` keeps node
features not as one ``(N, irreps.dim)`` tensor in e3nn's ``mul_ir`` layout but as
one block per entry ``mul x ir`` of the irreps, each of shape ``(N, 2l+1, mul)``
(multiplicity last, as e3nn-jax's ``ir_mul``):

.. math:: \text{block}_a[n, k, u] = x[n,\ \text{offset}_a + u (2l_a+1) + k].

In this layout a map that mixes copies of one irrep is a single GEMM
``(N (2l+1), mul_in) @ (mul_in, mul_out)`` with no transposes, and a block can be
sliced along its multiplicities for free. The e3nn layout is produced only at the
public boundary (:func:`to_blocks`, :func:`from_blocks`).

:class:`BlockGate` is a :class:`~curienn.nn.Gate` on blocks (it calls the gate's
own activations, so it gives that module's numbers).
"""

from __future__ import annotations

from typing import List, Optional

import torch

from curienn.nn import Gate
from curienn.o3 import Irreps

__all__ = ["to_blocks", "from_blocks", "merge_runs", "BlockGate"]

Blocks = List[Optional[torch.Tensor]]  # None: a block known to be zero


def to_blocks(x: torch.Tensor, irreps: Irreps) -> Blocks:
    """``(N, irreps.dim)`` in e3nn's layout -> blocks ``(N, 2l+1, mul)`` (a copy for ``l > 0``)."""
    n = x.shape[0]
    pieces = x.split([mul_ir.dim for mul_ir in irreps], dim=1) if len(irreps) > 1 else [x]
    return [p.view(n, 1, mul) if ir.dim == 1 else p.view(n, mul, ir.dim).transpose(1, 2).contiguous()
            for p, (mul, ir) in zip(pieces, irreps)]


def from_blocks(blocks: Blocks, irreps: Irreps, like: torch.Tensor) -> torch.Tensor:
    """Blocks -> ``(N, irreps.dim)`` in e3nn's layout (``None`` blocks are zeros)."""
    n = like.shape[0]
    flat = []
    for b, (mul, ir) in zip(blocks, irreps):
        if b is None:
            flat.append(like.new_zeros(n, mul * ir.dim))
        else:
            flat.append(b.reshape(n, mul) if ir.dim == 1 else b.transpose(1, 2).reshape(n, mul * ir.dim))
    if not flat:
        return like.new_zeros(n, 0)
    return torch.cat(flat, dim=1) if len(flat) > 1 else flat[0]


def merge_runs(blocks: Blocks, irreps: Irreps) -> Blocks:
    """Blocks of ``irreps`` -> blocks of its runs of consecutive equal irreps (stacked along
    the multiplicity axis; no copy for a run of one entry)."""
    out: Blocks = []
    start = 0
    for i in range(1, len(irreps) + 1):
        if i == len(irreps) or irreps[i].ir != irreps[start].ir:
            group = blocks[start:i]
            if len(group) == 1:
                out.append(group[0])
            elif any(b is None for b in group):
                raise ValueError("merge_runs: a zero block inside a run")
            else:
                out.append(torch.cat(group, dim=2))
            start = i
    return out


class BlockGate:
    """A :class:`~curienn.nn.Gate` on blocks: input blocks of ``gate.irreps_in``, output blocks of
    ``gate.irreps_out`` (the gate's own activations; the gating product has coefficient 1)."""

    @staticmethod
    def applies(gate: torch.nn.Module) -> bool:
        """Whether ``gate`` is a :class:`~curienn.nn.Gate` whose gated irreps keep their split
        (one output entry per simplified gated entry: gates of a single parity per gated entry)."""
        if type(gate) is not Gate:
            return False
        n_gated_out = len(gate.irreps_out) - len(gate.act_scalars.irreps_out)
        return n_gated_out == len(gate.irreps_gated)

    def __init__(self, gate: Gate) -> None:
        parts = (gate.irreps_scalars, gate.irreps_gates, gate.irreps_gated)
        cat = sum(parts, Irreps([]))
        _, p, _ = cat.sort()
        # position of each sorted entry in the simplified blocks: (block, offset in mul)
        sorted_irreps = cat.sort().irreps
        where, block, offset = [], -1, 0
        for s, (mul, ir) in enumerate(sorted_irreps):
            if s == 0 or ir != sorted_irreps[s - 1].ir:
                block, offset = block + 1, 0
            where.append((block, offset, mul))
            offset += mul
        pieces = [where[p[i]] for i in range(len(cat))]
        n_s, n_g = len(parts[0]), len(parts[1])
        self.scalars = pieces[:n_s]
        self.gates = pieces[n_s:n_s + n_g]
        self.gated = pieces[n_s + n_g:]
        self.scalar_sizes = [mul for mul, _ in gate.act_scalars.irreps_out]
        # each output gated block: (gated piece, first gate column, mul)
        self.products = []
        col = 0
        for piece in self.gated:
            self.products.append((piece, col))
            col += piece[2]

    @staticmethod
    def _take(blocks: Blocks, piece: tuple) -> torch.Tensor:
        b, off, mul = piece
        x = blocks[b]
        return x if off == 0 and mul == x.shape[2] else x.narrow(2, off, mul)

    def _cat_scalars(self, blocks: Blocks, pieces: list) -> torch.Tensor:
        flat = [self._take(blocks, piece).flatten(1) for piece in pieces]
        return torch.cat(flat, dim=1) if len(flat) > 1 else flat[0]

    def __call__(self, gate: Gate, blocks: Blocks) -> Blocks:
        """``gate`` (the module this was built from), blocks of its input -> blocks of its output."""
        out: Blocks = []
        if self.scalars:
            s = gate.act_scalars(self._cat_scalars(blocks, self.scalars))
            n = s.shape[0]
            sizes = self.scalar_sizes
            out += [t.view(n, 1, t.shape[1]) for t in (s.split(sizes, dim=1) if len(sizes) > 1 else [s])]
        if not self.gated:
            return out
        g = gate.act_gates(self._cat_scalars(blocks, self.gates))
        gated_out = []
        for piece, col in self.products:
            y = self._take(blocks, piece)  # (N, 2l+1, mul)
            gated_out.append(y * g[:, None, col:col + piece[2]])
        return out + gated_out
