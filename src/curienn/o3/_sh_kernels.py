r"""The kernels of :func:`curienn.o3.spherical_harmonics`.

Design (see :mod:`curienn.o3._sh_coefficients` for the maths):

* **Forward.** A Cartesian recurrence on the solid harmonics :math:`r^l Y_l^m(\hat r)`
  (associated-Legendre recurrence in the polar coordinate :math:`y`, rotation by
  :math:`z + ix` for the two outermost orders).  It runs *channel-first*: the buffer is
  ``(dim, N)`` so every step is a few vectorised operations on contiguous rows, and one
  blocked transpose writes the ``(N, dim)`` output.  In eager mode the batch is processed in
  chunks of about ``_CHUNK_ELEMENTS`` output entries (small buffers that the allocator
  reuses instead of mapping fresh pages).  ``normalize=True`` happens inside, exactly as
  ``torch.nn.functional.normalize`` (so a zero vector gives 0, as in e3nn).
* **Backward.** A custom :class:`torch.autograd.Function`: the gradient of a degree-:math:`l`
  solid harmonic is a combination of at most five harmonics of degree :math:`l-1`, so the
  vector-Jacobian product is five products of shifted row windows and three matrix-vector
  products, then the analytic chain rule through the normalization.
* **Higher derivatives.** With ``create_graph=True`` the backward recomputes the harmonics
  through the same Function and uses only differentiable operations, so forces in a loss
  (grad of grad) work, to any order.
* **torch.compile.** Everything traces with ``fullgraph=True`` (one chunk when compiling).
"""

from __future__ import annotations

import math
from typing import Any, Optional

import torch

from ._sh_coefficients import block_scale, derivative_block, derivative_windows, recurrence_coefficients

def _coefficient_tensor(values: list[float], like: torch.Tensor) -> torch.Tensor:
    return torch.tensor(values, dtype=like.dtype, device=like.device)


def _cached(fn: Any, *args: Any) -> Any:
    # Dynamo does not honour lru_cache (it warns and traces the body): trace the plain function
    return (fn.__wrapped__ if torch.compiler.is_compiling() else fn)(*args)


_EPS = 1e-12
"""The ``eps`` of ``torch.nn.functional.normalize`` (used by e3nn for ``normalize=True``)."""

_CHUNK_ELEMENTS = 1 << 20
"""Eager mode works on batch chunks of about this many output elements: the buffers stay
small (cache friendly, and reused by the allocator instead of freshly mapped pages)."""


def _chunk_size(n: int, dim: int) -> int:
    if torch.compiler.is_compiling():
        return max(n, 1)  # one chunk: no specialisation on the batch size
    return max(1024, _CHUNK_ELEMENTS // dim)


def _channels_first_to_last(dst: torch.Tensor, src: torch.Tensor) -> None:
    """``dst (N, D) <- src (D, N)``, i.e. ``dst.copy_(src.t())``, faster: moving groups of 4
    consecutive batch entries as a 3-D permutation vectorises and threads better."""
    if dst.is_contiguous() and src.is_contiguous() and dst.shape[0] % 4 == 0:
        dst.view(-1, 4, dst.shape[1]).copy_(
            src.view(src.shape[0], -1, 4).permute(1, 2, 0)
        )
    else:
        dst.copy_(src.t())


def _channels_last_to_first(dst: torch.Tensor, src: torch.Tensor) -> None:
    """``dst (D, N) <- src (N, D)``, as :func:`_channels_first_to_last`."""
    if dst.is_contiguous() and src.is_contiguous() and dst.shape[1] % 4 == 0:
        dst.view(dst.shape[0], -1, 4).copy_(
            src.view(-1, 4, src.shape[1]).permute(2, 0, 1)
        )
    else:
        dst.copy_(src.t())


_TENSOR_CACHE: dict[tuple[Any, ...], Any] = {}
"""Eager-mode cache of coefficient tensors per (what, lmax, normalization, dtype, device)."""


def _tensor_cache(key: tuple[Any, ...], like: torch.Tensor, build: Any) -> Any:
    if torch.compiler.is_compiling():
        return build()
    key = (*key, like.dtype, like.device)
    value = _TENSOR_CACHE.get(key)
    if value is None:
        value = _TENSOR_CACHE[key] = build()
    return value


def _recurrence_tensors(
    lmax: int, normalization: str, like: torch.Tensor
) -> list[tuple[torch.Tensor, torch.Tensor, float]]:
    """``(A, B, E)`` of every step ``l = 2..lmax`` as (rows, 1) tensors (cached)."""
    return _tensor_cache(
        ("recurrence", lmax, normalization),
        like,
        lambda: _build_recurrence_tensors(lmax, normalization, like),
    )


def _build_recurrence_tensors(
    lmax: int, normalization: str, like: torch.Tensor
) -> list[tuple[torch.Tensor, torch.Tensor, float]]:
    out = []
    for l in range(2, lmax + 1):
        a, b, e = _cached(recurrence_coefficients, l, normalization)
        out.append(
            (
                _coefficient_tensor(a, like).unsqueeze(1),
                _coefficient_tensor(b, like).unsqueeze(1),
                e,
            )
        )
    return out


def _forward_channels_first(
    xt: torch.Tensor,
    lmax: int,
    normalization: str,
    coefficients: list[tuple[torch.Tensor, torch.Tensor, float]] | None = None,
    buf: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Solid harmonics of degrees ``0..lmax`` of the points ``xt`` (3, N), as ((lmax+1)^2, N)
    (written into ``buf`` when given).

    Every row is contiguous over the batch, so each recurrence step is a handful of
    vectorised operations on a ``(2l+1, N)`` block of one preallocated buffer.  These are
    the exact homogeneous polynomials (with :math:`r^2 = x^2 + y^2 + z^2`, not 1, even for
    normalized points, whose norm can be 0 or, below ``eps``, anything in between, as e3nn).
    """
    n = xt.shape[1]
    if coefficients is None:
        coefficients = _recurrence_tensors(lmax, normalization, xt)
    if buf is None:
        buf = xt.new_empty(((lmax + 1) ** 2, n))
    buf[0].fill_(block_scale(0, normalization))
    if lmax >= 1:
        torch.mul(xt, math.sqrt(3.0) * block_scale(1, normalization), out=buf[1:4])
    if lmax >= 2:
        py, pz = xt[1], xt[2]
        r2 = (xt * xt).sum(0)
        xm = torch.stack(
            [xt[0], -xt[0]]
        )  # (2, N): rows (x, -x) for the diagonal rotation
        for l in range(2, lmax + 1):
            at, bt, e = coefficients[l - 2]
            prev = buf[(l - 1) ** 2 : l * l]  # 2l-1 rows, m = -(l-1) .. l-1
            prev2 = buf[(l - 2) ** 2 : (l - 1) ** 2]  # 2l-3 rows
            cur = buf[l * l : (l + 1) * (l + 1)]  # 2l+1 rows
            # |m| <= l-1:  Y_l^m = A y Y_{l-1}^m - B r^2 Y_{l-2}^m
            mid = cur[1 : 2 * l]
            torch.mul(prev, py, out=mid)
            mid.mul_(at)
            mid[1:-1].addcmul_(prev2 * r2, bt, value=-1.0)
            # m = -l, l:  E (z Y^{-(l-1)} + x Y^{l-1}),  E (z Y^{l-1} - x Y^{-(l-1)})
            prev_d, cur_d = (
                prev[:: 2 * l - 2],
                cur[:: 2 * l],
            )  # rows (-(l-1), l-1) and (-l, l)
            cur_d.copy_(prev_d).mul_(
                pz
            )  # (no strided out=: unsupported by torch.compile)
            cur_d.addcmul_(prev_d.flip(0), xm).mul_(e)
    return buf


def _vjp_windows_differentiable(
    ycf: torch.Tensor, gcf: torch.Tensor, lmax: int, normalization: str
) -> torch.Tensor:
    r"""The windowed vector-Jacobian product of :func:`_vjp_windows` with differentiable
    operations only (slices, products, concatenations and matrix-vector products, whose own
    backward needs no scatter): used when the backward must itself be differentiated."""
    s1 = math.sqrt(3.0) * block_scale(1, normalization)
    # split (not slice) into degree blocks: the backward of a split is one concatenation,
    # that of each slice a zero-filled copy of the whole tensor
    sizes = [2 * l + 1 for l in range(lmax + 1)]
    g_blocks, y_blocks = gcf.split(sizes), ycf.split(sizes)
    gx = g_blocks[1] * s1
    if lmax < 2:
        return gx
    slots: list[list[torch.Tensor]] = [[] for _ in range(5)]
    for l in range(2, lmax + 1):
        g, y = g_blocks[l], y_blocks[l - 1]
        y_rev = y.flip(0)
        k = 2 * l - 1
        slots[0].append(g[2:] * y)
        slots[1].append(g[:k] * y)
        slots[2].append(g[1 : k + 1] * y)
        slots[3].append(g[:k] * y_rev)
        slots[4].append(g[2:] * y_rev)
    w_x, w_y, w_z = _tensor_cache(
        ("windows", lmax, normalization),
        ycf,
        lambda: _window_weights(lmax, normalization, ycf),
    )
    x_part = torch.cat(slots[3] + slots[4]).t() @ w_x
    y_part = torch.cat(slots[2]).t() @ w_y
    z_part = torch.cat(slots[0] + slots[1]).t() @ w_z
    return gx + torch.stack([x_part, y_part, z_part])


def _window_weights(
    lmax: int, normalization: str, like: torch.Tensor
) -> tuple[torch.Tensor, ...]:
    """``derivative_windows`` weights without degree 1, grouped by direction: x (slots 3, 4),
    y (slot 2), z (slots 0, 1), each flat and contiguous."""
    w = _coefficient_tensor(
        _cached(derivative_windows, lmax, normalization), like
    ).view(5, lmax * lmax)[:, 1:]
    return w[3:].flatten(), w[2].contiguous(), w[:2].flatten()


_GEMM_LMAX = (2, 3)
"""Degrees for which the first-order backward is one GEMM (:func:`_jacobian_matrix`), which
reads the ``(N, dim)`` cotangent in place instead of transposing it (measured on CPU at
50,000 points: 0.33 / 1.3 ms against 0.56 / 2.0 ms for the windowed products at lmax 2 / 3).
At lmax 1 the gradient is one scaled copy, and from lmax 4 the Jacobian's sparsity wins:
the windowed products of :func:`_vjp_windows` are used."""


def _jacobian_matrix(lmax: int, normalization: str, like: torch.Tensor) -> torch.Tensor:
    r"""``J`` ``(3 K, dim)`` with ``K = lmax^2``: :math:`\partial_k Y_t = \sum_{s < K} J[k K + s, t]\, Y_s`
    (the gradient of degree :math:`l` in terms of degree :math:`l - 1`, :func:`derivative_block`)."""
    def build() -> torch.Tensor:
        size, dim = lmax * lmax, (lmax + 1) ** 2
        jac = torch.zeros(3, size, dim, dtype=torch.float64)
        for l in range(1, lmax + 1):
            block = torch.tensor(_cached(derivative_block, l, normalization), dtype=torch.float64)
            jac[:, (l - 1) ** 2:l * l, l * l:(l + 1) ** 2] = block.view(3, 2 * l - 1, 2 * l + 1)
        return jac.view(3 * size, dim).to(dtype=like.dtype, device=like.device)

    return _tensor_cache(("jacobian", lmax, normalization), like, build)


def _vjp_gemm(ycf: torch.Tensor, grad: torch.Tensor, jac: torch.Tensor, h: torch.Tensor,
              out: torch.Tensor) -> None:
    r"""Vector-Jacobian product :math:`\sum_t g_t \partial_k Y_t` into ``out`` (3, n), from the
    ``(n, dim)`` cotangent ``grad``: ``H = J g^T`` (one GEMM into the ``(3 K, n)`` buffer ``h``,
    channel-first, reading ``grad`` in place), then :math:`\sum_s H[k K + s] Y_s` over the ``K``
    lower rows of ``ycf``."""
    size = jac.shape[0] // 3
    torch.mm(jac, grad.t(), out=h)
    h = h.view(3, size, -1)
    torch.mul(h[:, 0], ycf[0], out=out)
    for s in range(1, size):
        out.addcmul_(h[:, s], ycf[s])


def _vjp_windows(
    ycf: torch.Tensor,
    gcf: torch.Tensor,
    lmax: int,
    s1: float,
    w: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    work: torch.Tensor,
    out: torch.Tensor,
) -> None:
    r"""Vector-Jacobian product :math:`\sum_t g_t \, \partial_k Y_t`, written into ``out`` (3, N).

    :math:`\partial_k Y_t` is a combination of at most five harmonics of degree :math:`l-1`.
    Fast and non-differentiable (in-place); see :func:`_vjp_windows_differentiable`.

    Degree 1 is :math:`s_1 (x, y, z)`, so it contributes :math:`s_1 g_1`.  For each degree
    :math:`l \ge 2`, the five products of shifted row windows of ``gcf`` with the rows of
    degree :math:`l-1` (and their reversal) are written into ``work`` (5, lmax^2 - 1, N); three
    matrix-vector products with the ``derivative_windows`` weights ``w`` (per direction, see
    :func:`_window_weights`) add the rest.
    """
    torch.mul(gcf[1:4], s1, out=out)
    if lmax < 2:
        return
    for l in range(2, lmax + 1):
        rows = slice((l - 1) ** 2 - 1, l * l - 1)
        g = gcf[l * l : (l + 1) * (l + 1)]
        y = ycf[(l - 1) ** 2 : l * l]
        k = 2 * l - 1
        torch.mul(g[2:], y, out=work[0, rows])
        torch.mul(g[:k], y, out=work[1, rows])
        torch.mul(g[1 : k + 1], y, out=work[2, rows])
        y_rev = y.flip(0)
        torch.mul(g[:k], y_rev, out=work[3, rows])
        torch.mul(g[2:], y_rev, out=work[4, rows])
    out[0].addmv_(work[3:].flatten(0, 1).t(), w[0])  # x: slots 3, 4
    out[1].addmv_(work[2].t(), w[1])  # y: slot 2
    out[2].addmv_(work[:2].flatten(0, 1).t(), w[2])  # z: slots 0, 1


class _SolidHarmonics(torch.autograd.Function):
    """``x (N, 3) -> Y (N, (lmax+1)^2)`` with an analytic, differentiable backward.

    ``forward`` also returns the (normalized) points channel-first ``xt (3, N)`` and their
    norms ``r`` (non-differentiable), kept for the backward, which recomputes the harmonics
    of degree below ``lmax`` chunk by chunk (cheaper than keeping them: a fresh buffer costs
    more in first-touch page faults than the recurrence). When the backward itself must be
    differentiated (``create_graph=True``) the harmonics are recomputed through this
    Function, so the graph reaches ``x``.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        x: torch.Tensor, lmax: int, normalization: str, normalize: bool
    ) -> tuple[torch.Tensor, ...]:
        n, dim = x.shape[0], (lmax + 1) ** 2
        xt = x.new_empty((3, n))
        _channels_last_to_first(xt, x)
        if normalize:  # as torch.nn.functional.normalize: x / max(|x|, eps)
            r = (xt * xt).sum(0, keepdim=True).sqrt_()  # (linalg.vector_norm is slow along dim 0)
            xt = xt / r.clamp_min(_EPS)
        else:
            r = xt.new_empty((1, 0))
        out = x.new_empty((n, dim))
        chunk = _chunk_size(n, dim)
        coefficients = _recurrence_tensors(lmax, normalization, xt)
        scratch = xt.new_empty(dim * min(chunk, n))  # one buffer for every chunk
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            ycf = _forward_channels_first(xt[:, start:start + m], lmax, normalization, coefficients,
                                          scratch[:dim * m].view(dim, m))
            _channels_first_to_last(out[start:start + m], ycf)  # into the (N, dim) output
        return out, xt, r

    @staticmethod
    def setup_context(
        ctx: Any, inputs: tuple[Any, ...], output: tuple[torch.Tensor, ...]
    ) -> None:
        x, lmax, normalization, normalize = inputs
        ctx.mark_non_differentiable(*output[1:])
        ctx.set_materialize_grads(False)  # no zero cotangents for xt and r
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, *output[1:])
        ctx.lmax = lmax
        ctx.normalization = normalization
        ctx.normalize = normalize

    @staticmethod
    def backward(ctx: Any, grad: Optional[torch.Tensor], *_: Any) -> tuple[Any, ...]:  # type: ignore[override]
        if grad is None:
            return None, None, None, None
        x, xt, r = ctx.saved_tensors
        lmax, normalization = ctx.lmax, ctx.normalization
        if torch.is_grad_enabled():
            # create_graph=True: recompute the harmonics as a differentiable function of x, so
            # that the backward below (plain differentiable operations) can be differentiated again
            xh = torch.nn.functional.normalize(x, dim=-1, eps=_EPS) if ctx.normalize else x
            out = _SolidHarmonics.apply(xh, lmax, normalization, False)[0]
            gx = _vjp_windows_differentiable(
                out.t().contiguous(), grad.t().contiguous(), lmax, normalization
            )
            if ctx.normalize:
                rr = torch.linalg.vector_norm(x, dim=-1, keepdim=True).t()
                gx = _normalize_vjp(xh.t(), rr, gx)
            return gx.t(), None, None, None
        if lmax == 0:
            return x.new_zeros(x.shape), None, None, None
        gx = xt.new_empty(xt.shape)  # (3, N)
        _vjp_chunks(xt, grad, lmax, normalization, gx)
        if ctx.normalize:  # in place, as _normalize_vjp
            radial = (xt * gx).sum(0, keepdim=True).mul_(r >= _EPS)
            gx.addcmul_(xt, radial, value=-1.0).div_(r.clamp_min(_EPS))
        return gx.t(), None, None, None


def _vjp_chunks(xt: torch.Tensor, grad: torch.Tensor, lmax: int, normalization: str, gx: torch.Tensor) -> None:
    r"""First-order vector-Jacobian product into ``gx`` (3, N) for the points ``xt`` (3, N) and
    the cotangent ``grad`` (N, dim), chunk by chunk through reused buffers: the harmonics of
    degree below ``lmax`` are recomputed, then :func:`_vjp_gemm` or :func:`_vjp_windows`."""
    n, dim, size = xt.shape[1], (lmax + 1) ** 2, lmax * lmax
    if grad.stride(1) != 1:
        grad = grad.contiguous()
    gemm = _GEMM_LMAX[0] <= lmax <= _GEMM_LMAX[1]
    rows = 3 * size if gemm else dim + 5 * (size - 1)  # H, or the transposed cotangent and windows
    chunk = min(n, _chunk_size(n, max(rows, dim)))
    coefficients = _recurrence_tensors(lmax, normalization, xt)
    low = xt.new_empty(size * chunk)
    work = xt.new_empty(rows * chunk)
    if gemm:
        jac = _jacobian_matrix(lmax, normalization, grad)
    else:
        weights = _tensor_cache(("windows", lmax, normalization), grad,
                                lambda: _window_weights(lmax, normalization, grad))
        s1 = math.sqrt(3.0) * block_scale(1, normalization)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        ycf = _forward_channels_first(xt[:, start:start + m], lmax - 1, normalization, coefficients,
                                      low[:size * m].view(size, m))
        if gemm:
            _vjp_gemm(ycf, grad[start:start + m], jac, work[:rows * m].view(rows, m), gx[:, start:start + m])
        else:
            gcf = work[:dim * m].view(dim, m)
            _channels_last_to_first(gcf, grad[start:start + m])
            windows = work[dim * m:rows * m].view(5, size - 1, m)
            _vjp_windows(ycf, gcf, lmax, s1, weights, windows, gx[:, start:start + m])


def _normalize_vjp(xh: torch.Tensor, r: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    r"""Gradient through :math:`\hat x = x / \max(|x|, \epsilon)`, channel-first (3, N).

    :math:`(g - \hat x (\hat x \cdot g)) / |x|` where :math:`|x| \ge \epsilon`, else
    :math:`g / \epsilon` (the clamp blocks the radial term), exactly as autograd through
    ``torch.nn.functional.normalize``.  ``r`` is :math:`|x|` (1, N).
    """
    radial = (xh * g).sum(0, keepdim=True) * (r >= _EPS).to(g.dtype)
    return (g - xh * radial) / r.clamp_min(_EPS)
