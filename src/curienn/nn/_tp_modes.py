"""Weight stage of one tensor-product path per connection mode (used by :class:`TPPlan`
for the paths not grouped into matrix products): ``T_p`` -> ``(Z, w, k)``."""

from __future__ import annotations

import torch

__all__: list[str] = []


def _weight(wp: torch.Tensor, Z: int, shape: tuple, shared: bool) -> torch.Tensor:
    return wp.view(shape) if shared else wp.view((Z,) + shape)


def elementwise(p, Tp: torch.Tensor, wp, Z: int, shared: bool, owner: torch.nn.Module) -> torch.Tensor:
    """Weight stage of one path ``p`` (a ``_Path``) from its ``T_p``; ``wp`` its weights (flat,
    ``(numel,)`` shared or ``(Z, numel)``); returns ``(Z, w, k)``."""
    mode, u, v, k = p.mode, p.u, p.v, p.d3
    if mode == "uvw":
        A = Tp.reshape(Z, u * v, k)
        if shared:
            return torch.matmul(A.transpose(1, 2), wp.view(u * v, p.w)).transpose(1, 2)
        return torch.bmm(wp.view(Z, u * v, p.w).transpose(1, 2), A)
    if mode == "uvu":
        if p.has_weight:
            return (Tp * _weight(wp, Z, (u, v), shared).unsqueeze(-1)).sum(2)
        return Tp.sum(2)
    if mode == "uvv":
        if p.has_weight:
            return (Tp * _weight(wp, Z, (u, v), shared).unsqueeze(-1)).sum(1)
        return Tp.sum(1)
    if mode == "uvuv":
        if p.has_weight:
            Tp = Tp * _weight(wp, Z, (u, v), shared).unsqueeze(-1)
        return Tp.reshape(Z, u * v, k)
    if mode in ("uvu<v", "u<vw"):
        Tq = Tp.reshape(Z, u * v, k).index_select(1, getattr(owner, f"_tp_triu_{p.index}"))
        q = Tq.shape[1]
        if mode == "uvu<v":
            if p.has_weight:
                Tq = Tq * _weight(wp, Z, (q,), shared).unsqueeze(-1)
            return Tq
        W = _weight(wp, Z, (q, p.w), shared)
        return torch.matmul(W.transpose(-1, -2), Tq)
    if mode == "uuu":
        if p.has_weight:
            return Tp * _weight(wp, Z, (u,), shared).unsqueeze(-1)
        return Tp
    if mode == "uuw":
        if p.has_weight:
            W = _weight(wp, Z, (u, p.w), shared)
            return torch.matmul(W.transpose(-1, -2), Tp)
        return Tp.sum(1, keepdim=True)
    raise ValueError(f"unknown connection mode {mode!r}")
