r"""Ma & Chan's unitary-equivariant affine layer ``y = x W + e b``.

Shapes: ``x`` is ``(..., n + m, M_in)``, the ``M_in`` columns being vectors in
``C^n`` (or ``R^n``) optionally followed by ``m`` scalar features
(Ma & Chan §3.3); ``W`` and ``b`` are ``(M_in, M_out)``; ``y`` is
``(..., n + m, M_out)``.

``e`` holds the normalised columns: ``e = x_{:n} / ‖x_{:n}‖`` on the ``n``
vector rows and ``1`` on the ``m`` scalar rows (Eq. 17). For any unitary
``U`` acting on the first ``n`` rows, ``U' = diag(U, I_m)``,

    y(U' x) = U' x W + U' e b = U' y(x)         (Eq. 11)

because ``U`` acts from the left and ``W, b`` from the right. With complex
weights the layer is ``U(n)``-equivariant; with real weights and real inputs
it is ``O(n)``-equivariant (rotations and inversions).

Zero-length vectors: ``e = 0`` where ``‖x_{:n}‖ = 0`` (see
:func:`~curienn.models.unitary.normalize`); outputs and gradients stay finite.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._norm import normalize

__all__ = ["UnitaryLinear"]


class UnitaryLinear(nn.Module):
    r"""``y = x W + e b`` (Ma & Chan, Eq. 6), equivariant under ``U(n)`` / ``O(n)``.

    Parameters
    ----------
    in_vectors, out_vectors:
        ``M_in`` and ``M_out``, the number of column vectors.
    n:
        dimension ``n`` of the space the group acts on (3 for atoms).
    n_scalars:
        ``m`` invariant scalar features appended to each vector (default 0).
    complex:
        complex weights (``U(n)``) instead of real ones (``O(n)``).
    bias:
        include the ``e b`` term (default True).
    eps:
        vectors with ``‖x‖ <= eps`` get ``e = 0`` (default 0: only exact zeros).

    Weights use normalised Xavier (Glorot uniform) initialisation,
    ``W ~ U(-s, s)``, ``s = sqrt(6 / (M_in + M_out))`` (for complex weights the
    real and imaginary parts get ``s / sqrt 2`` so that ``E|W|^2`` is the
    same); ``b = 0``, as in the paper.
    """

    def __init__(
        self,
        in_vectors: int,
        out_vectors: int,
        n: int = 3,
        n_scalars: int = 0,
        complex: bool = False,
        bias: bool = True,
        eps: float = 0.0,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        for name, v, lo in (("in_vectors", in_vectors, 1), ("out_vectors", out_vectors, 1),
                            ("n", n, 1), ("n_scalars", n_scalars, 0)):
            if int(v) != v or v < lo:
                raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
        if eps < 0:
            raise ValueError(f"eps must be >= 0, got {eps!r}")
        self.in_vectors, self.out_vectors = int(in_vectors), int(out_vectors)
        self.n, self.n_scalars = int(n), int(n_scalars)
        self.complex, self.eps = bool(complex), float(eps)
        real = dtype or torch.get_default_dtype()
        if real.is_complex:
            raise ValueError(f"dtype must be a real dtype (use complex=True), got {real!r}")
        pdtype = (torch.complex128 if real == torch.float64 else torch.complex64) if complex else real
        self.weight = nn.Parameter(torch.empty(self.in_vectors, self.out_vectors, dtype=pdtype))
        self.bias = (nn.Parameter(torch.zeros(self.in_vectors, self.out_vectors, dtype=pdtype))
                     if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        s = math.sqrt(6.0 / (self.in_vectors + self.out_vectors))
        with torch.no_grad():
            if self.complex:
                s /= math.sqrt(2.0)
                re = torch.empty(self.weight.shape, dtype=self.weight.real.dtype).uniform_(-s, s)
                im = torch.empty(self.weight.shape, dtype=self.weight.real.dtype).uniform_(-s, s)
                self.weight.copy_(torch.complex(re, im))
            else:
                self.weight.uniform_(-s, s)
            if self.bias is not None:
                self.bias.zero_()

    def unit_vectors(self, x: torch.Tensor) -> torch.Tensor:
        r"""``e' = (x_{:n}/‖x_{:n}‖, 1_m)`` column by column, shape of ``x``."""
        if self.n_scalars == 0:
            return normalize(x, dim=-2, eps=self.eps)
        e = normalize(x[..., : self.n, :], dim=-2, eps=self.eps)
        ones = torch.ones(*x.shape[:-2], self.n_scalars, x.shape[-1], dtype=x.dtype, device=x.device)
        return torch.cat([e, ones], dim=-2)

    def forward(self, x: torch.Tensor, e: torch.Tensor | None = None) -> torch.Tensor:
        """``x`` ``(..., n + m, M_in)`` -> ``(..., n + m, M_out)``; ``e`` (optional) are
        the precomputed :meth:`unit_vectors` of ``x``."""
        if x.shape[-2:] != (self.n + self.n_scalars, self.in_vectors):
            raise ValueError(
                f"expected input of shape (..., {self.n + self.n_scalars}, {self.in_vectors}), "
                f"got {tuple(x.shape)}"
            )
        if self.complex and not x.is_complex():
            x = x.to(self.weight.dtype)
        y = x @ self.weight
        if self.bias is not None:
            y = y + (self.unit_vectors(x) if e is None else e) @ self.bias
        return y

    def extra_repr(self) -> str:
        return (f"{self.in_vectors} -> {self.out_vectors}, n={self.n}, n_scalars={self.n_scalars}, "
                f"complex={self.complex}")
