r"""Execution plan of a :class:`~curienn.nn.TensorProduct`: constants built once, eager kernels.

A path ``p = (a, b, o)`` couples input-1 irrep ``a`` (``u`` copies of dimension ``d1``)
with input-2 irrep ``b`` (``v`` copies of ``d2``) into output irrep ``o`` (``w`` copies
of ``d3``):

.. math::

    T_p[z, u, v, k] = c_p \sum_{ij} C_p[i, j, k]\, x_a[z, u, i]\, y_b[z, v, j]

followed by a mode-specific weight contraction (``uvw``: ``out[z,w,k] += Σ_uv W[u,v,w]
T[z,u,v,k]``, ...).  We never form the outer product ``x ⊗ y``; ``T`` is computed as

1. ``M_p[z, v, i, k] = c_p Σ_j C_p[i, j, k] y_b[z, v, j]`` -- one dense matmul of ``y``
   with a constant table for all paths whose ``v = 1`` (the common case where the
   second input holds spherical harmonics), one per input-2 irrep otherwise;
2. ``T_p[z, u, (v, k)] = Σ_i x_a[z, u, i] M_p[z, i, (v, k)]`` -- one batched matmul per
   input-1 irrep for all its ``v = 1`` paths at once.

The weight stage groups paths: shared ``uvw`` weights become one GEMM per output irrep
(``(z k) × (p u v)`` by ``(p u v) × w``); per-sample ``uvw`` weights become one batched
matmul per run of consecutive instructions, ``out[z, (o k), w] = A[z, (o k), (p u v)]
W[z, (p u v), w]``, reading the flat weight tensor in place (its layout is exactly
``(p u v) × w``).  The remaining modes are cheap elementwise contractions per path.
Everything is plain eager PyTorch with Python control flow fixed at construction, so
it traces under ``torch.compile(fullgraph=True)`` and autograd gives first and second
derivatives.
"""

from __future__ import annotations

from math import prod
from typing import NamedTuple

import torch

__all__: list[str] = []

_UV_MODES = ("uvw", "uvu", "uvv", "uvuv", "uvu<v", "u<vw")
_UU_MODES = ("uuw", "uuu")


class _Path(NamedTuple):
    index: int  # instruction index
    mode: str
    has_weight: bool
    a: int
    b: int
    o: int
    u: int
    v: int
    w: int
    d1: int
    d2: int
    d3: int
    w_off: int  # offset of the weights in the flat weight vector (if has_weight)
    w_numel: int


def _cg_dense(l1: int, l2: int, l3: int) -> torch.Tensor:
    """Dense float64 ``wigner_3j(l1, l2, l3)`` from the cached sparse table."""
    from ..o3._wigner import _wigner_3j_sparse

    idx, val = _wigner_3j_sparse(l1, l2, l3)
    out = torch.zeros(2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1, dtype=torch.float64)
    out[idx[:, 0], idx[:, 1], idx[:, 2]] = val
    return out


class TPPlan:
    """Constants and static schedule for one tensor product (built once, cheap).

    ``tensors`` maps buffer names to constant tensors (float64 until the owner casts
    them); the owning module registers them as non-persistent buffers and passes
    itself to :meth:`run` so that ``.to(device, dtype)`` moves them.
    """

    def __init__(self, irreps_in1, irreps_in2, irreps_out, instructions, shared_weights: bool) -> None:
        self.shared = shared_weights
        self.dim1, self.dim2, self.dim_out = irreps_in1.dim, irreps_in2.dim, irreps_out.dim
        s1, s2 = irreps_in1.slices(), irreps_in2.slices()
        self.x_off = [s.start for s in s1]
        self.y_off = [s.start for s in s2]
        self.out_blocks = [(mul, ir.dim) for mul, ir in irreps_out]
        self.tensors: dict[str, torch.Tensor] = {}

        paths: list[_Path] = []
        off = 0
        for index, ins in enumerate(instructions):
            numel = prod(ins.path_shape) if ins.has_weight else 0
            m1, ir1 = irreps_in1[ins.i_in1]
            m2, ir2 = irreps_in2[ins.i_in2]
            mo, iro = irreps_out[ins.i_out]
            live = 0 not in ins.path_shape and m1 * ir1.dim > 0 and m2 * ir2.dim > 0 and mo * iro.dim > 0
            if live:
                paths.append(_Path(index, ins.connection_mode, ins.has_weight, ins.i_in1, ins.i_in2, ins.i_out,
                                   m1, m2, mo, ir1.dim, ir2.dim, iro.dim, off, numel))
            off += numel
        self.weight_numel = off
        self.paths = paths
        coef = {p.index: float(instructions[p.index].path_weight) for p in paths}
        ls = {p.index: (irreps_in1[p.a].ir.l, irreps_in2[p.b].ir.l, irreps_out[p.o].ir.l) for p in paths}

        # --- stage 1: M = y . C -------------------------------------------------------------
        # (a) 'uv' paths with v = 1: one matmul y @ G1, columns grouped by input-1 irrep a
        #     as (a, i, p, k), so that M_a = M[:, off:off+d1*K_a].view(Z, d1, K_a).
        v1 = [p for p in paths if p.mode in _UV_MODES and p.v == 1]
        groups: dict[int, list[_Path]] = {}
        for p in v1:
            groups.setdefault(p.a, []).append(p)
        ncol = sum(g[0].d1 * sum(p.d3 for p in g) for g in groups.values())
        G1 = torch.zeros(self.dim2, ncol, dtype=torch.float64)
        self.v1_groups = []  # (a, col_off, d1, K_a, [(path, k_off)])
        col = 0
        for a, g in groups.items():
            d1, K = g[0].d1, sum(p.d3 for p in g)
            k_off, members = 0, []
            for p in g:
                C = _cg_dense(*ls[p.index]) * coef[p.index]  # i j k
                blk = G1[self.y_off[p.b]:self.y_off[p.b] + p.d2, col:col + d1 * K].view(p.d2, d1, K)
                blk[:, :, k_off:k_off + p.d3] = C.permute(1, 0, 2)
                members.append((p, k_off))
                k_off += p.d3
            self.v1_groups.append((a, col, d1, K, members))
            col += d1 * K
        if ncol:
            self.tensors["G1"] = G1

        # (b) every other path: its own table (d2, d1*d3), applied to y_b viewed (Z*v, d2).
        self.other = [p for p in paths if not (p.mode in _UV_MODES and p.v == 1)]
        for p in self.other:
            C = _cg_dense(*ls[p.index]) * coef[p.index]
            self.tensors[f"G_{p.index}"] = C.permute(1, 0, 2).reshape(p.d2, p.d1 * p.d3).contiguous()

        # --- stage 2: weights -------------------------------------------------------------
        # shared uvw: one GEMM per output irrep over all its uvw paths
        self.uvw_shared: dict[int, list[_Path]] = {}
        # per-sample uvw: runs of consecutive weighted instructions with the same w
        self.uvw_runs: list[list[_Path]] = []
        self.elementwise: list[_Path] = []
        for p in paths:
            if p.mode == "uvw" and shared_weights:
                self.uvw_shared.setdefault(p.o, []).append(p)
            elif p.mode == "uvw":
                run = self.uvw_runs[-1] if self.uvw_runs else None
                if run is not None and run[-1].w == p.w and run[-1].w_off + run[-1].w_numel == p.w_off:
                    run.append(p)
                else:
                    self.uvw_runs.append([p])
            else:
                self.elementwise.append(p)
        for p in paths:
            if p.mode in ("uvu<v", "u<vw"):
                iu = torch.triu_indices(p.u, p.v, 1)
                self.tensors[f"triu_{p.index}"] = iu[0] * p.v + iu[1]

    # ------------------------------------------------------------------------------------
    def run(self, owner: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """``x (Z, dim1)``, ``y (Z, dim2)``, ``w`` (``(numel,)`` shared or ``(Z, numel)``) -> ``(Z, dim_out)``."""
        Z = x.shape[0]
        T: dict[int, torch.Tensor] = {}  # path index -> T_p (Z, u, v, k) (or (Z, u, k) for uu modes)

        if self.v1_groups:
            M = y @ _const(owner, "G1", x)
            for a, col, d1, K, members in self.v1_groups:
                u = members[0][0].u
                xa = x.narrow(1, self.x_off[a], u * d1).view(Z, u, d1)
                Ta = torch.bmm(xa, M.narrow(1, col, d1 * K).view(Z, d1, K))  # (Z, u, K)
                for p, k_off in members:
                    T[p.index] = Ta.narrow(2, k_off, p.d3).unsqueeze(2)  # (Z, u, 1, k)
        for p in self.other:
            G = _const(owner, f"G_{p.index}", x)
            yb = y.narrow(1, self.y_off[p.b], p.v * p.d2).reshape(Z * p.v, p.d2)
            xa = x.narrow(1, self.x_off[p.a], p.u * p.d1).view(Z, p.u, p.d1)
            Mp = (yb @ G).view(Z, p.v, p.d1, p.d3)
            if p.mode in _UU_MODES:
                T[p.index] = (xa.unsqueeze(-1) * Mp).sum(2)  # (Z, u, k)
            else:
                Mp = Mp.permute(0, 2, 1, 3).reshape(Z, p.d1, p.v * p.d3)
                T[p.index] = torch.bmm(xa, Mp).view(Z, p.u, p.v, p.d3)

        outs: list[list[torch.Tensor]] = [[] for _ in self.out_blocks]  # each (Z, w, k)

        for o, ps in self.uvw_shared.items():
            blocks = [T[p.index].reshape(Z, p.u * p.v, p.d3).transpose(1, 2) for p in ps]
            A = torch.cat(blocks, dim=2) if len(blocks) > 1 else blocks[0].contiguous()  # (Z, k, Q)
            W = torch.cat([w.narrow(0, p.w_off, p.w_numel).view(p.u * p.v, p.w) for p in ps], dim=0)  # (Q, w)
            outs[o].append(torch.matmul(A, W).transpose(1, 2))
        for run in self.uvw_runs:
            touched = sorted({p.o for p in run})
            rows = []
            for o in touched:
                k = self.out_blocks[o][1]
                blocks = []
                for p in run:
                    if p.o == o:
                        blocks.append(T[p.index].reshape(Z, p.u * p.v, k).transpose(1, 2))
                    else:
                        blocks.append(x.new_zeros(()).expand(Z, k, p.u * p.v))
                rows.append(torch.cat(blocks, dim=2) if len(blocks) > 1 else blocks[0])
            A = torch.cat(rows, dim=1) if len(rows) > 1 else rows[0]  # (Z, K, Q)
            first, last = run[0], run[-1]
            W = w.narrow(1, first.w_off, last.w_off + last.w_numel - first.w_off).view(Z, -1, first.w)
            R = torch.bmm(A, W)  # (Z, K, w)
            r = 0
            for o in touched:
                k = self.out_blocks[o][1]
                outs[o].append(R.narrow(1, r, k).transpose(1, 2))
                r += k
        for p in self.elementwise:
            outs[p.o].append(self._elementwise(owner, p, T[p.index], w, Z))

        pieces = []
        for (mul, d), contrib in zip(self.out_blocks, outs):
            if mul * d == 0:
                continue
            if not contrib:
                pieces.append(x.new_zeros(Z, mul * d))
                continue
            acc = contrib[0]
            for c in contrib[1:]:
                acc = acc + c
            pieces.append(acc.reshape(Z, mul * d))
        if not pieces:
            return x.new_zeros(Z, self.dim_out)
        return torch.cat(pieces, dim=1) if len(pieces) > 1 else pieces[0]

    def _weight(self, p: _Path, w: torch.Tensor, Z: int, shape: tuple[int, ...]) -> torch.Tensor:
        if self.shared:
            return w.narrow(0, p.w_off, p.w_numel).view(shape)
        return w.narrow(1, p.w_off, p.w_numel).view((Z,) + shape)

    def _elementwise(self, owner, p: _Path, Tp: torch.Tensor, w: torch.Tensor, Z: int) -> torch.Tensor:
        """Weight stage of one non-grouped path; returns ``(Z, w, k)``."""
        mode, u, v, k = p.mode, p.u, p.v, p.d3
        if mode == "uvw":  # not reached (grouped), kept for completeness
            W = self._weight(p, w, Z, (u * v, p.w))
            return torch.matmul(W.transpose(-1, -2), Tp.reshape(Z, u * v, k))
        if mode == "uvu":
            if p.has_weight:
                return (Tp * self._weight(p, w, Z, (u, v)).unsqueeze(-1)).sum(2)
            return Tp.sum(2)
        if mode == "uvv":
            if p.has_weight:
                return (Tp * self._weight(p, w, Z, (u, v)).unsqueeze(-1)).sum(1)
            return Tp.sum(1)
        if mode == "uvuv":
            if p.has_weight:
                Tp = Tp * self._weight(p, w, Z, (u, v)).unsqueeze(-1)
            return Tp.reshape(Z, u * v, k)
        if mode in ("uvu<v", "u<vw"):
            Tq = Tp.reshape(Z, u * v, k).index_select(1, _const(owner, f"triu_{p.index}", None))
            q = Tq.shape[1]
            if mode == "uvu<v":
                if p.has_weight:
                    Tq = Tq * self._weight(p, w, Z, (q,)).unsqueeze(-1)
                return Tq
            W = self._weight(p, w, Z, (q, p.w))
            return torch.matmul(W.transpose(-1, -2), Tq)
        if mode == "uuu":
            if p.has_weight:
                return Tp * self._weight(p, w, Z, (u,)).unsqueeze(-1)
            return Tp
        if mode == "uuw":
            if p.has_weight:
                W = self._weight(p, w, Z, (u, p.w))
                return torch.matmul(W.transpose(-1, -2), Tp)
            return Tp.sum(1, keepdim=True)
        raise ValueError(f"unknown connection mode {mode!r}")


def _const(owner: torch.nn.Module, name: str, like: torch.Tensor | None) -> torch.Tensor:
    t = getattr(owner, "_tp_" + name)
    if like is not None and t.dtype != like.dtype:
        t = t.to(like.dtype)
    return t
