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


class _Gather(torch.autograd.Function):
    """``out[:, i] = src[:, idx[i]]`` (``idx[i] == n`` gives 0) for an injective ``idx``.

    Its backward is the same gather with the inverse map (``inv[j]`` = where column
    ``j`` went, or the zero column), so it is cheap and twice differentiable.
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
        src = torch.cat([src, src.new_zeros(src.shape[0], 1)], dim=1)
    return src.index_select(1, idx)


class _GatherIndex:
    """Static gather map ``out[:, i] = src[:, idx[i]]`` with ``-1`` meaning zero."""

    def __init__(self, owner_tensors: dict, name: str, idx: list[int], n_src: int) -> None:
        self.name = name
        t = torch.tensor(idx, dtype=torch.long)
        self.pad = bool((t < 0).any())
        t = torch.where(t < 0, torch.full_like(t, n_src), t)
        inv = torch.full((n_src,), len(idx), dtype=torch.long)
        live = t < n_src
        inv[t[live]] = torch.arange(len(idx))[live]
        self.pad_inv = bool((inv == len(idx)).any())
        owner_tensors[name] = t
        owner_tensors[name + "_inv"] = inv

    def __call__(self, owner: torch.nn.Module, src: torch.Tensor) -> torch.Tensor:
        idx = getattr(owner, "_tp_" + self.name)
        inv = getattr(owner, "_tp_" + self.name + "_inv")
        return _Gather.apply(src, idx, inv, self.pad, self.pad_inv)


class TPPlan:
    """Constants and static schedule for one tensor product (built once, cheap).

    ``tensors`` maps buffer names to constant tensors (float64 until the owner casts
    them); the owning module registers them as non-persistent buffers and passes
    itself to :meth:`run` so that ``.to(device, dtype)`` moves them.
    """

    def __init__(self, irreps_in1, irreps_in2, irreps_out, instructions, shared_weights: bool) -> None:
        self.shared = shared_weights
        self.dim1, self.dim2, self.dim_out = irreps_in1.dim, irreps_in2.dim, irreps_out.dim
        self.x_sizes = [mul * ir.dim for mul, ir in irreps_in1]
        self.y_sizes = [mul * ir.dim for mul, ir in irreps_in2]
        y_off = [s.start for s in irreps_in2.slices()]
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

        def cg(p: _Path) -> torch.Tensor:
            return _cg_dense(*ls[p.index]) * coef[p.index]  # (i, j, k)

        # --- stage 1 for the 'uv' paths with v = 1 ------------------------------------------
        # M = y @ G1 (one matmul); then per group of equal u, T = x_a . M_a by batched matmul,
        # either one bmm over all input irreps of the group (block-sparse M, "single") or
        # one per input irrep ("per_a"), whichever costs fewer multiply-adds.
        v1 = [p for p in paths if p.mode in _UV_MODES and p.v == 1]
        by_u: dict[int, dict[int, list[_Path]]] = {}
        for p in v1:
            by_u.setdefault(p.u, {}).setdefault(p.a, []).append(p)
        cols: list[torch.Tensor] = []  # column blocks of G1
        self.groups = []  # (kind, u, [(a, d1, K_a)], m_sizes, split_sizes(k of every path in column order))
        self.t_pos: dict[int, tuple[int, int]] = {}  # path index -> (flat base, stride of u) in T_all
        t_base = 0
        self.t_sizes: list[int] = []  # flat size of each T piece, in T_all order
        self.t_split: list[list[int]] = []  # per T piece, the k sizes of its paths
        self.t_paths: list[list[_Path]] = []
        for u, per_a in by_u.items():
            a_list = list(per_a)
            dims = [per_a[a][0].d1 for a in a_list]
            Ks = [sum(p.d3 for p in per_a[a]) for a in a_list]
            D1, NK = sum(dims), sum(Ks)
            single = u * D1 * NK <= sum(u * d * K for d, K in zip(dims, Ks)) + 4096 * (len(a_list) - 1)
            if single:
                G = torch.zeros(self.dim2, D1, NK, dtype=torch.float64)
                r = c = 0
                for a, d1 in zip(a_list, dims):
                    for p in per_a[a]:
                        G[y_off[p.b]:y_off[p.b] + p.d2, r:r + d1, c:c + p.d3] = cg(p).permute(1, 0, 2)
                        self.t_pos[p.index] = (t_base + c, NK)
                        c += p.d3
                    r += d1
                cols.append(G.reshape(self.dim2, D1 * NK))
                self.groups.append(("single", u, list(zip(a_list, dims, Ks)), [D1 * NK]))
                self.t_sizes.append(u * NK)
                self.t_split.append([p.d3 for a in a_list for p in per_a[a]])
                self.t_paths.append([p for a in a_list for p in per_a[a]])
                t_base += u * NK
            else:
                m_sizes = []
                for a, d1, K in zip(a_list, dims, Ks):
                    G = torch.zeros(self.dim2, d1, K, dtype=torch.float64)
                    c = 0
                    for p in per_a[a]:
                        G[y_off[p.b]:y_off[p.b] + p.d2, :, c:c + p.d3] = cg(p).permute(1, 0, 2)
                        self.t_pos[p.index] = (t_base + c, K)
                        c += p.d3
                    cols.append(G.reshape(self.dim2, d1 * K))
                    m_sizes.append(d1 * K)
                    self.t_sizes.append(u * K)
                    self.t_split.append([p.d3 for p in per_a[a]])
                    self.t_paths.append(per_a[a])
                    t_base += u * K
                self.groups.append(("per_a", u, list(zip(a_list, dims, Ks)), m_sizes))
        self.m_sizes = [m for g in self.groups for m in g[3]]
        if cols:
            self.tensors["G1"] = torch.cat(cols, dim=1)
        self.t_numel = t_base

        # --- stage 1 for every other path: its own table (d2, d1*d3) applied to y_b (Z*v, d2)
        self.other = [p for p in paths if not (p.mode in _UV_MODES and p.v == 1)]
        for p in self.other:
            self.tensors[f"G_{p.index}"] = cg(p).permute(1, 0, 2).reshape(p.d2, p.d1 * p.d3).contiguous()
        for p in paths:
            if p.mode in ("uvu<v", "u<vw"):
                iu = torch.triu_indices(p.u, p.v, 1)
                self.tensors[f"triu_{p.index}"] = iu[0] * p.v + iu[1]

        # --- stage 2: weights -------------------------------------------------------------
        grouped = [p for p in v1 if p.mode == "uvw"]
        self.elementwise = [p for p in paths if not (p.mode == "uvw" and p.v == 1)]
        self.need_t_views = any(p.v == 1 for p in self.elementwise)
        # weight segments: w.split(seg_sizes) once; each weighted path -> (segment, offset)
        self.uvw_shared: list[tuple[int, list[_Path], _GatherIndex]] = []
        self.uvw_runs: list[tuple[list[_Path], list[int], _GatherIndex]] = []
        runs: list[list[_Path]] = []
        if shared_weights:
            by_o: dict[int, list[_Path]] = {}
            for p in grouped:
                by_o.setdefault(p.o, []).append(p)
            for o, ps in by_o.items():
                idx = []
                for kk in range(self.out_blocks[o][1]):
                    for p in ps:
                        base, su = self.t_pos[p.index]
                        idx += [base + uu * su + kk for uu in range(p.u)]
                self.uvw_shared.append((o, ps, _GatherIndex(self.tensors, f"a{o}", idx, self.t_numel)))
        else:
            for p in grouped:
                last = runs[-1][-1] if runs else None
                if last is not None and last.w == p.w and last.w_off + last.w_numel == p.w_off:
                    runs[-1].append(p)
                else:
                    runs.append([p])
        segs: list[tuple[int, int, object]] = []  # (start, size, key)
        for run in runs:
            segs.append((run[0].w_off, run[-1].w_off + run[-1].w_numel - run[0].w_off, ("run", id(run))))
        for p in paths:
            if p.has_weight and not (runs and any(p in r for r in runs)):
                segs.append((p.w_off, p.w_numel, ("path", p.index)))
        segs.sort(key=lambda s: s[0])
        tiled, pos = [], 0
        for start, size, key in segs:
            if start > pos:
                tiled.append((pos, start - pos, None))
            tiled.append((start, size, key))
            pos = start + size
        if pos < self.weight_numel:
            tiled.append((pos, self.weight_numel - pos, None))
        self.w_sizes = [size for _, size, _ in tiled]
        self.w_seg = {key: i for i, (_, _, key) in enumerate(tiled) if key is not None}
        for n, run in enumerate(runs):
            touched = sorted({p.o for p in run})
            idx = []
            for o in touched:
                for kk in range(self.out_blocks[o][1]):
                    for p in run:
                        base, su = self.t_pos[p.index]
                        idx += [base + uu * su + kk if p.o == o else -1 for uu in range(p.u)]
            self.uvw_runs.append((run, touched, _GatherIndex(self.tensors, f"run{n}", idx, self.t_numel)))
        self.run_seg = [self.w_seg[("run", id(run))] for run in runs]

    # ------------------------------------------------------------------------------------
    def run(self, owner: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """``x (Z, dim1)``, ``y (Z, dim2)``, ``w`` (``(numel,)`` shared or ``(Z, numel)``) -> ``(Z, dim_out)``."""
        Z = x.shape[0]
        xs = x.split(self.x_sizes, dim=1) if len(self.x_sizes) > 1 else [x]
        ws = w.split(self.w_sizes, dim=-1) if len(self.w_sizes) > 1 else [w]
        T: dict[int, torch.Tensor] = {}  # path index -> T_p (Z, u, v, k), or (Z, u, k) for uu modes

        t_pieces: list[torch.Tensor] = []
        if self.groups:
            M = y @ _const(owner, "G1", x)
            Ms = M.split(self.m_sizes, dim=1) if len(self.m_sizes) > 1 else [M]
            m = 0
            for kind, u, a_info, _ in self.groups:
                if kind == "single":
                    D1 = sum(d for _, d, _ in a_info)
                    NK = sum(K for _, _, K in a_info)
                    xa = [xs[a].view(Z, u, d) for a, d, _ in a_info]
                    Xt = torch.cat(xa, dim=2) if len(xa) > 1 else xa[0]
                    t_pieces.append(torch.bmm(Xt, Ms[m].view(Z, D1, NK)))
                    m += 1
                else:
                    for a, d, K in a_info:
                        t_pieces.append(torch.bmm(xs[a].view(Z, u, d), Ms[m].view(Z, d, K)))
                        m += 1
            if self.need_t_views:
                for piece, sizes, ps in zip(t_pieces, self.t_split, self.t_paths):
                    for p, tp in zip(ps, piece.split(sizes, dim=2)):
                        T[p.index] = tp.unsqueeze(2)  # (Z, u, 1, k)
        t_all = None
        if t_pieces and (self.uvw_shared or self.uvw_runs):
            flat = [t.reshape(Z, -1) if Z else t.reshape(0, n) for t, n in zip(t_pieces, self.t_sizes)]
            t_all = torch.cat(flat, dim=1) if len(flat) > 1 else flat[0]

        if self.other:
            ys = y.split(self.y_sizes, dim=1) if len(self.y_sizes) > 1 else [y]
            for p in self.other:
                G = _const(owner, f"G_{p.index}", x)
                Mp = (ys[p.b].reshape(Z * p.v, p.d2) @ G).view(Z, p.v, p.d1, p.d3)
                xa = xs[p.a].view(Z, p.u, p.d1)
                if p.mode in _UU_MODES:
                    T[p.index] = (xa.unsqueeze(-1) * Mp).sum(2)  # (Z, u, k)
                else:
                    Mp = Mp.permute(0, 2, 1, 3).reshape(Z, p.d1, p.v * p.d3)
                    T[p.index] = torch.bmm(xa, Mp).view(Z, p.u, p.v, p.d3)

        outs: list[list[torch.Tensor]] = [[] for _ in self.out_blocks]  # each (Z, w, k)
        if self.uvw_shared:
            for o, ps, gather in self.uvw_shared:
                k = self.out_blocks[o][1]
                Ao = gather(owner, t_all)
                W = [ws[self.w_seg[("path", p.index)]].view(p.u, p.w) for p in ps]
                W = torch.cat(W, dim=0) if len(W) > 1 else W[0]
                outs[o].append((Ao.view(Z * k, W.shape[0]) @ W).view(Z, k, ps[0].w).transpose(1, 2))
        for (run, touched, gather), seg in zip(self.uvw_runs, self.run_seg):
            A = gather(owner, t_all)
            Q = sum(p.u for p in run)
            K = sum(self.out_blocks[o][1] for o in touched)
            R = torch.bmm(A.view(Z, K, Q), ws[seg].view(Z, Q, run[0].w))  # (Z, K, w)
            Rs = R.split([self.out_blocks[o][1] for o in touched], dim=1) if len(touched) > 1 else [R]
            for o, Ro in zip(touched, Rs):
                outs[o].append(Ro.transpose(1, 2))
        for p in self.elementwise:
            wp = ws[self.w_seg[("path", p.index)]] if p.has_weight else None
            outs[p.o].append(self._elementwise(owner, p, T[p.index], wp, Z))

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

    def _weight(self, wp: torch.Tensor, Z: int, shape: tuple[int, ...]) -> torch.Tensor:
        return wp.view(shape) if self.shared else wp.view((Z,) + shape)

    def _elementwise(self, owner, p: _Path, Tp: torch.Tensor, wp, Z: int) -> torch.Tensor:
        """Weight stage of one path; ``wp`` its weights; returns ``(Z, w, k)``."""
        mode, u, v, k = p.mode, p.u, p.v, p.d3
        if mode == "uvw":
            A = Tp.reshape(Z, u * v, k)
            if self.shared:
                return torch.matmul(A.transpose(1, 2), wp.view(u * v, p.w)).transpose(1, 2)
            return torch.bmm(wp.view(Z, u * v, p.w).transpose(1, 2), A)
        if mode == "uvu":
            if p.has_weight:
                return (Tp * self._weight(wp, Z, (u, v)).unsqueeze(-1)).sum(2)
            return Tp.sum(2)
        if mode == "uvv":
            if p.has_weight:
                return (Tp * self._weight(wp, Z, (u, v)).unsqueeze(-1)).sum(1)
            return Tp.sum(1)
        if mode == "uvuv":
            if p.has_weight:
                Tp = Tp * self._weight(wp, Z, (u, v)).unsqueeze(-1)
            return Tp.reshape(Z, u * v, k)
        if mode in ("uvu<v", "u<vw"):
            Tq = Tp.reshape(Z, u * v, k).index_select(1, _const(owner, f"triu_{p.index}", None))
            q = Tq.shape[1]
            if mode == "uvu<v":
                if p.has_weight:
                    Tq = Tq * self._weight(wp, Z, (q,)).unsqueeze(-1)
                return Tq
            W = self._weight(wp, Z, (q, p.w))
            return torch.matmul(W.transpose(-1, -2), Tq)
        if mode == "uuu":
            if p.has_weight:
                return Tp * self._weight(wp, Z, (u,)).unsqueeze(-1)
            return Tp
        if mode == "uuw":
            if p.has_weight:
                W = self._weight(wp, Z, (u, p.w))
                return torch.matmul(W.transpose(-1, -2), Tp)
            return Tp.sum(1, keepdim=True)
        raise ValueError(f"unknown connection mode {mode!r}")


def _const(owner: torch.nn.Module, name: str, like: torch.Tensor | None) -> torch.Tensor:
    t = getattr(owner, "_tp_" + name)
    if like is not None and t.dtype != like.dtype:
        t = t.to(like.dtype)
    return t
