r"""Small linear-algebra helpers: block-diagonal sums and Gram--Schmidt bases
(``e3nn.math.direct_sum``, ``orthonormalize``, ``complete_basis``).

Both Gram--Schmidt routines produce *canonical* bases, the same for the same input: each
new vector is normalised, entries below ``eps`` are set to zero, and its sign is chosen so
that its first non-zero entry is positive.
"""

from __future__ import annotations

import torch

from ._errors import InvalidArgumentError

__all__ = ["direct_sum", "orthonormalize", "complete_basis"]


def direct_sum(*matrices: torch.Tensor) -> torch.Tensor:
    r"""The block-diagonal matrix :math:`A_1 \oplus A_2 \oplus \dots`; each ``(..., m_i, n_i)``
    with the same leading dimensions -> ``(..., sum m_i, sum n_i)``."""
    lead = matrices[0].shape[:-2]
    m = sum(x.shape[-2] for x in matrices)
    n = sum(x.shape[-1] for x in matrices)
    out = matrices[0].new_zeros(lead + (m, n))
    i = j = 0
    for x in matrices:
        out[..., i:i + x.shape[-2], j:j + x.shape[-1]] = x
        i += x.shape[-2]
        j += x.shape[-1]
    return out


def _canonical(x: torch.Tensor, cx: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalise ``x`` (and its coefficients ``cx`` alike), zero the entries below ``eps``
    and make the first non-zero entry of ``x`` positive."""
    c = 1 / x.norm()
    x, cx = c * x, c * cx
    x = torch.where(x.abs() < eps, torch.zeros_like(x), x)
    cx = torch.where(cx.abs() < eps, torch.zeros_like(cx), cx)
    s = x[x.nonzero()[0, 0]].sign()
    return s * x, s * cx


def orthonormalize(original: torch.Tensor, eps: float = 1e-9) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Gram--Schmidt on the rows of ``original`` ``(n, d)``, dropping the rows that depend
    on the previous ones (residual norm :math:`\le 2\,\varepsilon`).

    Returns:
        ``final`` ``(k, d)``, orthonormal rows :math:`y`, and ``matrix`` ``(k, n)`` with
        :math:`y = A x`.
    """
    if original.dim() != 2:
        raise InvalidArgumentError(f"orthonormalize needs a matrix (n, d), got shape {tuple(original.shape)}")
    n, dim = original.shape
    final, matrix = [], []
    for i, x in enumerate(original):
        cx = x.new_zeros(n)
        cx[i] = 1
        for y, cy in zip(final, matrix):
            c = torch.dot(x, y)
            x, cx = x - c * y, cx - c * cy
        if x.norm() > 2 * eps:
            x, cx = _canonical(x, cx, eps)
            final.append(x)
            matrix.append(cx)
    final_t = torch.stack(final) if final else original.new_zeros((0, dim))
    matrix_t = torch.stack(matrix) if matrix else original.new_zeros((0, n))
    return final_t, matrix_t


def complete_basis(vecs: torch.Tensor, eps: float = 1e-9) -> torch.Tensor:
    r"""An orthonormal basis ``(d - k, d)`` of the orthogonal complement of the span of the
    rows of ``vecs`` ``(k, d)`` (assumed orthogonal), by Gram--Schmidt of the unit vectors
    :math:`e_1, \dots, e_d` against them."""
    if vecs.dim() != 2:
        raise InvalidArgumentError(f"complete_basis needs a matrix (k, d), got shape {tuple(vecs.shape)}")
    dim = vecs.shape[1]
    base = [x / x.norm() for x in vecs]
    expand = []
    for x in torch.eye(dim, dtype=vecs.dtype, device=vecs.device):
        for y in base + expand:
            x = x - torch.dot(x, y) * y
        if x.norm() > 2 * eps:
            x, _ = _canonical(x, x.new_zeros(0), eps)
            expand.append(x)
    return torch.stack(expand) if expand else vecs.new_zeros(0, dim)
