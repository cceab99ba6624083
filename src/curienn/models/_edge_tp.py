r"""Fused message passing: gather, tensor product with per-edge weights, scatter, on blocks.

For the convolution's ``uvu`` tensor product of node features ``h`` with edge
harmonics ``Y`` (one copy of each irrep) and per-edge weights ``w``, the message of
path ``p = (a, b -> o)`` on edge ``e = (s \to d)`` and its sum over edges are

.. math::

    \text{msg}_p[e, k, u] &= w_p[e, u] \sum_i M_p[e, k, i]\, h_a[s, i, u],
    \qquad M_p[e, k, i] = c_p \sum_j C_p[i, j, k]\, Y_b[e, j],\\
    m_p[d, k, u] &= \sum_{e:\ \mathrm{dst}(e) = d} \text{msg}_p[e, k, u].

Execution, with node tensors in the ``ir_mul`` block layout
(:mod:`curienn.models._blocks`). The paths are grouped into *units*: the paths of
one input block, or of several input blocks of equal multiplicity ``u`` stacked
along the component axis (when the per-block matrices would be tiny). Per unit:

1. ``M = Y @ G``: one GEMM for all its paths (``G`` holds ``c_p C_p``, built once),
   ``(E, R, D)`` with rows ``(p, k)`` and columns the input components ``i``;
2. gather ``h[src]`` ``(E, D, u)`` and one batched matmul ``T = M @ h[src]``
   ``(E, R, u)`` (a broadcast product when ``D = 1``);
3. one elementwise product with the weights repeated over ``k`` and one
   ``index_add`` of the ``(E, R u)`` messages into the destination nodes.

Under ``torch.compile`` step 2 is written as a broadcast product and a sum over ``i``,
which inductor fuses with the gather into one loop (a batched matmul of tiny matrices
would stay a library call).

On CPU the edges go in chunks whose temporaries stay far below glibc's mmap
threshold (32 MiB): larger fresh allocations are page-faulted in on every call, which
costs more than the arithmetic, while smaller ones are reused from the heap. Neither
the ``x ⊗ y`` outer product nor a layout permutation of an edge-sized tensor is
formed; autograd gives first and second derivatives (force training).
"""

from __future__ import annotations

from typing import List, NamedTuple, Optional

import torch

from curienn.nn import TensorProduct
from curienn.o3 import wigner_3j

from ._scalar_tp import runs

__all__ = ["EdgeTP"]

_CHUNK_BYTES = 2 << 20  # largest edge temporary of one chunk, on CPU (cache-sized: measured
# 8% faster than 16 MiB at the NequIP size, 4% at the talk size, float32, one thread)
_TINY_BMM = 400  # torch's CPU bmm runs a scalar loop below this many multiply-adds per matrix


class _Unit(NamedTuple):
    blocks: list  # input blocks a, stacked along the component axis
    dim: int  # D = sum of their 2l+1
    mul: int  # u
    weights: tuple  # (start, stop) columns of the weights in the plan's order (the ``<name>_order`` buffer)
    n_rows: int  # R
    runs: list  # per output run present: (run, first row, 2l+1, number of paths)


class EdgeTP:
    """The plan of a convolution's edge tensor product (see the module docstring).

    ``tp``: a :class:`~curienn.nn.TensorProduct` with ``uvu`` weighted instructions,
    per-sample weights, a second input with multiplicity 1 per irrep (spherical
    harmonics) and a sorted output. The result is given per *run* of equal output
    irreps (:func:`curienn.models._scalar_tp.runs`), ``(N, 2l+1, Σ mul)``. ``owner``
    receives the constant tables as non-persistent buffers ``{name}{unit}`` (and the
    row-to-weight maps ``{name}{unit}_w``).
    """

    @staticmethod
    def applies(tp: torch.nn.Module) -> bool:
        return (isinstance(tp, TensorProduct) and not tp.shared_weights
                and all(mul == 1 for mul, _ in tp.irreps_in2)
                and all(i.connection_mode == "uvu" and i.has_weight for i in tp.instructions)
                and len(runs(tp.irreps_out)) == len(tp.irreps_out.simplify()))

    def __init__(self, tp: TensorProduct, owner: torch.nn.Module, name: str) -> None:
        in1, in2, out = tp.irreps_in1, tp.irreps_in2, tp.irreps_out
        self.name = name
        y_sl = [s for s in in2.slices()]
        w_off = [0]
        for ins in tp.instructions:
            w_off.append(w_off[-1] + in1[ins.i_in1].mul)
        out_runs = runs(out)
        run_of = {o: (r, members.index(o)) for r, (_, members) in enumerate(out_runs) for o in members}
        self.n_runs = len(out_runs)
        # the paths of each input block (instructions of one block are consecutive)
        per_block = {}
        for a, (mul_a, _) in enumerate(in1):
            mine = [n for n, ins in enumerate(tp.instructions) if ins.i_in1 == a]
            if mul_a == 0 or not mine:
                continue
            if mine != list(range(mine[0], mine[-1] + 1)):
                raise AssertionError("the instructions of one input irrep must be consecutive")
            per_block[a] = mine
        by_mul: dict = {}
        for a in per_block:
            by_mul.setdefault(in1[a].mul, []).append(a)
        groups = []
        for u, blocks in by_mul.items():
            rows = {a: sum(out[tp.instructions[n].i_out].ir.dim for n in per_block[a]) for a in blocks}
            dense = sum(rows.values()) * sum(in1[a].ir.dim for a in blocks)
            sparse = sum(rows[a] * in1[a].ir.dim for a in blocks)
            tiny = any(in1[a].ir.dim > 1 and u * rows[a] * in1[a].ir.dim < _TINY_BMM for a in blocks)
            groups += [blocks] if len(blocks) > 1 and (tiny or dense <= 2 * sparse) else [[a] for a in blocks]

        self.units: List[_Unit] = []
        # each output run is assembled from (unit, first path, number of paths) segments in entry order
        segments: list = [[] for _ in out_runs]
        order: list = []  # the plan's weight columns: per unit, per run, per path, the u weights
        for blocks in groups:
            dims = [in1[a].ir.dim for a in blocks]
            paths = [n for a in blocks for n in per_block[a]]
            # rows ordered (output run, k, path): a run's rows are one (k, paths * u) view of the sum
            by_run: dict = {}
            for slot, n in enumerate(paths):
                by_run.setdefault(run_of[tp.instructions[n].i_out][0], []).append((slot, n))
            n_rows = sum(out[tp.instructions[n].i_out].ir.dim for n in paths)
            G = torch.zeros(in2.dim, n_rows, sum(dims), dtype=torch.float64)
            unit_runs, r0, c0 = [], 0, len(order)
            k = len(self.units)
            for r in sorted(by_run):
                members = by_run[r]
                d3 = out_runs[r][0].dim
                for q, (_, n) in enumerate(members):
                    ins = tp.instructions[n]
                    a, b = ins.i_in1, ins.i_in2
                    col = sum(dims[:blocks.index(a)])
                    l1, l2 = in1[a].ir.l, in2[b].ir.l
                    cg = wigner_3j(l1, l2, out[ins.i_out].ir.l, dtype=torch.float64) * ins.path_weight
                    rows = [r0 + kk * len(members) + q for kk in range(d3)]
                    G[y_sl[b], rows, col:col + 2 * l1 + 1] = cg.permute(1, 2, 0)
                    order.extend(range(w_off[n], w_off[n + 1]))
                    segments[r].append((run_of[ins.i_out][1], k, q))
                unit_runs.append((r, r0, d3, len(members)))
                r0 += d3 * len(members)
            owner.register_buffer(f"{name}{k}", G.reshape(in2.dim, -1).to(torch.get_default_dtype()),
                                  persistent=False)
            self.units.append(_Unit(blocks, sum(dims), in1[blocks[0]].mul, (c0, len(order)), n_rows, unit_runs))
        owner.register_buffer(f"{name}_order", torch.tensor(order, dtype=torch.long), persistent=False)
        # per run: consecutive (unit, first path, count) pieces in the order of its entries
        self.assembly: list = []
        for segs in segments:
            pieces: list = []
            for _, k, q in sorted(segs):
                if pieces and pieces[-1][0] == k and pieces[-1][1] + pieces[-1][2] == q:
                    pieces[-1][2] += 1
                else:
                    pieces.append([k, q, 1])
            self.assembly.append(pieces)

    def __call__(self, owner: torch.nn.Module, h: List[Optional[torch.Tensor]], y: torch.Tensor,
                 w: torch.Tensor, src: torch.Tensor, dst: torch.Tensor, n_nodes: int,
                 weight_index: Optional[torch.Tensor] = None, ordered: bool = False) -> list:
        """Blocks ``h`` of ``irreps_in1`` (node features), ``y (E, irreps_in2.dim)``,
        ``w (E, weight_numel)`` (or ``(P, weight_numel)`` with ``weight_index (E,)`` into its
        rows; columns in the tensor product's order, or in the plan's order (the owner's
        ``<name>_order`` buffer) when
        ``ordered``) -> per run of output irreps, the sums at the destinations ``(N, 2l+1, Σ mul)``."""
        if not ordered:
            w = w.index_select(1, getattr(owner, f"{self.name}_order"))
        # the units' columns are consecutive: split (whose backward is one concatenation), not
        # slice (whose backward is a zero-filled copy of all of w per unit)
        widths = [unit.weights[1] - unit.weights[0] for unit in self.units]
        w_units = w.split(widths, dim=1) if len(widths) > 1 else [w]
        per_unit: list = []  # per unit: {run: (N, 2l+1, paths, u)}
        for k, (unit, wu) in enumerate(zip(self.units, w_units)):
            xs = [h[a] for a in unit.blocks]
            if any(x is None for x in xs):
                per_unit.append(None)
                continue
            x = torch.cat(xs, dim=1) if len(xs) > 1 else xs[0]  # (N, D, u)
            u = unit.mul
            # wu: (rows of w, Σ paths u), per run (paths, u)
            if weight_index is not None:
                wu = wu.index_select(0, weight_index)
            step = _chunk_size(y, max(unit.n_rows, unit.dim) * u)
            chunks = [(src, dst, y, wu)] if step is None else zip(
                src.split(step), dst.split(step), y.split(step), wu.split(step))
            rows = [d3 * np_ for _, _, d3, np_ in unit.runs]
            cols = [np_ * u for _, _, _, np_ in unit.runs]
            acc: list = [x.new_zeros(n_nodes, rr * u) for rr in rows]
            for src_c, dst_c, y_c, w_c in chunks:
                T = self._products(owner, k, unit, x, src_c, y_c)  # (E_c, R, u)
                n_c = T.shape[0]
                parts = zip(T.split(rows, dim=1), w_c.split(cols, dim=1)) if len(rows) > 1 else [(T, w_c)]
                for j, ((_, _, d3, np_), (t, wr)) in enumerate(zip(unit.runs, parts)):
                    # the weights of the paths, the same for every component k of the output
                    msg = t.view(n_c, d3, np_ * u) * wr.unsqueeze(1)
                    acc[j] = acc[j].index_add_(0, dst_c, msg.view(n_c, d3 * np_ * u))
            per_unit.append({r: a.view(n_nodes, d3, np_, u) for (r, _, d3, np_), a in zip(unit.runs, acc)})
        out: list = []
        for r, pieces in enumerate(self.assembly):
            parts = [per_unit[k][r][:, :, q:q + c] for k, q, c in pieces if per_unit[k] is not None]
            if not parts:
                out.append(None)
                continue
            parts = [p.reshape(n_nodes, p.shape[1], p.shape[2] * p.shape[3]) for p in parts]
            out.append(torch.cat(parts, dim=2) if len(parts) > 1 else parts[0])
        return out

    def _products(self, owner, k: int, unit: _Unit, x, src, y) -> torch.Tensor:
        """``T = M h[src]`` ``(E_c, R, u)`` of one chunk of edges for the paths of one unit
        (before the weights)."""
        G = getattr(owner, f"{self.name}{k}")
        if G.dtype != y.dtype:
            G = G.to(y.dtype)
        n = y.shape[0]
        M = (y @ G).view(n, -1, unit.dim)  # (E_c, R, D): c_p C_p y
        xs = x.index_select(0, src)  # (E_c, D, u)
        if unit.dim == 1:
            return M * xs  # (E_c, R, u)
        if torch.compiler.is_compiling():  # a broadcast and a sum: inductor fuses them with the gather
            return (M.unsqueeze(-1) * xs.unsqueeze(1)).sum(2)
        return torch.bmm(M, xs)


def _chunk_size(like: torch.Tensor, row_numel: int) -> Optional[int]:
    """Edges per chunk on CPU in eager mode; ``None`` (one chunk) on other devices and when
    compiling (no Python loop over a data-dependent number of edges)."""
    if like.device.type != "cpu" or torch.compiler.is_compiling():
        return None
    step = max(1024, _CHUNK_BYTES // (row_numel * like.element_size()))
    return None if step >= like.shape[0] else step
