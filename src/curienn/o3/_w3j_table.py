"""Lazy access to the shipped table ``_data/wigner_3j.npz`` (all triples with l <= 8).

The file, written by ``scripts/generate_wigner_3j.py`` from exact arithmetic, holds
the nonzero entries of every ``wigner_3j(l1, l2, l3)`` with ``max(l) <= LMAX``
concatenated:

* ``lmax``: () int, the largest ``l`` covered;
* ``keys``: (T, 3) int16, the triples ``(l1, l2, l3)``;
* ``offsets``: (T + 1,) int64, triple ``t`` owns entries ``offsets[t]:offsets[t+1]``;
* ``indices``: (nnz, 3) uint8, positions ``(i, j, k)``;
* ``values``: (nnz,) float64, the exact values rounded once.

Nothing is read before the first lookup.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import torch

__all__: list[str] = []

TABLE_PATH = Path(__file__).parent / "_data" / "wigner_3j.npz"


@functools.lru_cache(maxsize=1)
def _load() -> tuple[int, dict[tuple[int, int, int], tuple[int, int]], torch.Tensor, torch.Tensor]:
    if not TABLE_PATH.exists():
        return -1, {}, torch.zeros(0, 3, dtype=torch.long), torch.zeros(0, dtype=torch.float64)
    with np.load(TABLE_PATH) as data:
        lmax = int(data["lmax"])
        keys = data["keys"].tolist()
        offsets = data["offsets"].tolist()
        indices = torch.from_numpy(data["indices"].astype(np.int64))
        values = torch.from_numpy(data["values"].astype(np.float64))
    where = {tuple(k): (offsets[t], offsets[t + 1]) for t, k in enumerate(keys)}
    return lmax, where, indices, values


def table_lookup(l1: int, l2: int, l3: int) -> tuple[torch.Tensor, torch.Tensor] | None:
    """``(indices (nnz, 3) long, values (nnz,) float64)`` from the table, or None if not covered."""
    lmax, where, indices, values = _load()
    if max(l1, l2, l3) > lmax:
        return None
    span = where.get((l1, l2, l3))
    if span is None:
        return None
    a, b = span
    return indices[a:b].clone(), values[a:b].clone()
