"""Safe vector norms and normalisation along the vector axis, shared by the
unitary layers.

A batch of ``M`` vectors in ``C^n`` (or ``R^n``) is stored as a tensor of
shape ``(..., n, M)``: the vectors are the *columns*, so the group acts from
the left (``U @ x``) and the weights from the right (``x @ W``), as in
Ma & Chan, Eq. (6).
"""

from __future__ import annotations

import torch

__all__ = ["squared_norm", "safe_norm", "normalize"]


def squared_norm(x: torch.Tensor, dim: int = -2) -> torch.Tensor:
    r"""``sum_i |x_i|^2`` along ``dim`` (kept), real even for complex ``x``.

    Written as ``(x*x).sum`` (and ``re^2 + im^2`` for complex), which is both
    differentiable everywhere and much faster than ``torch.linalg.vector_norm``
    on small CPU tensors.
    """
    if x.is_complex():
        sq = x.real * x.real + x.imag * x.imag
    else:
        sq = x * x
    return sq.sum(dim=dim, keepdim=True)


def safe_norm(x: torch.Tensor, dim: int = -2) -> torch.Tensor:
    r"""``‖x‖`` along ``dim`` (kept) with a zero (not NaN) gradient at ``x = 0``.

    ``sqrt`` has an infinite derivative at 0, so the square root is taken of
    ``where(s > 0, s, 1)`` and the result masked back to 0 where ``s = 0``.
    """
    sq = squared_norm(x, dim)
    zero = sq <= 0
    return torch.sqrt(sq.masked_fill(zero, 1.0)).masked_fill(zero, 0.0)


def normalize(x: torch.Tensor, dim: int = -2, eps: float = 0.0) -> torch.Tensor:
    r"""``e = x / ‖x‖`` along ``dim``, with the rule ``e = 0`` where ``‖x‖ <= eps``.

    Shape: same as ``x``. The gradient is finite everywhere: exactly 0 at
    vectors with ``‖x‖ <= eps`` (the masked branch never sees a division by
    zero) and ``(I - e e^†)/‖x‖`` elsewhere, which grows like ``1/‖x‖`` as
    ``x -> 0``. The map is therefore discontinuous at 0 (a unit vector cannot
    vanish continuously); this is inherent to Ma & Chan's layer and harmless
    when inputs stay away from zero (argon pairs are at least 2.8 Å apart).
    """
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps!r}")
    sq = squared_norm(x, dim)
    small = sq <= eps * eps
    inv = torch.rsqrt(sq.masked_fill(small, 1.0)).masked_fill(small, 0.0)
    return x * (inv.to(x.dtype) if x.is_complex() else inv)
