r"""Execution plan of a :class:`~curienn.nn.TensorProduct`: constants built once, eager kernels.

A path ``p = (a, b, o)`` couples input-1 irrep ``a`` (``u`` copies of dimension ``d1``)
with input-2 irrep ``b`` (``v`` copies of ``d2``) into output irrep ``o`` (``w`` copies
of ``d3``):

.. math::

    T_p[z, u, v, k] = c_p \sum_{ij} C_p[i, j, k]\, x_a[z, u, i]\, y_b[z, v, j]

followed by a mode-specific weight contraction (``uvw``: ``out[z,w,k] += Σ_uv W[u,v,w]
T[z,u,v,k]``, ...).  The outer product ``x ⊗ y`` is never formed.

Paths with ``v = 1`` (the usual case: the second input holds spherical harmonics) of
all modes share one Clebsch-Gordan stage, per group of paths with equal ``u``:

1. ``M[z, (p, k), i] = c_p Σ_j C_p[i, j, k] y_b[z, j]`` -- one dense matmul ``y @ G1``
   for every path at once (``G1`` is a constant table built from the cached sparse
   Clebsch-Gordan coefficients);
2. ``T^T[z, (p, k), u] = Σ_i M[z, (p, k), i] x_a[z, u, i]`` -- one batched matmul for
   the group (or one per input irrep when the block-sparse version would waste more
   multiply-adds); the last row of ``T^T`` is zero and serves as padding.

The weight stage then gathers whole rows of ``T^T`` (``_Gather``, a custom autograd
function whose backward is the inverse gather, so it is cheap and twice
differentiable):

* shared ``uvw`` weights: per output irrep ``A[z, k, (p, u)]`` and one GEMM
  ``(z k) × (p u)`` by ``(p u) × w`` for all its paths;
* per-sample ``uvw`` weights: per run of consecutive instructions with equal ``u`` and
  ``w``, ``A[z, (o, k), (p, u)]`` (zero where path ``p`` does not feed ``o``) and one
  batched matmul with the flat weight tensor read in place -- its layout is exactly
  ``(p u) × w`` per sample, and the weight gradient comes out contiguous;
* weighted ``uvu`` paths with ``v = 1``: one product of the group's rows ``(p, k)`` with
  the weights repeated over ``k`` (a gather of a ``(Z, paths, u)`` stack), split per path;
* every other mode (and ``v > 1``) uses a cheap per-path contraction.

On CPU a large batch runs in chunks (:meth:`TPPlan.chunk_size`) so that the
temporaries are reused from the heap instead of being page-faulted in on every call.

Slicing uses ``split`` (one backward node) rather than ``narrow`` (whose backward
zero-fills the whole source each time).  Everything is eager PyTorch with Python
control flow fixed at construction: it traces under ``torch.compile(fullgraph=True)``
and autograd gives first and second derivatives.
"""

from __future__ import annotations

from math import prod
from typing import NamedTuple, Optional

import torch

from .. import o3
from ._gather import _GatherIndex, _SplitGather
from ._tp_modes import elementwise

__all__: list[str] = []

_UV_MODES = ("uvw", "uvu", "uvv", "uvuv", "uvu<v", "u<vw")
_CHUNK_BYTES = 2 << 20  # largest temporary of one batch chunk, on CPU (cache-sized: 20-30% faster
# than 16 MiB for a uvu product of 32x(0e+1o+2e), float32, one thread)
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
    idx, val = o3.wigner_3j_sparse(l1, l2, l3)
    out = torch.zeros(2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1, dtype=torch.float64)
    out[idx[:, 0], idx[:, 1], idx[:, 2]] = val
    return out


class _UGroup(NamedTuple):
    """``uv`` paths with ``v = 1`` and the same ``u``: ``T^T (Z, rows, u)`` with rows ``(p, k)`` + a zero row."""

    u: int
    single: bool  # one bmm over all input irreps (block-sparse M) or one per input irrep
    a_info: list  # [(a, d1, K_a)]
    m_sizes: list  # column counts of this group's blocks of M = y @ G1
    row_sizes: list  # k of every path, in row order, then 1 (the zero row)
    paths: list  # paths in row order
    zero_row: int


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
        # M = y @ G1 (one matmul for everything); then per group of equal u,
        # T^T[z, (p, k), u] = sum_i M[z, (p, k), i] x_a[z, u, i] by batched matmul: one bmm over
        # all input irreps of the group (block-sparse M, "single") or one per input irrep,
        # whichever costs fewer multiply-adds.  Each group's T^T ends with a zero row.
        v1 = [p for p in paths if p.mode in _UV_MODES and p.v == 1]
        by_u: dict[int, dict[int, list[_Path]]] = {}
        for p in v1:
            by_u.setdefault(p.u, {}).setdefault(p.a, []).append(p)
        cols: list[torch.Tensor] = []
        self.groups: list[_UGroup] = []
        self.row_of: dict[int, tuple[int, int]] = {}  # path index -> (group, first row)
        for u, per_a in by_u.items():
            a_list = list(per_a)
            dims = [per_a[a][0].d1 for a in a_list]
            Ks = [sum(p.d3 for p in per_a[a]) for a in a_list]
            D1, NK = sum(dims), sum(Ks)
            single = u * D1 * NK <= sum(u * d * K for d, K in zip(dims, Ks)) + 4096 * (len(a_list) - 1)
            g = len(self.groups)
            ordered = [p for a in a_list for p in per_a[a]]
            if single:
                G = torch.zeros(self.dim2, NK + 1, D1, dtype=torch.float64)  # last row: zeros
                r = c = 0
                for a, d1 in zip(a_list, dims):
                    for p in per_a[a]:
                        G[y_off[p.b]:y_off[p.b] + p.d2, r:r + p.d3, c:c + d1] = cg(p).permute(1, 2, 0)
                        self.row_of[p.index] = (g, r)
                        r += p.d3
                    c += d1
                cols.append(G.reshape(self.dim2, (NK + 1) * D1))
                m_sizes = [(NK + 1) * D1]
            else:
                m_sizes, r = [], 0
                for a, d1, K in zip(a_list, dims, Ks):
                    G = torch.zeros(self.dim2, K, d1, dtype=torch.float64)
                    c = 0
                    for p in per_a[a]:
                        G[y_off[p.b]:y_off[p.b] + p.d2, c:c + p.d3, :] = cg(p).permute(1, 2, 0)
                        self.row_of[p.index] = (g, r + c)
                        c += p.d3
                    cols.append(G.reshape(self.dim2, K * d1))
                    m_sizes.append(K * d1)
                    r += K
            self.groups.append(_UGroup(u, single, list(zip(a_list, dims, Ks)), m_sizes,
                                       [p.d3 for p in ordered] + [1], ordered, NK))
        self.m_sizes = [m for grp in self.groups for m in grp.m_sizes]
        # x regrouped for the 'single' groups with several input irreps: X^T[z, (a, i), u] = x_a[z, u, i],
        # by one scalar gather (index_select is far faster than concatenating strided pieces)
        x_off = [s.start for s in irreps_in1.slices()]
        perm, self.xt_sizes, self.xt_of = [], [], {}
        for g, grp in enumerate(self.groups):
            if grp.single and len(grp.a_info) > 1:
                self.xt_of[g] = len(self.xt_sizes)
                n0 = len(perm)
                for a, d, _ in grp.a_info:
                    perm += [x_off[a] + uu * d + i for i in range(d) for uu in range(grp.u)]
                self.xt_sizes.append(len(perm) - n0)
        self.x_gather = _GatherIndex(self.tensors, "xperm", perm, self.dim1) if perm else None
        # outputs are accumulated as (k, w) blocks ("kw layout") and permuted to e3nn's (w, k) at the end
        out_off = [s.start for s in irreps_out.slices()]
        perm = []
        for o, (mul, d) in enumerate(self.out_blocks):
            perm += [out_off[o] + ww * d + kk for kk in range(d) for ww in range(mul)]
        inv = [0] * len(perm)
        for pos, j in enumerate(perm):
            inv[j] = pos  # out[:, j] = kw[:, inv[j]]
        self.out_gather = None
        if any(d > 1 and mul > 1 for mul, d in self.out_blocks):
            self.out_gather = _GatherIndex(self.tensors, "outperm", inv, self.dim_out)
        if cols:
            self.tensors["G1"] = torch.cat(cols, dim=1)

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
        elem_v1 = {p.index for p in self.elementwise if p.v == 1}
        # weighted uvu paths with v = 1 (a convolution's product with spherical harmonics): one
        # product of each group's rows (p, k) of T^T with the weights repeated over k
        uvu = [p for p in self.elementwise if p.mode == "uvu" and p.v == 1 and p.has_weight]
        self.elementwise = [p for p in self.elementwise if not (p.mode == "uvu" and p.v == 1 and p.has_weight)]
        self.uvu_groups: list[tuple[int, list[_Path], list[int], bool]] = []
        by_group: dict[int, list[_Path]] = {}
        for p in uvu:
            by_group.setdefault(self.row_of[p.index][0], []).append(p)
        for g, ps in by_group.items():
            ps.sort(key=lambda p: self.row_of[p.index][1])
            rows = [self.row_of[p.index][1] + kk for p in ps for kk in range(p.d3)]
            leading = rows == list(range(len(rows)))
            if not leading:
                self.tensors[f"uvu{g}_rows"] = torch.tensor(rows, dtype=torch.long)
            self.tensors[f"uvu{g}_w"] = torch.tensor([i for i, p in enumerate(ps) for _ in range(p.d3)],
                                                     dtype=torch.long)
            self.uvu_groups.append((g, ps, [p.d3 for p in ps], leading))
        self.need_t_views = bool(elem_v1 - {p.index for p in uvu})
        # rows of each group's T^T that other consumers need (their gather gradient must be 0 there)

        def gather(name: str, g: int, idx: list[int]) -> _GatherIndex:
            return _GatherIndex(self.tensors, name, idx, self.groups[g].zero_row + 1, (self.groups[g].zero_row,))

        # shared uvw: A[z, (k, p), u] per (output, group), then one GEMM against W (p u, w)
        self.uvw_shared: list[tuple[int, list, tuple, bool]] = []
        # per-sample uvw: runs of consecutive weighted instructions with the same u and w
        self.uvw_runs: list[tuple[int, list[_Path], list[int], _GatherIndex]] = []
        runs: list[list[_Path]] = []
        if shared_weights:
            by_g: dict[int, dict[int, list[_Path]]] = {}
            for p in grouped:
                by_g.setdefault(self.row_of[p.index][0], {}).setdefault(p.o, []).append(p)
            for g, by_o in by_g.items():
                n_src = self.groups[g].zero_row + 1
                sizes, idx_cat = [], []
                for o, ps in by_o.items():
                    idx = [self.row_of[p.index][1] + kk for kk in range(self.out_blocks[o][1]) for p in ps]
                    sizes.append(len(idx))
                    idx_cat += idx
                inv = [len(idx_cat)] * n_src
                for pos, r in enumerate(idx_cat):
                    inv[r] = pos
                inv[n_src - 1] = 0  # the zero row: its gradient is irrelevant
                pad_inv = len(idx_cat) in inv
                self.tensors[f"a{g}_cat"] = torch.tensor(idx_cat, dtype=torch.long)
                self.tensors[f"a{g}_inv"] = torch.tensor(inv, dtype=torch.long)
                self.uvw_shared.append((g, list(by_o.items()), tuple(sizes), pad_inv))
        else:
            for p in grouped:
                last = runs[-1][-1] if runs else None
                if last is not None and (last.w, last.u) == (p.w, p.u) and last.w_off + last.w_numel == p.w_off:
                    runs[-1].append(p)
                else:
                    runs.append([p])
        segs: list[tuple[int, int, object]] = []  # (start, size, key)
        for n, run in enumerate(runs):
            segs.append((run[0].w_off, run[-1].w_off + run[-1].w_numel - run[0].w_off, ("run", n)))
        in_run = {p.index for run in runs for p in run}
        for p in paths:
            if p.has_weight and p.index not in in_run:
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
            g = self.row_of[run[0].index][0]
            touched = sorted({p.o for p in run})
            idx = [self.row_of[p.index][1] + kk if p.o == o else -1
                   for o in touched for kk in range(self.out_blocks[o][1]) for p in run]
            self.uvw_runs.append((self.w_seg[("run", n)], run, touched, gather(f"run{n}", g, idx)))
        live_out = [o for o, (mul, d) in enumerate(self.out_blocks) if mul * d > 0]
        self.single_run = (len(self.uvw_runs) == 1 and not self.elementwise and not self.uvw_shared
                           and self.uvw_runs[0][2] == live_out)
        if elem_v1:  # rows read by per-path consumers must not receive gather gradients
            self._fix_inverse(elem_v1)

    def _fix_inverse(self, elem_v1: set) -> None:
        """Point the inverse map of rows used by per-path consumers to a zero row (padding)."""
        for entries in (self.uvw_runs,):
            for entry in entries:
                gi: _GatherIndex = entry[-1]
                g = self.row_of[entry[1][0].index][0]
                inv = self.tensors[gi.name + "_inv"]
                m = len(self.tensors[gi.name])
                for p in self.groups[g].paths:
                    if p.index in elem_v1:
                        r = self.row_of[p.index][1]
                        inv[r:r + p.d3] = m
                        gi.pad_inv = True

    def chunk_size(self, x: torch.Tensor) -> Optional[int]:
        """Samples per chunk for a large batch on CPU in eager mode, else ``None`` (one call).

        Fresh allocations above glibc's mmap threshold (32 MiB) are page-faulted in on every
        call, which costs more than the arithmetic of a tensor product; chunks of at most
        ``_CHUNK_BYTES`` per temporary are reused from the heap instead, and stay in cache.
        """
        if x.device.type != "cpu" or torch.compiler.is_compiling():
            return None
        width = max([self.dim1, self.dim2, self.dim_out, self.weight_numel]
                    + [(grp.zero_row + 1) * grp.u for grp in self.groups])
        step = max(1024, _CHUNK_BYTES // (max(width, 1) * x.element_size()))
        return None if step >= x.shape[0] else step

    # ------------------------------------------------------------------------------------
    def run(self, owner: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """``x (Z, dim1)``, ``y (Z, dim2)``, ``w`` (``(numel,)`` shared or ``(Z, numel)``) -> ``(Z, dim_out)``."""
        Z = x.shape[0]
        xs = x.split(self.x_sizes, dim=1) if len(self.x_sizes) > 1 else [x]
        ws = w.split(self.w_sizes, dim=-1) if len(self.w_sizes) > 1 else [w]
        T: dict[int, torch.Tensor] = {}  # path index -> T_p (Z, u, v, k), or (Z, u, k) for uu modes

        tt: list[torch.Tensor] = []  # per group: T^T (Z, rows, u), last row zero
        if self.groups:
            M = y @ _const(owner, "G1", x)
            Ms = M.split(self.m_sizes, dim=1) if len(self.m_sizes) > 1 else [M]
            if self.x_gather is not None:
                xp = self.x_gather(owner, x)
                xts = xp.split(self.xt_sizes, dim=1) if len(self.xt_sizes) > 1 else [xp]
            m = 0
            for g, grp in enumerate(self.groups):
                u = grp.u
                if grp.single:
                    D1 = sum(d for _, d, _ in grp.a_info)
                    if len(grp.a_info) > 1:
                        Xt = xts[self.xt_of[g]].view(Z, D1, u)
                    else:
                        Xt = xs[grp.a_info[0][0]].view(Z, u, D1).transpose(1, 2)  # (Z, D1, u)
                    tt.append(torch.bmm(Ms[m].view(Z, grp.zero_row + 1, D1), Xt))
                    m += 1
                else:
                    parts = []
                    for a, d, K in grp.a_info:
                        parts.append(torch.bmm(Ms[m].view(Z, K, d), xs[a].view(Z, u, d).transpose(1, 2)))
                        m += 1
                    parts.append(x.new_zeros(()).expand(Z, 1, u))
                    tt.append(torch.cat(parts, dim=1))
                if self.need_t_views:
                    for p, tp in zip(grp.paths, tt[-1].split(grp.row_sizes, dim=1)):
                        T[p.index] = tp.transpose(1, 2).unsqueeze(2)  # (Z, u, 1, k)

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

        outs: list[list[torch.Tensor]] = [[] for _ in self.out_blocks]  # each (Z, k, w)
        for g, by_o, sizes, pad_inv in self.uvw_shared:
            As = _SplitGather.apply(tt[g], getattr(owner, f"_tp_a{g}_inv"), getattr(owner, f"_tp_a{g}_cat"), pad_inv,
                                    sizes)
            for (o, ps), A in zip(by_o, As):  # A: (Z, k * P, u) = (Z, k, (p, u))
                k, Q = self.out_blocks[o][1], len(ps) * self.groups[g].u
                W = [ws[self.w_seg[("path", p.index)]].view(p.u, p.w) for p in ps]
                W = torch.cat(W, dim=0) if len(W) > 1 else W[0]
                outs[o].append((A.view(Z * k, Q) @ W).view(Z, k, ps[0].w))
        for seg, run, touched, gather in self.uvw_runs:
            g = self.row_of[run[0].index][0]
            ks = [self.out_blocks[o][1] for o in touched]
            Q = len(run) * self.groups[g].u
            A = gather(owner, tt[g]).view(Z, sum(ks), Q)
            R = torch.bmm(A, ws[seg].view(Z, Q, run[0].w))  # (Z, K, w)
            if self.single_run:  # R is already every output block in (k, w) layout
                kw = R.view(Z, self.dim_out)
                return self.out_gather(owner, kw) if self.out_gather is not None else kw
            Rs = R.split(ks, dim=1) if len(ks) > 1 else [R]
            for o, Ro in zip(touched, Rs):
                outs[o].append(Ro)
        for g, ps, sizes, leading in self.uvu_groups:
            n = sum(sizes)
            if leading:
                A = tt[g].split([n, tt[g].shape[1] - n], dim=1)[0]
            else:
                A = tt[g].index_select(1, getattr(owner, f"_tp_uvu{g}_rows"))
            W = torch.stack([ws[self.w_seg[("path", p.index)]] for p in ps], dim=-2)  # ([Z,] paths, u)
            msg = A * W.index_select(-2, getattr(owner, f"_tp_uvu{g}_w"))  # (Z, rows (p, k), u)
            for p, piece in zip(ps, msg.split(sizes, dim=1) if len(sizes) > 1 else [msg]):
                outs[p.o].append(piece)  # (Z, k, w = u)
        for p in self.elementwise:
            wp = ws[self.w_seg[("path", p.index)]] if p.has_weight else None
            outs[p.o].append(elementwise(p, T[p.index], wp, Z, self.shared, owner).transpose(1, 2))

        pieces = []  # kw layout
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
        kw = torch.cat(pieces, dim=1) if len(pieces) > 1 else pieces[0]
        return self.out_gather(owner, kw) if self.out_gather is not None else kw


def _const(owner: torch.nn.Module, name: str, like: torch.Tensor | None) -> torch.Tensor:
    t = getattr(owner, "_tp_" + name)
    if like is not None and t.dtype != like.dtype:
        t = t.to(like.dtype)
    return t
