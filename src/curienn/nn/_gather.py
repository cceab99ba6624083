"""Row gathers for the tensor-product and linear kernels (:mod:`curienn.nn._tp_plan`).

A gather ``out[:, i] = src[:, idx[i]]`` whose index map is injective on the rows
that matter has the inverse gather as its backward: cheap, and itself
differentiable, so second derivatives work. :class:`_GatherIndex` holds such a
static map (and its inverse) as buffers of the module that owns it.
"""

from __future__ import annotations

import torch

__all__: list[str] = []


class _Gather(torch.autograd.Function):
    """Row gather ``out[:, i] = src[:, idx[i]]`` along dim 1 (``idx[i] == n``: a zero row).

    ``idx`` is injective on the rows that matter, so the backward is the same gather
    with the inverse map ``inv`` (``inv[j]`` = where row ``j`` went, or the zero row):
    cheap, and itself differentiable (second derivatives work).
    """

    @staticmethod
    def forward(ctx, src, idx, inv, pad: bool, pad_inv: bool):  # type: ignore[override]
        ctx.save_for_backward(idx, inv)
        ctx.pads = (pad, pad_inv)
        return _gather(src, idx, pad)

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        idx, inv = ctx.saved_tensors
        pad, pad_inv = ctx.pads
        return _Gather.apply(grad, inv, idx, pad_inv, pad), None, None, None, None


def _gather(src: torch.Tensor, idx: torch.Tensor, pad: bool) -> torch.Tensor:
    if pad:
        src = torch.cat([src, src.new_zeros((src.shape[0], 1) + src.shape[2:])], dim=1)
    return src.index_select(1, idx)


class _SplitGather(torch.autograd.Function):
    """Several row gathers of one source whose row sets are disjoint: ``src[:, idx_n]`` for each n.

    The backward concatenates the gradients and applies one inverse gather
    (:class:`_Gather`), instead of one padded gather per output plus their sum.
    """

    @staticmethod
    def forward(ctx, src, inv, idx_cat, pad_inv: bool, sizes: tuple):  # type: ignore[override]
        ctx.save_for_backward(inv, idx_cat)
        ctx.pad_inv = pad_inv
        ctx.shapes = [(src.shape[0], n) + tuple(src.shape[2:]) for n in sizes]
        return tuple(src.index_select(1, idx) for idx in idx_cat.split(list(sizes)))

    @staticmethod
    def backward(ctx, *grads):  # type: ignore[override]
        inv, idx_cat = ctx.saved_tensors
        like = next(g for g in grads if g is not None)
        grads = [g if g is not None else like.new_zeros(shape) for g, shape in zip(grads, ctx.shapes)]
        g = torch.cat(grads, dim=1) if len(grads) > 1 else grads[0]
        return _Gather.apply(g, inv, idx_cat, ctx.pad_inv, False), None, None, None, None


class _GatherIndex:
    """Static row-gather map; ``-1`` in ``idx`` means a zero row.

    ``zero_rows``: rows of the source that are identically zero (used as padding, and
    whose gradient is irrelevant, so the inverse map may point anywhere for them).
    """

    def __init__(self, owner_tensors: dict, name: str, idx: list[int], n_src: int, zero_rows: tuple = ()) -> None:
        self.name = name
        m = len(idx)
        zero = zero_rows[0] if zero_rows else n_src
        self.pad = any(i < 0 for i in idx) and not zero_rows
        fwd = [zero if i < 0 else i for i in idx]
        used = {i: k for k, i in enumerate(idx) if i >= 0}
        inv = []
        for j in range(n_src):
            if j in used:
                inv.append(used[j])
            elif j in zero_rows:
                inv.append(0 if m else m)
            else:
                inv.append(m)
        self.pad_inv = m in inv
        owner_tensors[name] = torch.tensor(fwd, dtype=torch.long)
        owner_tensors[name + "_inv"] = torch.tensor(inv, dtype=torch.long)

    def __call__(self, owner: torch.nn.Module, src: torch.Tensor) -> torch.Tensor:
        idx = getattr(owner, "_tp_" + self.name)
        inv = getattr(owner, "_tp_" + self.name + "_inv")
        return _Gather.apply(src, idx, inv, self.pad, self.pad_inv)
