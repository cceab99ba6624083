r"""Point-cloud projection onto spherical harmonics, and its inverse.

The papers (Smidt *et al.*, "Finding symmetry breaking order parameters with Euclidean
neural networks", Eq. 17, and "Euclidean symmetry and equivariance in machine learning",
Eq. 2--3) represent a vector :math:`\vec r` seen from an origin as the spherical-harmonic
signal

.. math::

    f_{\vec r}(\hat x) = \sum_{l=0}^{L} \underbrace{\|\vec r\|\, Y^l(\hat r)}_{F^l}
    \cdot Y^l(\hat x),

a smeared delta in the direction :math:`\hat r` weighted by the length. Because the basis
is truncated at :math:`L`, :math:`f_{\vec r}(\hat r) = \|\vec r\| \, \|Y(\hat r)\|^2 \ne
\|\vec r\|`; the papers *rescale* the signal so that its value in the direction of the
vector is its length:

.. math::

    c = \|\vec r\| \, \frac{Y(\hat r)}{Y(\hat r) \cdot Y(\hat r)}, \qquad
    f(\hat r) = c \cdot Y(\hat r) = \|\vec r\|.

A point cloud :math:`\{\vec r_i\}` around an origin becomes one signal: the sum of the
per-vector projections, or (``rescale=True``) the minimum-norm signal in the span of
:math:`\{Y(\hat r_i)\}` whose value in each direction :math:`\hat r_i` is
:math:`\|\vec r_i\|` (least squares when that is impossible), as
``SphericalTensor.with_peaks_at``. The inverse, :func:`points_from_signal`, finds the peaks
of the signal on a fine grid, refines them by gradient ascent on the sphere and returns
``value * direction + origin``.

All coefficients use the irreps ``Irreps.spherical_harmonics(lmax)`` =
``0e + 1o + 2e + ...`` (dimension :math:`(L+1)^2`); the map is equivariant:
``project(R x) = D(R) project(x)`` for rotations and inversions.
"""

from __future__ import annotations

import functools
import math
from typing import Optional, Union

import numpy as np
import torch

from curienn.o3 import spherical_harmonics

__all__ = ["project_vectors", "project_point_cloud", "points_from_signal"]

_NORMALIZATIONS = ("integral", "component", "norm")


def _check_lmax(lmax: int) -> int:
    if isinstance(lmax, bool) or not isinstance(lmax, int) or lmax < 0:
        raise ValueError(f"lmax must be a non-negative integer, got {lmax!r}")
    return lmax


def _check_normalization(normalization: str) -> str:
    if normalization not in _NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {_NORMALIZATIONS}, got {normalization!r}")
    return normalization


def _check_vectors(x: torch.Tensor, name: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x, dtype=torch.get_default_dtype())
    if x.ndim < 1 or x.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (..., 3), got {tuple(x.shape)}")
    if not torch.is_floating_point(x):
        x = x.to(torch.get_default_dtype())
    if not torch.compiler.is_compiling() and not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains non-finite values")
    return x


def project_vectors(
    vectors: torch.Tensor, lmax: int, normalization: str = "integral", rescale: bool = True
) -> torch.Tensor:
    r"""Project each vector onto spherical harmonics (the papers' Eq. 17).

    .. math::

        c_i = \|\vec v_i\|\, Y(\hat v_i) \quad (\texttt{rescale=False}), \qquad
        c_i = \|\vec v_i\|\, \frac{Y(\hat v_i)}{Y(\hat v_i)\cdot Y(\hat v_i)}
        \quad (\texttt{rescale=True}),

    so that with ``rescale=True`` the signal :math:`f_i(\hat x) = c_i \cdot Y(\hat x)` equals
    :math:`\|\vec v_i\|` in the direction :math:`\hat v_i`. A zero vector gives a zero signal.

    Args:
        vectors: tensor of shape ``(..., 3)`` (one vector per row).
        lmax: largest degree :math:`L`.
        normalization: of the spherical harmonics, ``'integral'``, ``'component'`` or
            ``'norm'``.
        rescale: divide by :math:`\|Y(\hat v)\|^2` (the papers' rescaling).

    Returns:
        tensor of shape ``(..., (lmax+1)**2)`` with irreps ``Irreps.spherical_harmonics(lmax)``.
    """
    lmax = _check_lmax(lmax)
    _check_normalization(normalization)
    vectors = _check_vectors(vectors, "vectors")
    r = vectors.norm(dim=-1, keepdim=True)
    nonzero = r > 0
    safe = torch.where(nonzero, vectors, torch.ones_like(vectors))
    y = spherical_harmonics(list(range(lmax + 1)), safe, normalize=True, normalization=normalization)
    c = r * y
    if rescale:
        c = c / y.pow(2).sum(dim=-1, keepdim=True)
    return torch.where(nonzero, c, torch.zeros_like(c))


def _peaks_signal(
    vectors: torch.Tensor,
    values: torch.Tensor,
    ls: list[int],
    normalization: str,
) -> torch.Tensor:
    r"""Minimum-norm ``c`` with ``c . Y(v_i) = values_i`` (least squares), zero rows ignored.

    ``vectors``: ``(..., N, 3)``, ``values``: ``(..., N)``; returns ``(..., dim)``.
    """
    r = vectors.norm(dim=-1, keepdim=True)
    keep = (r > 0) & (values[..., None] != 0)
    safe = torch.where(r > 0, vectors, torch.ones_like(vectors))
    y = spherical_harmonics(ls, safe, normalize=True, normalization=normalization)  # (..., N, dim)
    y = torch.where(keep, y, torch.zeros_like(y))
    values = torch.where(keep[..., 0], values, torch.zeros_like(values))
    if y.shape[-2] == 0:
        return y.new_zeros(*y.shape[:-2], y.shape[-1])
    # c = Y^+ values: the minimum-norm (least-squares) solution of Y c = values; it lies in the
    # span of the Y(v_i) and is equivariant because D(R) is orthogonal.
    return (torch.linalg.pinv(y) @ values[..., None])[..., 0]


def project_point_cloud(
    points: torch.Tensor,
    lmax: int,
    origin: Optional[torch.Tensor] = None,
    normalization: str = "integral",
    rescale: bool = True,
) -> torch.Tensor:
    r"""Project a point cloud around an origin onto one spherical-harmonic signal.

    With :math:`\vec r_i = \vec p_i - \vec o`:

    - ``rescale=False``: :math:`c = \sum_i \|\vec r_i\|\, Y(\hat r_i)` (sum of the papers'
      Eq. 17 projections, weighted by radius);
    - ``rescale=True`` (the papers' figures): the minimum-norm :math:`c` in the span of
      :math:`\{Y(\hat r_i)\}` with :math:`c \cdot Y(\hat r_i) = \|\vec r_i\|` for every point
      (least squares if the degree is too low to satisfy them all) -- the value of the
      signal in the direction of each point is its distance to the origin.

    Points at the origin are ignored.

    Args:
        points: tensor of shape ``(..., N, 3)``.
        lmax: largest degree.
        origin: tensor of shape ``(..., 3)``; ``None`` means the centroid of the points.
        normalization: of the spherical harmonics.
        rescale: see above.

    Returns:
        tensor of shape ``(..., (lmax+1)**2)`` (irreps ``Irreps.spherical_harmonics(lmax)``).
    """
    lmax = _check_lmax(lmax)
    _check_normalization(normalization)
    points = _check_vectors(points, "points")
    if points.ndim < 2:
        raise ValueError(f"points must have shape (..., N, 3), got {tuple(points.shape)}")
    if origin is None:
        if points.shape[-2] == 0:
            origin = points.new_zeros(*points.shape[:-2], 3)
        else:
            origin = points.mean(dim=-2)
    else:
        origin = _check_vectors(torch.as_tensor(origin, dtype=points.dtype, device=points.device), "origin")
    vectors = points - origin[..., None, :]
    if not rescale:
        return project_vectors(vectors, lmax, normalization, rescale=False).sum(dim=-2)
    return _peaks_signal(vectors, vectors.norm(dim=-1), list(range(lmax + 1)), normalization)


# ----------------------------------------------------------------------------------------
# Peak finding on the sphere
# ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _fibonacci_grid(n: int, dtype: torch.dtype, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` near-uniform unit vectors (golden spiral) and the indices of their 8 nearest
    neighbours, ``(n, 3)`` and ``(n, 8)``."""
    i = torch.arange(n, dtype=torch.float64) + 0.5
    y = 1 - 2 * i / n
    phi = math.pi * (3 - math.sqrt(5)) * i
    s = (1 - y * y).clamp(min=0).sqrt()
    xyz = torch.stack([s * torch.sin(phi), y, s * torch.cos(phi)], dim=-1)
    k = min(8, n - 1)
    nb = torch.cat(
        [(chunk @ xyz.T).topk(k + 1, dim=-1).indices[:, 1:] for chunk in xyz.split(1024)]
    )  # nearest = largest dot product; the first is the point itself
    return xyz.to(dtype=dtype, device=device), nb.to(device=device)


def _tangent_basis(u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Two unit vectors orthogonal to each row of ``u`` ``(K, 3)`` and to each other."""
    helper = torch.zeros_like(u)
    helper[:, 0] = 1.0
    helper = torch.where((u[:, :1].abs() > 0.9), torch.roll(helper, 1, dims=-1), helper)
    e1 = torch.linalg.cross(u, helper)
    e1 = e1 / e1.norm(dim=-1, keepdim=True)
    return e1, torch.linalg.cross(u, e1)


def _exp(u: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """The point reached from ``u`` along the tangent vector ``d`` (great circle)."""
    t = d.norm(dim=-1, keepdim=True)
    out = u * torch.cos(t) + d * torch.sinc(t / math.pi)
    return out / out.norm(dim=-1, keepdim=True)


def _refine_peaks(
    c: torch.Tensor, u: torch.Tensor, ls: list[int], normalization: str, steps: int = 12
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Newton ascent of :math:`f(\hat x) = c \cdot Y(\hat x)` on the sphere from each row of
    ``u`` ``(K, 3)``, in float64.

    Gradient and Hessian in the exponential chart at the current point come from a
    7-point finite-difference stencil (one batched evaluation); the Newton step is taken
    when the Hessian is negative definite, otherwise a gradient step, both clipped to
    0.1 rad and kept only if :math:`f` does not decrease.
    """
    dtype = c.dtype
    c = c.detach().to(torch.float64)
    u = u.detach().to(torch.float64)
    h = 1e-3

    def f_of(x: torch.Tensor) -> torch.Tensor:
        return spherical_harmonics(ls, x, normalize=True, normalization=normalization) @ c

    f0 = f_of(u)
    for _ in range(steps):
        if u.shape[0] == 0:
            break
        e1, e2 = _tangent_basis(u)
        offsets = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1)]
        pts = torch.stack([_exp(u, h * (a * e1 + b * e2)) for a, b in offsets])  # (6, K, 3)
        fp = f_of(pts)
        f10, fm10, f01, f0m1, f11, fm1m1 = fp
        g = torch.stack([(f10 - fm10) / (2 * h), (f01 - f0m1) / (2 * h)], dim=-1)
        h11 = (f10 - 2 * f0 + fm10) / h**2
        h22 = (f01 - 2 * f0 + f0m1) / h**2
        h12 = (f11 - f10 - f01 + 2 * f0 - fm10 - f0m1 + fm1m1) / (2 * h**2)
        det = h11 * h22 - h12 * h12
        concave = (h11 < 0) & (det > 0)
        safe_det = torch.where(concave, det, torch.ones_like(det))
        newton = -torch.stack([h22 * g[:, 0] - h12 * g[:, 1], -h12 * g[:, 0] + h11 * g[:, 1]], dim=-1)
        newton = newton / safe_det[:, None]
        gn = g.norm(dim=-1, keepdim=True)
        grad_step = 0.05 * g / gn.clamp(min=1e-300)
        s = torch.where(concave[:, None], newton, grad_step)
        sn = s.norm(dim=-1, keepdim=True)
        s = s * (0.1 / sn.clamp(min=0.1))
        moved, f_best = u, f0
        accepted = torch.zeros_like(f0, dtype=torch.bool)
        for scale in (1.0, 0.25, 0.0625):
            trial = _exp(u, scale * (s[:, :1] * e1 + s[:, 1:] * e2))
            ft = f_of(trial)
            take = (ft >= f0) & ~accepted
            moved = torch.where(take[:, None], trial, moved)
            f_best = torch.where(take, ft, f_best)
            accepted = accepted | take
            if bool(accepted.all()):
                break
        if bool((moved - u).abs().max() < 1e-12):
            u, f0 = moved, f_best
            break
        u, f0 = moved, f_best
    return u.to(dtype), f0.to(dtype)


def _find_peaks(
    c: torch.Tensor,
    ls: list[int],
    normalization: str,
    n_grid: int = 2000,
    merge_angle: float = 0.02,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""All local maxima of :math:`f(\hat x) = c \cdot Y(\hat x)` on the sphere.

    ``c``: ``(dim,)``. Local maxima of ``f`` on a Fibonacci grid of ``n_grid`` points (a
    point at least as large as its 8 nearest neighbours) are refined by gradient ascent and
    merged when closer than ``merge_angle`` radians. Returns directions ``(K, 3)`` and
    values ``(K,)`` sorted by decreasing value.
    """
    xyz, nb = _fibonacci_grid(n_grid, c.dtype, str(c.device))
    f = spherical_harmonics(ls, xyz, normalize=True, normalization=normalization) @ c.detach()
    is_max = (f[:, None] >= f[nb]).all(dim=-1)
    u, val = _refine_peaks(c, xyz[is_max], ls, normalization)
    order = torch.argsort(val, descending=True)
    u, val = u[order], val[order]
    close = (u @ u.T > math.cos(merge_angle)).cpu().numpy()
    suppressed = np.zeros(u.shape[0], dtype=bool)
    keep: list[int] = []
    for i in range(u.shape[0]):
        if not suppressed[i]:
            keep.append(i)
            suppressed |= close[i]
    idx = torch.tensor(keep, dtype=torch.long, device=u.device)
    return u[idx], val[idx]


def points_from_signal(
    signal: torch.Tensor,
    lmax: int,
    origin: Optional[torch.Tensor] = None,
    normalization: str = "integral",
    n_points: Optional[int] = None,
    threshold: float = 0.5,
    n_grid: int = 2000,
) -> Union[torch.Tensor, list[torch.Tensor]]:
    r"""Recover a point cloud from its projection (the inverse of :func:`project_point_cloud`).

    The peaks of :math:`f(\hat x) = c \cdot Y(\hat x)` are located on a Fibonacci grid of
    ``n_grid`` directions and refined by gradient ascent on the sphere; each peak
    :math:`(\hat x_k, f(\hat x_k))` gives the point :math:`\vec o + f(\hat x_k)\, \hat x_k`.

    Args:
        signal: coefficients of shape ``((lmax+1)**2,)`` or ``(B, (lmax+1)**2)``.
        lmax: largest degree of the signal.
        origin: ``(3,)`` (or ``(B, 3)``) added to every point; default zero.
        normalization: of the spherical harmonics used to build the signal.
        n_points: return exactly the ``n_points`` highest peaks (fewer if there are fewer);
            ``None``: every peak above ``threshold``.
        threshold: with ``n_points=None``, keep peaks whose value exceeds
            ``threshold * (largest peak value)``; small lobes are truncation artefacts.
        n_grid: number of grid directions of the coarse search.

    Returns:
        points of shape ``(K, 3)`` sorted by decreasing peak value, or a list of them for a
        batch of signals.
    """
    lmax = _check_lmax(lmax)
    _check_normalization(normalization)
    if not isinstance(signal, torch.Tensor):
        signal = torch.as_tensor(signal, dtype=torch.get_default_dtype())
    dim = (lmax + 1) ** 2
    if signal.ndim not in (1, 2) or signal.shape[-1] != dim:
        raise ValueError(f"signal must have shape ({dim},) or (B, {dim}) for lmax={lmax}, got {tuple(signal.shape)}")
    if n_points is not None and (isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 0):
        raise ValueError(f"n_points must be a non-negative integer or None, got {n_points!r}")
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must lie in [0, 1], got {threshold!r}")
    if isinstance(n_grid, bool) or not isinstance(n_grid, int) or n_grid < 16:
        raise ValueError(f"n_grid must be an integer >= 16, got {n_grid!r}")
    if signal.ndim == 2:
        origins = [None] * signal.shape[0] if origin is None else torch.as_tensor(origin).expand(signal.shape[0], 3)
        return [
            points_from_signal(s, lmax, o, normalization, n_points, threshold, n_grid)  # type: ignore[arg-type]
            for s, o in zip(signal, origins)
        ]
    ls = list(range(lmax + 1))
    u, val = _find_peaks(signal, ls, normalization, n_grid)
    if n_points is not None:
        u, val = u[:n_points], val[:n_points]
    elif val.numel() > 0:
        keep = val > threshold * val[0].clamp(min=0)
        u, val = u[keep], val[keep]
    pts = val[:, None] * u
    if origin is not None:
        pts = pts + torch.as_tensor(origin, dtype=pts.dtype, device=pts.device)
    return pts
