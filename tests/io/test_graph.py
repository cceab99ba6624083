"""Radius graphs (finite and periodic), edge vectors, batching, scatter_sum."""

import itertools

import numpy as np
import ase
import pytest
import torch

from curienn.io._graph import (
    batch_graphs,
    edge_vectors,
    periodic_radius_graph,
    radius_graph,
    scatter_sum,
    undirected_pairs,
)
from ase.build import bulk  # noqa: E402
from ase.neighborlist import neighbor_list  # noqa: E402


def _brute_force(pos, r_max, batch=None):
    """Exact O(N^2) reference, sorted by (src, dst)."""
    d = (pos[:, None, :] - pos[None, :, :]).norm(dim=-1)
    mask = (d < r_max) & ~torch.eye(len(pos), dtype=torch.bool)
    if batch is not None:
        mask &= batch[:, None] == batch[None, :]
    return mask.nonzero().T


def _edge_set(src, dst, shift=None):
    if shift is None:
        return set(zip(src.tolist(), dst.tolist()))
    return set(zip(src.tolist(), dst.tolist(), map(tuple, shift.round().long().tolist())))


def test_radius_graph_matches_brute_force(dtype):
    pos = torch.rand(300, 3) * 6
    ei = radius_graph(pos, 1.5)
    assert ei.dtype == torch.long and ei.shape[0] == 2
    assert torch.equal(ei, _brute_force(pos, 1.5))
    # the vectors are short and the graph is symmetric
    src, dst = ei
    assert (pos[src] - pos[dst]).norm(dim=1).max() < 1.5
    assert _edge_set(src, dst) == _edge_set(dst, src)


def test_radius_graph_batched_only_within_graphs(monkeypatch):
    import curienn.io._graph as g

    monkeypatch.setattr(g, "_PAIR_CHUNK", 500)  # force many chunks
    pos = torch.rand(200, 3) * 3
    batch = torch.randint(0, 7, (200,))
    ei = radius_graph(pos, 1.0, batch)
    assert torch.equal(ei, _brute_force(pos, 1.0, batch))
    assert (batch[ei[0]] == batch[ei[1]]).all()


def test_radius_graph_bad_input():
    with pytest.raises(ValueError, match="shape"):
        radius_graph(torch.zeros(4, 2), 1.0)
    with pytest.raises(ValueError, match="r_max"):
        radius_graph(torch.zeros(4, 3), 0.0)
    assert radius_graph(torch.zeros(0, 3), 1.0).shape == (2, 0)


def test_periodic_graph_matches_ase_and_brute_force(dtype):
    rng = np.random.default_rng(0)
    cell = torch.tensor([[3.0, 0.2, 0.0], [0.4, 3.5, 0.0], [0.1, -0.3, 2.8]])
    pos = torch.as_tensor(rng.random((6, 3)), dtype=dtype) @ cell
    r_max = 3.2  # larger than the cell: several images, self images included
    src, dst, shift = periodic_radius_graph(pos, r_max, cell, pbc=True)
    assert shift.dtype == dtype
    vec = edge_vectors(pos, src, dst, shift, cell)
    assert vec.norm(dim=1).max() < r_max
    # brute force over shifts
    ref = set()
    for s in itertools.product(range(-3, 4), repeat=3):
        st = torch.tensor(s, dtype=dtype)
        v = pos[None, :, :] - pos[:, None, :] + st @ cell  # [d, s] = x_s - x_d + S C
        d = v.norm(dim=-1)
        for di, si in (d < r_max).nonzero().tolist():
            if di == si and s == (0, 0, 0):
                continue
            ref.add((si, di, s))
    assert _edge_set(src, dst, shift) == ref
    # ASE convention: D = x_j - x_i + S C with i = dst, j = src
    atoms = ase.Atoms("H6", positions=pos.double().numpy(), cell=cell.double().numpy(), pbc=True)
    i, j, S = neighbor_list("ijS", atoms, r_max)
    assert _edge_set(torch.as_tensor(j), torch.as_tensor(i), torch.as_tensor(S)) == ref


def test_supercell_same_neighbour_counts():
    prim = bulk("Si", "diamond", a=5.43)
    sup = prim.repeat((2, 2, 2))
    counts = []
    for atoms in (prim, sup):
        pos = torch.as_tensor(atoms.get_positions())
        cell = torch.as_tensor(np.asarray(atoms.get_cell()))
        src, dst, shift = periodic_radius_graph(pos, 4.0, cell, pbc=True)
        counts.append(torch.bincount(dst, minlength=len(atoms)))
    assert counts[0].tolist() == [16, 16]  # 4 first + 12 second neighbours
    assert (counts[1] == 16).all() and len(counts[1]) == 16


def test_partial_pbc_and_nonperiodic_equals_finite():
    pos = torch.rand(40, 3, dtype=torch.float64) * 4
    cell = torch.eye(3, dtype=torch.float64) * 4
    src, dst, shift = periodic_radius_graph(pos, 1.2, cell, pbc=False)
    assert (shift == 0).all()
    assert torch.equal(torch.stack([src, dst]), radius_graph(pos, 1.2))
    src, dst, shift = periodic_radius_graph(pos, 1.2, cell, pbc=[True, False, False])
    assert (shift[:, 1:] == 0).all() and (shift[:, 0] != 0).any()


def test_periodic_batched_equals_separate(dtype):
    a = bulk("Cu", "fcc", a=3.6).repeat((2, 1, 1))
    b = bulk("NaCl", "rocksalt", a=5.6)
    data = []
    for atoms in (a, b):
        data.append({
            "pos": torch.as_tensor(atoms.get_positions(), dtype=dtype),
            "cell": torch.as_tensor(np.asarray(atoms.get_cell()), dtype=dtype),
            "pbc": torch.as_tensor(atoms.get_pbc()),
        })
    batched = batch_graphs(data)
    assert batched["cell"].shape == (2, 3, 3) and batched["pbc"].shape == (2, 3)
    assert batched["batch"].tolist() == [0, 0, 1, 1]
    src, dst, shift = periodic_radius_graph(batched["pos"], 3.0, batched["cell"], batched["pbc"], batched["batch"])
    vec = edge_vectors(batched["pos"], src, dst, shift, batched["cell"], batched["batch"])
    n0 = len(a)
    for g, d in enumerate(data):
        s, t, sh = periodic_radius_graph(d["pos"], 3.0, d["cell"], d["pbc"])
        m = batched["batch"][dst] == g
        off = 0 if g == 0 else n0
        assert _edge_set(src[m] - off, dst[m] - off, shift[m]) == _edge_set(s, t, sh)
        v = edge_vectors(d["pos"], s, t, sh, d["cell"])
        assert torch.allclose(torch.sort(vec[m].norm(dim=1)).values, torch.sort(v.norm(dim=1)).values)


def test_edge_vectors_differentiable_and_errors():
    pos = torch.rand(5, 3, dtype=torch.float64, requires_grad=True)
    cell = (torch.eye(3, dtype=torch.float64) * 2).requires_grad_()
    src, dst = torch.tensor([0, 1]), torch.tensor([1, 0])
    shift = torch.tensor([[1.0, 0, 0], [-1.0, 0, 0]], dtype=torch.float64)
    v = edge_vectors(pos, src, dst, shift, cell)
    assert torch.allclose(v[0], pos[0] - pos[1] + cell[0])
    v.sum().backward()
    assert pos.grad is not None and cell.grad is not None
    with pytest.raises(ValueError, match="cell"):
        edge_vectors(pos, src, dst, shift)


def test_batch_graphs_offsets():
    g1 = {"pos": torch.rand(3, 3), "x": torch.rand(3, 2), "edge_src": torch.tensor([0, 1]), "edge_dst": torch.tensor([1, 2])}
    g2 = {"pos": torch.rand(2, 3), "x": torch.rand(2, 2), "edge_src": torch.tensor([1]), "edge_dst": torch.tensor([0])}
    out = batch_graphs([g1, g2])
    assert out["edge_src"].tolist() == [0, 1, 4]
    assert out["edge_dst"].tolist() == [1, 2, 3]
    assert out["batch"].tolist() == [0, 0, 0, 1, 1]
    assert torch.equal(out["x"], torch.cat([g1["x"], g2["x"]]))
    with pytest.raises(ValueError, match="keys"):
        batch_graphs([g1, {"pos": torch.rand(2, 3)}])
    with pytest.raises(ValueError, match="at least one"):
        batch_graphs([])


def test_scatter_sum(dtype):
    src = torch.randn(10, 4, requires_grad=True)
    index = torch.tensor([0, 2, 2, 0, 1, 4, 4, 4, 0, 1])
    out = scatter_sum(src, index, dim_size=6)
    ref = torch.zeros(6, 4, dtype=dtype)
    for e, k in enumerate(index.tolist()):
        ref[k] += src[e].detach()
    assert torch.allclose(out, ref)
    assert (out[5] == 0).all() and out.dtype == dtype
    out.sum().backward()
    assert torch.equal(src.grad, torch.ones_like(src))
    assert scatter_sum(src, index).shape == (5, 4)
    with pytest.raises(ValueError, match="index"):
        scatter_sum(src, index[:3], 6)


def _check_pairs(src, dst, shift, inverse, rep):
    assert inverse.shape == src.shape and rep.shape[0] == int(inverse.max()) + 1
    assert torch.equal(inverse[rep], torch.arange(len(rep)))  # representative in its own pair
    sizes = torch.bincount(inverse)
    assert (sizes == 2).all()  # symmetric graph: every edge has exactly one reverse
    for e in range(len(src)):
        r = rep[inverse[e]]
        same = src[r] == src[e] and dst[r] == dst[e]
        rev = src[r] == dst[e] and dst[r] == src[e]
        assert same or rev
        if shift is not None:
            assert torch.equal(shift[r], shift[e] if same and not rev else -shift[e]) or (
                same and rev and (torch.equal(shift[r], shift[e]) or torch.equal(shift[r], -shift[e]))
            )


def test_undirected_pairs_finite_and_periodic():
    pos = torch.rand(30, 3, dtype=torch.float64) * 3
    src, dst = radius_graph(pos, 1.0)
    inverse, rep = undirected_pairs(src, dst)
    _check_pairs(src, dst, None, inverse, rep)
    # reversed edges have exactly opposite vectors
    vec = pos[src] - pos[dst]
    assert torch.equal(vec.norm(dim=1), vec[rep][inverse].norm(dim=1))
    cell = torch.tensor([[1.5, 0.0, 0.0], [0.3, 1.7, 0.0], [0.0, 0.2, 1.6]], dtype=torch.float64)
    src, dst, shift = periodic_radius_graph(pos[:5] % 1.5, 2.0, cell)  # self images included
    assert (src == dst).any()
    inverse, rep = undirected_pairs(src, dst, shift)
    _check_pairs(src, dst, shift, inverse, rep)
    vec = edge_vectors(pos[:5] % 1.5, src, dst, shift, cell)
    assert torch.equal(vec.norm(dim=1), vec[rep][inverse].norm(dim=1))
    e = torch.zeros(0, dtype=torch.long)
    assert undirected_pairs(e, e)[0].shape == (0,)
