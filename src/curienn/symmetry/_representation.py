"""The O(3) representation matrices ``D(g)`` of direct sums of irreps, as float64
numpy arrays, in curienn's (= e3nn 0.6.0's) basis: an improper ``g`` acts on
``Irrep(l, p)`` as ``p * D^l(-g)``."""

from __future__ import annotations

import numpy as np

__all__ = ["as_irreps", "irreps_dim", "representation_matrix", "representation_matrices", "component_labels"]


def as_irreps(irreps):
    """``curienn.o3.Irreps`` from a string, list or Irreps; ``ValueError`` if invalid."""
    from curienn import o3

    try:
        return o3.Irreps(irreps)
    except (ValueError, TypeError, AssertionError) as exc:
        raise ValueError(f"invalid irreps {irreps!r}: {exc}") from exc


def irreps_dim(irreps) -> int:
    return int(as_irreps(irreps).dim)


def representation_matrix(irreps, R) -> np.ndarray:
    """``D(R)`` of shape ``(dim, dim)`` (float64) for an orthogonal ``R`` (3x3)."""
    import torch

    ir = as_irreps(irreps)
    Rt = torch.as_tensor(np.asarray(R, dtype=np.float64), dtype=torch.float64)
    return ir.D_from_matrix(Rt).detach().cpu().numpy().astype(np.float64)


def representation_matrices(irreps, Rs) -> np.ndarray:
    """Batched :func:`representation_matrix`: ``(n, dim, dim)`` for ``Rs`` of shape ``(n, 3, 3)``."""
    import torch

    ir = as_irreps(irreps)
    Rt = torch.as_tensor(np.asarray(Rs, dtype=np.float64).reshape(-1, 3, 3), dtype=torch.float64)
    return ir.D_from_matrix(Rt).detach().cpu().numpy().astype(np.float64)


def component_labels(irreps) -> list[str]:
    """Labels of the components, e.g. ``["0e", "1o m=-1", "1o m=0", "1o m=1", ...]``
    (``m`` runs from ``-l`` to ``l``; multiplicities add ``[u]``, ``u = 0, 1, ...``)."""
    out = []
    for mul_ir in as_irreps(irreps):
        mul, ir = mul_ir
        for u in range(mul):
            tag = f"{ir}" + (f"[{u}]" if mul > 1 else "")
            if ir.l == 0:
                out.append(tag)
            else:
                out.extend(f"{tag} m={m}" for m in range(-ir.l, ir.l + 1))
    return out
