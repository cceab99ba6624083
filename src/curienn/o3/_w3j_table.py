"""Lazy access to the shipped table ``_data/wigner_3j.npz`` (all triples with l <= 8).

The file, written by ``scripts/generate_wigner_3j.py`` from exact arithmetic, holds
the nonzero entries of every ``wigner_3j(l1, l2, l3)`` with ``max(l) <= lmax``,
concatenated:

* ``lmax``: () int, the largest ``l`` covered;
* ``keys``: (T, 3) int16, the triples ``(l1, l2, l3)``;
* ``offsets``: (T + 1,) int64, triple ``t`` owns entries ``offsets[t]:offsets[t+1]``;
* ``indices``: (nnz, 3) uint8, positions ``(i, j, k)``;
* ``values``: (nnz,) float64, the exact values rounded once.

Nothing is read before the first lookup.  The first lookup reads the file and
scatters every triple into one flat float64 buffer (about 3.5 MB) in a single
vectorised step, so each triple is afterwards a view.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

__all__: list[str] = []

TABLE_PATH = Path(__file__).parent / "_data" / "wigner_3j.npz"


class _Table(NamedTuple):
    lmax: int
    where: dict[tuple[int, int, int], tuple[int, int, int]]  # key -> (sparse start, sparse stop, dense start)
    indices: torch.Tensor  # (nnz, 3) long
    values: torch.Tensor  # (nnz,) float64
    dense: torch.Tensor  # flat float64, every triple's dense tensor back to back


@functools.lru_cache(maxsize=1)
def _load() -> _Table:
    if not TABLE_PATH.exists():  # pragma: no cover - only in a broken install
        empty = torch.zeros(0, dtype=torch.float64)
        return _Table(-1, {}, torch.zeros(0, 3, dtype=torch.long), empty, empty)
    with np.load(TABLE_PATH) as data:
        lmax = int(data["lmax"])
        keys = data["keys"].astype(np.int64)
        offsets = data["offsets"]
        indices = data["indices"].astype(np.int64)
        values = data["values"].astype(np.float64)
    dims = 2 * keys + 1  # (T, 3)
    sizes = dims.prod(axis=1)
    dense_start = np.concatenate([[0], np.cumsum(sizes)])
    owner = np.repeat(np.arange(len(keys)), np.diff(offsets))
    d2, d3 = dims[owner, 1], dims[owner, 2]
    flat = dense_start[owner] + (indices[:, 0] * d2 + indices[:, 1]) * d3 + indices[:, 2]
    dense = np.zeros(int(dense_start[-1]), dtype=np.float64)
    dense[flat] = values
    where = {
        (k[0], k[1], k[2]): (o0, o1, d0)
        for k, o0, o1, d0 in zip(keys.tolist(), offsets[:-1].tolist(), offsets[1:].tolist(), dense_start.tolist())
    }
    return _Table(lmax, where, torch.from_numpy(indices), torch.from_numpy(values), torch.from_numpy(dense))


def _span(l1: int, l2: int, l3: int) -> tuple[_Table, tuple[int, int, int]] | None:
    table = _load()
    if max(l1, l2, l3) > table.lmax:
        return None
    span = table.where.get((l1, l2, l3))
    return None if span is None else (table, span)


def table_lookup(l1: int, l2: int, l3: int) -> tuple[torch.Tensor, torch.Tensor] | None:
    """``(indices (nnz, 3) long, values (nnz,) float64)`` views into the table, or None if not covered.

    The views share the table's memory: do not modify them in place.
    """
    found = _span(l1, l2, l3)
    if found is None:
        return None
    table, (a, b, _) = found
    return table.indices[a:b], table.values[a:b]


def table_dense(l1: int, l2: int, l3: int) -> torch.Tensor | None:
    """Dense float64 ``(2l1+1, 2l2+1, 2l3+1)`` view into the table, or None if not covered.

    The view shares the table's memory: do not modify it in place.
    """
    found = _span(l1, l2, l3)
    if found is None:
        return None
    table, (_, _, d) = found
    n1, n2, n3 = 2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1
    return table.dense[d : d + n1 * n2 * n3].view(n1, n2, n3)
