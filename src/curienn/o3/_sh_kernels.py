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
from typing import Any

import torch

from ._sh_coefficients import block_scale, derivative_windows, recurrence_coefficients

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
) -> torch.Tensor:
    r"""Solid harmonics of degrees ``0..lmax`` of the points ``xt`` (3, N), as ((lmax+1)^2, N).

    Every row is contiguous over the batch, so each recurrence step is a handful of
    vectorised operations on a ``(2l+1, N)`` block of one preallocated buffer.  These are
    the exact homogeneous polynomials (with :math:`r^2 = x^2 + y^2 + z^2`, not 1, even for
    normalized points, whose norm can be 0 or, below ``eps``, anything in between, as e3nn).
    """
    n = xt.shape[1]
    if coefficients is None:
        coefficients = _recurrence_tensors(lmax, normalization, xt)
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

    ``forward`` also returns its channel-first chunk buffers (non-differentiable), kept for
    a fast first-order backward (the returned output is not saved, so in-place edits of it
    are allowed); when the backward itself must be differentiated (``create_graph=True``)
    the harmonics are recomputed through this Function, so the graph reaches ``x``.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        x: torch.Tensor, lmax: int, normalization: str, normalize: bool
    ) -> tuple[torch.Tensor, ...]:
        n, dim = x.shape[0], (lmax + 1) ** 2
        xt = x.new_empty((3, n))
        _channels_last_to_first(xt, x)
        if normalize:  # as torch.nn.functional.normalize: x / max(|x|, eps)
            r = (
                (xt * xt).sum(0, keepdim=True).sqrt_()
            )  # (linalg.vector_norm is slow along dim 0)
            xt = xt / r.clamp_min(_EPS)
        else:
            r = xt.new_empty((1, 0))
        out = x.new_empty((n, dim))
        chunk = _chunk_size(n, dim)
        coefficients = _recurrence_tensors(lmax, normalization, xt)
        buffers = []
        for start in range(0, n, chunk):
            ycf = _forward_channels_first(
                xt[:, start : start + chunk], lmax, normalization, coefficients
            )
            _channels_first_to_last(
                out[start : start + chunk], ycf
            )  # into the (N, dim) output
            buffers.append(ycf)
        return (out, xt, r, *buffers)

    @staticmethod
    def setup_context(
        ctx: Any, inputs: tuple[Any, ...], output: tuple[torch.Tensor, ...]
    ) -> None:
        x, lmax, normalization, normalize = inputs
        ctx.mark_non_differentiable(*output[1:])
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, *output[1:])
        ctx.lmax = lmax
        ctx.normalization = normalization
        ctx.normalize = normalize

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor, *_: Any) -> tuple[Any, ...]:  # type: ignore[override]
        x, xt, r, *buffers = ctx.saved_tensors
        lmax, normalization = ctx.lmax, ctx.normalization
        if torch.is_grad_enabled():
            # create_graph=True: recompute the harmonics as a differentiable function of x, so
            # that the backward below (plain differentiable operations) can be differentiated again
            xh = (
                torch.nn.functional.normalize(x, dim=-1, eps=_EPS)
                if ctx.normalize
                else x
            )
            out = _SolidHarmonics.apply(xh, lmax, normalization, False)[0]
            gx = _vjp_windows_differentiable(
                out.t().contiguous(), grad.t().contiguous(), lmax, normalization
            )
            if ctx.normalize:
                rr = torch.linalg.vector_norm(x, dim=-1, keepdim=True).t()
                gx = _normalize_vjp(xh.t(), rr, gx)
            return gx.t(), None, None, None
        if lmax == 0 or not buffers:
            return x.new_zeros(x.shape), None, None, None
        gx = xt.new_empty(xt.shape)  # (3, N)
        grad = grad.contiguous()
        chunk = buffers[0].shape[1]
        work = grad.new_empty((5, lmax * lmax - 1, chunk))
        w_x, w_y, w_z = _tensor_cache(
            ("windows", lmax, normalization),
            grad,
            lambda: _window_weights(lmax, normalization, grad),
        )
        s1 = math.sqrt(3.0) * block_scale(1, normalization)
        start = 0
        for ycf in buffers:
            stop = start + ycf.shape[1]
            gcf = grad.new_empty((grad.shape[1], stop - start))
            _channels_last_to_first(gcf, grad[start:stop])
            _vjp_windows(
                ycf,
                gcf,
                lmax,
                s1,
                (w_x, w_y, w_z),
                work[:, :, : stop - start],
                gx[:, start:stop],
            )
            start = stop
        if ctx.normalize:  # in place, as _normalize_vjp
            radial = (xt * gx).sum(0, keepdim=True).mul_(r >= _EPS)
            gx.addcmul_(xt, radial, value=-1.0).div_(r.clamp_min(_EPS))
        return gx.t(), None, None, None


def _normalize_vjp(xh: torch.Tensor, r: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    r"""Gradient through :math:`\hat x = x / \max(|x|, \epsilon)`, channel-first (3, N).

    :math:`(g - \hat x (\hat x \cdot g)) / |x|` where :math:`|x| \ge \epsilon`, else
    :math:`g / \epsilon` (the clamp blocks the radial term), exactly as autograd through
    ``torch.nn.functional.normalize``.  ``r`` is :math:`|x|` (1, N).
    """
    radial = (xh * g).sum(0, keepdim=True) * (r >= _EPS).to(g.dtype)
    return (g - xh * radial) / r.clamp_min(_EPS)
