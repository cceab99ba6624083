r"""Layout changes between e3nn's ``mul_ir`` and per-irrep ``ir_mul`` blocks, one copy each way.

An irreps tensor ``x (Z, Σ mul (2l+1))`` in e3nn's layout holds, for entry ``b``,
``x[z, off_b + u (2l+1) + k]``. Its ``ir_mul`` block is ``X_b[z, k, u]`` ``(Z, 2l+1, mul)``:
there a map mixing the copies of one irrep is one GEMM ``(Z (2l+1), mul) @ (mul, mul')``.

:class:`MulIrToIrMul` splits ``x`` into contiguous blocks and :class:`IrMulToMulIr`
assembles blocks into one ``mul_ir`` tensor, each with a single pass over the data
(plain autograd would copy twice: once for the transposition and once for the split or
the concatenation). Each is the other's adjoint, so each one's backward is the other
and derivatives of any order work.
"""

from __future__ import annotations

import torch

__all__: list[str] = []


class MulIrToIrMul(torch.autograd.Function):
    """``x (Z, Σ m k)`` -> tuple of contiguous blocks ``(Z, k, m)``, ``layout = ((m, k), ...)``."""

    @staticmethod
    def forward(ctx, layout: tuple, x: torch.Tensor):  # type: ignore[override]
        ctx.layout = layout
        z, out, off = x.shape[0], [], 0
        for m, k in layout:
            out.append(x[:, off:off + m * k].reshape(z, m, k).transpose(1, 2).contiguous())
            off += m * k
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):  # type: ignore[override]
        like = next(g for g in grads if g is not None)
        grads = [g if g is not None else like.new_zeros(like.shape[0], k, m) for g, (m, k) in zip(grads, ctx.layout)]
        return None, IrMulToMulIr.apply(ctx.layout, *grads)


class IrMulToMulIr(torch.autograd.Function):
    """Blocks ``(Z, k, m)`` -> ``x (Z, Σ m k)`` in e3nn's layout, ``layout = ((m, k), ...)``."""

    @staticmethod
    def forward(ctx, layout: tuple, *blocks: torch.Tensor):  # type: ignore[override]
        ctx.layout = layout
        z = blocks[0].shape[0]
        out = blocks[0].new_empty(z, sum(m * k for m, k in layout))
        off = 0
        for (m, k), b in zip(layout, blocks):
            out[:, off:off + m * k].view(z, m, k).copy_(b.transpose(1, 2))
            off += m * k
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        return (None,) + MulIrToIrMul.apply(ctx.layout, grad)
