r"""Radius graphs (finite and periodic), edge vectors, batching and segment sums.

Sign convention (the one of e3nn's ``gate_points_2101.Network``, used by
:class:`curienn.models._gate_points.Network`): an edge ``e`` carries a message
from node ``edge_src[e]`` (the neighbour, sender) to node ``edge_dst[e]`` (the
centre, receiver), and its vector points from the receiver to the sender,

.. math::

    \vec r_e = x_{\mathrm{src}(e)} - x_{\mathrm{dst}(e)} + S_e\,C,

where :math:`S_e` (``edge_shift``, shape ``(E, 3)``, integer-valued floats) is
the cell shift of the sender's periodic image and :math:`C` (``cell``) holds the
lattice vectors as rows. It is ASE's ``neighbor_list('ijS')`` with
``dst = i``, ``src = j``, ``shift = S`` (ASE: ``D = x_j - x_i + S C``).
Every graph built here is symmetric: with ``(src, dst, S)`` it holds
``(dst, src, -S)``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

__all__ = [
    "scatter_sum",
    "radius_graph",
    "periodic_radius_graph",
    "edge_vectors",
    "undirected_pairs",
    "batch_graphs",
]

# pairs of points compared at once by the brute-force search
_PAIR_CHUNK = 1 << 21


def scatter_sum(src: torch.Tensor, index: torch.Tensor, dim_size: int | None = None) -> torch.Tensor:
    r"""Segment sum along the first axis: :math:`\mathrm{out}_k = \sum_{e:\,\mathrm{index}_e = k} \mathrm{src}_e`.

    Args:
        src: shape ``(E, *F)``.
        index: shape ``(E,)``, integers in ``[0, dim_size)``.
        dim_size: number of segments ``K``; default ``index.max() + 1`` (0 if empty).

    Returns:
        shape ``(K, *F)``, differentiable with respect to ``src`` (``index_add``).
    """
    if index.dim() != 1 or index.shape[0] != src.shape[0]:
        raise ValueError(
            f"index must have shape ({src.shape[0]},) to match src {tuple(src.shape)}, got {tuple(index.shape)}"
        )
    if dim_size is None:
        dim_size = int(index.max()) + 1 if index.numel() else 0
    out = src.new_zeros((dim_size,) + tuple(src.shape[1:]))
    return out.index_add(0, index, src)


def _check_pos(pos: torch.Tensor) -> None:
    if not isinstance(pos, torch.Tensor) or pos.dim() != 2 or pos.shape[1] != 3:
        shape = tuple(pos.shape) if isinstance(pos, torch.Tensor) else type(pos).__name__
        raise ValueError(f"pos must be a tensor of shape (N, 3), got {shape}")


def _sort_edges(src: torch.Tensor, dst: torch.Tensor, n: int, *extra: torch.Tensor):
    """Sort edges by (src, dst) like e3nn's ``nonzero`` on the distance matrix (stable)."""
    key = src * max(n, 1) + dst
    order = torch.sort(key, stable=True).indices
    return (src[order], dst[order]) + tuple(x[order] for x in extra)


@torch.no_grad()
def radius_graph(
    pos: torch.Tensor, r_max: float, batch: torch.Tensor | None = None
) -> torch.Tensor:
    r"""All ordered pairs closer than ``r_max`` in a finite point set (no periodicity).

    Edges are the pairs :math:`(s, d)`, :math:`s \neq d`, of the same graph
    (same ``batch`` value) with :math:`\lVert x_s - x_d\rVert < r_{\max}`, sorted
    by ``(src, dst)`` (the order of e3nn's ``radius_graph``). Brute force in
    torch, chunked so memory stays bounded and, with ``batch``, only pairs of the
    same graph are compared (nodes sorted by graph).

    Args:
        pos: positions, shape ``(N, 3)``.
        r_max: cutoff radius (strict inequality).
        batch: graph index of each node, shape ``(N,)``; default all in graph 0.

    Returns:
        ``edge_index`` of shape ``(2, E)``: ``edge_src, edge_dst = radius_graph(...)``.
        The edge vector is ``pos[edge_src] - pos[edge_dst]`` (see the module docstring).
    """
    _check_pos(pos)
    if not r_max > 0:
        raise ValueError(f"r_max must be positive, got {r_max}")
    n = pos.shape[0]
    device = pos.device
    p = pos.detach()
    if batch is None:
        order = None
        b = torch.zeros(n, dtype=torch.long, device=device)
    else:
        if batch.shape != (n,):
            raise ValueError(f"batch must have shape ({n},), got {tuple(batch.shape)}")
        b, order = torch.sort(batch, stable=True)
        p = p[order]
    if n == 0:
        return torch.zeros(2, 0, dtype=torch.long, device=device)
    # first and one-past-last sorted index of the graph of every node
    bounds = torch.searchsorted(b, torch.stack([b, b + 1]), right=False)
    lo_all, hi_all = bounds[0], bounds[1]
    r2 = float(r_max) ** 2
    # candidates from |a|^2 + |b|^2 - 2 a.b as one matmul of augmented vectors
    # (a, |a|^2, 1).(-2b, 1, |b|^2), loose by a rounding margin, then the exact test
    # |a - b|^2 < r^2 on the candidates only
    exact = p
    p = p - p.mean(dim=0)
    sq = p.pow(2).sum(-1, keepdim=True)
    one = torch.ones_like(sq)
    left = torch.cat([p, sq, one], dim=1)
    right = torch.cat([-2 * p, one, sq], dim=1)
    eps = torch.finfo(p.dtype).eps
    threshold = r2 + 32 * eps * (2 * float(sq.max()) + r2)
    srcs, dsts = [], []
    start = 0
    while start < n:
        # grow the row chunk while the pair count stays bounded
        lo = int(lo_all[start])
        cost = torch.arange(1, n - start + 1, device=device) * (hi_all[start:] - lo)
        stop = start + max(1, int((cost <= _PAIR_CHUNK).sum()))  # cost is non-decreasing
        hi = int(hi_all[stop - 1])
        i, j = (left[start:stop] @ right[lo:hi].T < threshold).nonzero(as_tuple=True)
        i, j = i + start, j + lo
        keep = (i != j) & (b[i] == b[j]) & ((exact[i] - exact[j]).pow(2).sum(-1) < r2)
        srcs.append(i[keep])
        dsts.append(j[keep])
        start = stop
    src = torch.cat(srcs)
    dst = torch.cat(dsts)
    if order is not None:
        src, dst = order[src], order[dst]
    src, dst = _sort_edges(src, dst, n)
    return torch.stack([src, dst])


def _neighbor_pairs_numpy(
    pos: np.ndarray, cutoff: float, cell: np.ndarray, pbc: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """ASE-convention pairs ``(i, j, S, d)``: ``d = |x_j - x_i + S cell| < cutoff``, float64."""
    if not np.any(pbc):
        t = torch.as_tensor(pos, dtype=torch.float64)
        src, dst = radius_graph(t, cutoff)
        i, j = dst.numpy(), src.numpy()
        S = np.zeros((len(i), 3))
        d = np.linalg.norm(pos[j] - pos[i], axis=1)
        return i, j, S, d
    from ase.neighborlist import primitive_neighbor_list

    i, j, S, d = primitive_neighbor_list(
        "ijSd", np.asarray(pbc, dtype=bool), np.asarray(cell, dtype=np.float64),
        np.asarray(pos, dtype=np.float64), float(cutoff), self_interaction=False,
    )
    return i, j, S.astype(np.float64), d


def _per_graph(x: Any, g: int, shape: tuple[int, ...], name: str) -> np.ndarray:
    """Pick graph ``g``'s entry of a per-graph ``cell``/``pbc`` (or the shared one)."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    a = np.asarray(x)
    if a.shape == shape or (name == "pbc" and a.ndim == 0):
        return a
    if a.ndim == len(shape) + 1 and a.shape[1:] == shape:
        return a[g]
    if name == "pbc" and a.ndim == 1:
        return a[g]
    raise ValueError(f"{name} must have shape {shape} or (num_graphs, *{shape}), got {a.shape}")


def periodic_radius_graph(
    pos: torch.Tensor,
    r_max: float,
    cell: torch.Tensor,
    pbc: Any = True,
    batch: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""Radius graph with periodic images (ASE's ``primitive_neighbor_list``).

    Edges are all :math:`(s, d, S)` with
    :math:`0 < \lVert x_s - x_d + S C\rVert < r_{\max}` for integer shifts
    :math:`S` along the periodic directions (an atom's own images included when
    the cell is shorter than ``r_max``; several images of one neighbour give
    several edges). Each graph of the batch is searched separately.

    Args:
        pos: positions, shape ``(N, 3)`` (Cartesian, need not be wrapped).
        r_max: cutoff radius.
        cell: lattice vectors as rows, shape ``(3, 3)`` or ``(num_graphs, 3, 3)``.
        pbc: bool, three bools, or one of those per graph ``(num_graphs, 3)``.
        batch: graph index per node, shape ``(N,)``.

    Returns:
        ``(edge_src, edge_dst, edge_shift)`` with shapes ``(E,)``, ``(E,)``, ``(E, 3)``
        (``edge_shift`` in ``pos.dtype``, integer-valued), sorted by ``(src, dst)``;
        ``edge_vectors(pos, edge_src, edge_dst, edge_shift, cell, batch)`` gives
        :math:`x_s - x_d + S C`.
    """
    _check_pos(pos)
    if not r_max > 0:
        raise ValueError(f"r_max must be positive, got {r_max}")
    n = pos.shape[0]
    p = pos.detach().cpu().double().numpy()
    if not np.isfinite(p).all():
        bad = np.nonzero(~np.isfinite(p).all(axis=1))[0][:10].tolist()
        raise ValueError(f"non-finite (NaN or inf) coordinates for atom(s) {bad}")
    if batch is None:
        groups = [np.arange(n)]
    else:
        if batch.shape != (n,):
            raise ValueError(f"batch must have shape ({n},), got {tuple(batch.shape)}")
        bn = batch.detach().cpu().numpy()
        num_graphs = int(bn.max()) + 1 if n else 0
        order = np.argsort(bn, kind="stable")
        counts = np.bincount(bn, minlength=num_graphs)
        groups = np.split(order, np.cumsum(counts)[:-1]) if n else []
    srcs, dsts, shifts = [], [], []
    for g, idx in enumerate(groups):
        if idx.size == 0:
            continue
        c = _per_graph(cell, g, (3, 3), "cell").astype(np.float64)
        pb = _per_graph(pbc, g, (3,), "pbc").astype(bool)
        pb = np.broadcast_to(pb, (3,)).copy()
        if pb.any() and abs(np.linalg.det(c[pb] @ c[pb].T)) < 1e-12:
            raise ValueError(f"graph {g}: the periodic cell vectors are degenerate: cell={c.tolist()}, pbc={pb.tolist()}")
        if not np.isfinite(c).all():
            raise ValueError(f"graph {g}: the cell has non-finite entries: {c.tolist()}")
        i, j, S, _ = _neighbor_pairs_numpy(p[idx], r_max, c, pb)
        srcs.append(idx[j])
        dsts.append(idx[i])
        shifts.append(S)
    if srcs:
        src = torch.as_tensor(np.concatenate(srcs), dtype=torch.long, device=pos.device)
        dst = torch.as_tensor(np.concatenate(dsts), dtype=torch.long, device=pos.device)
        shift = torch.as_tensor(np.concatenate(shifts), dtype=pos.dtype, device=pos.device)
    else:
        src = dst = torch.zeros(0, dtype=torch.long, device=pos.device)
        shift = torch.zeros(0, 3, dtype=pos.dtype, device=pos.device)
    return _sort_edges(src, dst, n, shift)


def edge_vectors(
    pos: torch.Tensor,
    edge_src: torch.Tensor,
    edge_dst: torch.Tensor,
    edge_shift: torch.Tensor | None = None,
    cell: torch.Tensor | None = None,
    batch: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Edge vectors :math:`x_{\mathrm{src}} - x_{\mathrm{dst}} + S\,C`, shape ``(E, 3)``.

    Differentiable with respect to ``pos`` and ``cell``. ``cell`` is ``(3, 3)``
    or ``(num_graphs, 3, 3)`` (then ``batch`` picks each edge's cell).
    """
    vec = pos[edge_src] - pos[edge_dst]
    if edge_shift is None:
        return vec
    if cell is None:
        raise ValueError("edge_shift was given without a cell")
    edge_shift = edge_shift.to(pos.dtype)
    if cell.dim() == 2:
        return vec + edge_shift @ cell
    if cell.dim() == 3 and cell.shape[1:] == (3, 3):
        if batch is None:
            if cell.shape[0] != 1:
                raise ValueError(f"cell of shape {tuple(cell.shape)} needs a batch vector")
            return vec + edge_shift @ cell[0]
        return vec + torch.einsum("ei,eij->ej", edge_shift, cell[batch[edge_dst]])
    raise ValueError(f"cell must have shape (3, 3) or (num_graphs, 3, 3), got {tuple(cell.shape)}")


def undirected_pairs(
    edge_src: torch.Tensor, edge_dst: torch.Tensor, edge_shift: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Group each edge with its reverse: ``(s, d, S)`` with ``(d, s, -S)``.

    Edge vectors of the two are exact negatives (``edge_vectors`` computes them
    so), hence anything that depends only on the length, like the radial weights
    of a convolution, can be computed once per pair.

    Returns:
        ``(inverse, representative)``: ``inverse`` ``(E,)`` is the pair index of
        every edge, ``representative`` ``(P,)`` the first edge of every pair, so
        that ``f(length[representative])[inverse] == f(length)``. Edges without
        a reverse form a pair of their own.
    """
    n_edges = edge_src.shape[0]
    device = edge_src.device
    if n_edges == 0:
        empty = torch.zeros(0, dtype=torch.long, device=device)
        return empty, empty
    flip = edge_src > edge_dst
    lo = torch.where(flip, edge_dst, edge_src)
    hi = torch.where(flip, edge_src, edge_dst)
    n = int(torch.maximum(lo.max(), hi.max())) + 1
    key = lo * n + hi
    if edge_shift is not None:
        S = edge_shift.round().long()
        # a self-image edge (s, s, S) pairs with (s, s, -S): orient by the first nonzero entry
        first = torch.where(S[:, 0] != 0, S[:, 0], torch.where(S[:, 1] != 0, S[:, 1], S[:, 2]))
        flip = flip | ((edge_src == edge_dst) & (first < 0))
        S = torch.where(flip[:, None], -S, S)
        k = 2 * int(S.abs().max()) + 1
        if n * n * k**3 < 2**62:
            for c in range(3):
                key = key * k + (S[:, c] + k // 2)
        else:  # pragma: no cover - astronomically large graphs
            _, inverse = torch.unique(torch.cat([key[:, None], S], dim=1), dim=0, return_inverse=True)
            key = inverse
    _, inverse = torch.unique(key, return_inverse=True)
    num_pairs = int(inverse.max()) + 1
    representative = torch.full((num_pairs,), n_edges, dtype=torch.long, device=device)
    representative.scatter_reduce_(0, inverse, torch.arange(n_edges, device=device), "amin")
    return inverse, representative


_EDGE_INDEX_KEYS = ("edge_src", "edge_dst")
_EDGE_KEYS = ("edge_src", "edge_dst", "edge_shift", "edge_vec")
_GRAPH_KEYS = ("cell", "pbc")


def batch_graphs(
    graphs: Sequence[dict[str, torch.Tensor]], graph_keys: Sequence[str] = ()
) -> dict[str, torch.Tensor]:
    """Concatenate several graphs into one disconnected graph.

    Node-level tensors (``pos``, ``x``, ``z``, ``atomic_numbers`` and any other
    key) are concatenated along the first axis; ``edge_src``/``edge_dst`` are
    offset by the number of nodes before them and concatenated with
    ``edge_shift``/``edge_vec``; graph-level tensors (``cell``, ``pbc`` and the
    ``graph_keys``) are stacked to ``(num_graphs, ...)``. A ``batch`` vector
    (shape ``(N,)``, graph index of each node) is added. Every graph must have
    the same keys; input ``batch`` keys are ignored.
    """
    if len(graphs) == 0:
        raise ValueError("batch_graphs needs at least one graph")
    keys = [k for k in graphs[0] if k != "batch"]
    for g, d in enumerate(graphs):
        if "pos" not in d:
            raise ValueError(f"graph {g} has no 'pos'")
        if set(k for k in d if k != "batch") != set(keys):
            raise ValueError(f"graph {g} has keys {sorted(d)}, graph 0 has {sorted(keys)}")
    sizes = [int(d["pos"].shape[0]) for d in graphs]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).tolist()
    out: dict[str, torch.Tensor] = {}
    glob = set(_GRAPH_KEYS) | set(graph_keys)
    for k in keys:
        vals = [d[k] for d in graphs]
        if k in _EDGE_INDEX_KEYS:
            out[k] = torch.cat([v + off for v, off in zip(vals, offsets)])
        elif k in glob:
            vals = [torch.as_tensor(v) for v in vals]
            if k == "pbc":
                vals = [v.reshape(1).expand(3) if v.numel() == 1 else v for v in vals]
            out[k] = torch.stack(vals)
        else:
            out[k] = torch.cat(vals)
    device = graphs[0]["pos"].device
    out["batch"] = torch.repeat_interleave(
        torch.arange(len(graphs), device=device), torch.as_tensor(sizes, device=device)
    )
    return out
