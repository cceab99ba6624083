"""Generate ``src/curienn/o3/_data/wigner_3j.npz``: real Clebsch-Gordan tables from exact arithmetic.

Every coefficient is computed exactly (rational numbers and square roots of
rationals, see ``curienn.o3._w3j_exact``) and rounded once to float64.

Usage::

    python scripts/generate_wigner_3j.py [--lmax 8] [--output PATH]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from curienn.o3._w3j_exact import wigner_3j_sparse_exact

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "src" / "curienn" / "o3" / "_data" / "wigner_3j.npz"


def triples(lmax: int) -> list[tuple[int, int, int]]:
    """All ``(l1, l2, l3)`` with every ``l <= lmax`` and the triangle rule."""
    return [
        (l1, l2, l3)
        for l1 in range(lmax + 1)
        for l2 in range(lmax + 1)
        for l3 in range(abs(l1 - l2), min(l1 + l2, lmax) + 1)
    ]


def build(lmax: int) -> dict[str, np.ndarray]:
    """The arrays stored in the table (see ``curienn.o3._w3j_table``)."""
    if lmax < 0 or lmax > 127:
        raise ValueError(f"lmax must be in 0..127, got {lmax}")
    keys, offsets, indices, values = [], [0], [], []
    for key in triples(lmax):
        idx, val = wigner_3j_sparse_exact(*key)
        keys.append(key)
        indices.extend(idx)
        values.extend(val)
        offsets.append(len(values))
    return {
        "lmax": np.array(lmax, dtype=np.int64),
        "keys": np.array(keys, dtype=np.int16).reshape(-1, 3),
        "offsets": np.array(offsets, dtype=np.int64),
        "indices": np.array(indices, dtype=np.uint8).reshape(-1, 3),
        "values": np.array(values, dtype=np.float64),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lmax", type=int, default=8)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    arrays = build(args.lmax)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, **arrays)
    print(
        f"wrote {args.output}: {len(arrays['keys'])} triples, {len(arrays['values'])} nonzeros, "
        f"{args.output.stat().st_size} bytes in {time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
