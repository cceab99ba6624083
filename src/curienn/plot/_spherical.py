r"""Figures of signals on the sphere (the papers' projections), with matplotlib.

A signal :math:`f(\hat x) = \sum_l c^l \cdot Y^l(\hat x)` (``'integral'`` harmonics, the
convention of :class:`curienn.io.SphericalTensor` and :func:`curienn.io.project_point_cloud`)
is drawn as the surface :math:`\vec o + s\,|f(\hat x)|\,\hat x` coloured by :math:`f`
(diverging colormap centred on zero: lobes where :math:`f < 0` are blue, :math:`f > 0` red),
as in the figures of Smidt *et al.*

Functions draw into a 3D ``Axes`` (a new figure when ``ax`` is ``None``), save it when
``path`` is given and return the ``Axes``; ``ax.figure.savefig(path, dpi=...)`` saves it later.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Union

import torch

from curienn.o3 import Irreps, spherical_harmonics

from ._mpl import pyplot

__all__ = ["plot_signal", "plot_point_signals", "signal_surface"]


def _block_degrees(lmax_or_irreps: Union[int, str, Irreps], dim: int) -> list[tuple[int, int]]:
    """``[(l, width)]`` for each irrep copy of the coefficient vector."""
    if isinstance(lmax_or_irreps, int) and not isinstance(lmax_or_irreps, bool):
        if lmax_or_irreps < 0:
            raise ValueError(f"lmax must be non-negative, got {lmax_or_irreps}")
        irreps = Irreps.spherical_harmonics(lmax_or_irreps)
    else:
        try:
            irreps = Irreps(lmax_or_irreps)
        except ValueError as e:
            raise ValueError(f"give lmax (an int) or irreps, got {lmax_or_irreps!r}: {e}") from None
    if irreps.dim != dim:
        raise ValueError(f"signal has {dim} coefficients but {irreps} has dimension {irreps.dim}")
    return [(mul_ir.ir.l, mul_ir.ir.dim) for mul_ir in irreps for _ in range(mul_ir.mul)]


def signal_surface(
    signal: torch.Tensor,
    lmax_or_irreps: Union[int, str, Irreps],
    res: int = 60,
    center: Sequence[float] = (0.0, 0.0, 0.0),
    scale: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The surface :math:`\vec o + s\,|f(\hat x)|\,\hat x` on a closed ``(res + 1, 2 res + 1)``
    grid of polar and azimuthal angles: returns points ``(res+1, 2res+1, 3)`` and values
    :math:`f` ``(res+1, 2res+1)`` (float64)."""
    signal = torch.as_tensor(signal, dtype=torch.float64).detach().cpu()
    if signal.ndim != 1:
        raise ValueError(f"signal must be one coefficient vector, got shape {tuple(signal.shape)}")
    if not torch.isfinite(signal).all():
        raise ValueError("signal contains non-finite values")
    if isinstance(res, bool) or not isinstance(res, int) or res < 4:
        raise ValueError(f"res must be an integer >= 4, got {res!r}")
    blocks = _block_degrees(lmax_or_irreps, signal.shape[0])
    beta = torch.linspace(0, math.pi, res + 1, dtype=torch.float64)
    alpha = torch.linspace(0, 2 * math.pi, 2 * res + 1, dtype=torch.float64)
    b, a = torch.meshgrid(beta, alpha, indexing="ij")
    xyz = torch.stack([b.sin() * a.sin(), b.cos(), b.sin() * a.cos()], dim=-1)
    ls = sorted({l for l, _ in blocks})
    y = spherical_harmonics(list(range(max(ls) + 1)), xyz, False, normalization="integral")
    f = torch.zeros(b.shape, dtype=torch.float64)
    start = 0
    for l, width in blocks:
        f = f + y[..., l * l : (l + 1) ** 2] @ signal[start : start + width]
        start += width
    o = torch.as_tensor(center, dtype=torch.float64).reshape(3)
    return o + scale * f.abs()[..., None] * xyz, f


def _axes(ax):
    if ax is None:
        fig = pyplot().figure(figsize=(5.0, 5.0))
        ax = fig.add_subplot(projection="3d")
    elif getattr(ax, "name", None) != "3d":
        raise ValueError("ax must be a 3D Axes (fig.add_subplot(projection='3d'))")
    return ax


def _draw(ax, pts: torch.Tensor, f: torch.Tensor, vmax: float, cmap: str, alpha: float) -> Any:
    import matplotlib

    norm = matplotlib.colors.Normalize(vmin=-vmax, vmax=vmax)
    colors = matplotlib.colormaps[cmap](norm(f.numpy()))
    p = pts.numpy()
    return ax.plot_surface(
        p[..., 0], p[..., 1], p[..., 2], facecolors=colors, rstride=1, cstride=1,
        linewidth=0, antialiased=False, shade=True, alpha=alpha,
    )


def _finish(ax, extent: float, center, title: Optional[str], axes: bool, path: Optional[str], dpi: int) -> None:
    c = [float(v) for v in center]
    for setter, v in zip((ax.set_xlim, ax.set_ylim, ax.set_zlim), c):
        setter(v - extent, v + extent)
    ax.set_box_aspect((1, 1, 1))
    if axes:
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_zlabel("z")
    else:
        ax.set_axis_off()
    if title:
        ax.set_title(title)
    if path is not None:
        ax.figure.savefig(path, dpi=dpi, bbox_inches="tight")


def plot_signal(
    signal: torch.Tensor,
    lmax_or_irreps: Union[int, str, Irreps],
    ax: Any = None,
    center: Sequence[float] = (0.0, 0.0, 0.0),
    scale: float = 1.0,
    res: int = 60,
    cmap: str = "RdBu_r",
    alpha: float = 1.0,
    title: Optional[str] = None,
    axes: bool = True,
    path: Optional[str] = None,
    dpi: int = 150,
) -> Any:
    r"""Draw one spherical-harmonic signal as a surface of radius :math:`s|f|` coloured by
    :math:`f`.

    Args:
        signal: coefficients ``(dim,)``.
        lmax_or_irreps: ``lmax`` (irreps ``0e+1o+2e+...``) or the irreps of ``signal`` (each
            irrep copy of degree ``l`` contributes :math:`c \cdot Y^l`).
        ax: a 3D ``Axes``; ``None`` makes a new figure (Agg backend if none is set).
        center: where to draw the signal; scale: radius per unit of :math:`|f|`.
        res: angular resolution; cmap: a diverging matplotlib colormap; alpha: opacity.
        title, axes: title and whether to show the axes; path, dpi: save the figure.

    Returns:
        the ``Axes``.
    """
    pts, f = signal_surface(signal, lmax_or_irreps, res, center, scale)
    ax = _axes(ax)
    vmax = float(f.abs().max()) or 1.0
    _draw(ax, pts, f, vmax, cmap, alpha)
    extent = float((pts - torch.as_tensor(center, dtype=torch.float64)).abs().max()) * 1.05 or 1.0
    _finish(ax, extent, center, title, axes, path, dpi)
    return ax


def plot_point_signals(
    points: torch.Tensor,
    signals: torch.Tensor,
    lmax_or_irreps: Union[int, str, Irreps],
    ax: Any = None,
    scale: Optional[float] = None,
    res: int = 30,
    cmap: str = "RdBu_r",
    alpha: float = 0.9,
    point_color: str = "k",
    point_size: float = 30.0,
    edges: bool = False,
    title: Optional[str] = None,
    axes: bool = True,
    path: Optional[str] = None,
    dpi: int = 150,
) -> Any:
    r"""Draw a point set with a signal on each point (e.g. the network outputs of the papers'
    symmetry-breaking figures).

    Args:
        points: ``(N, 3)``; signals: ``(N, dim)``.
        lmax_or_irreps: as :func:`plot_signal`.
        ax: a 3D ``Axes`` or ``None``.
        scale: radius per unit of :math:`|f|`; default: the largest signal reaches 40 % of
            the smallest distance between two points.
        res: angular resolution of each surface; cmap, alpha: colours (one colour scale shared
            by all signals); point_color, point_size: the points; edges: draw the segments
            between nearest neighbours.
        title, axes, path, dpi: as :func:`plot_signal`.

    Returns:
        the ``Axes``.
    """
    points = torch.as_tensor(points, dtype=torch.float64).detach().cpu()
    signals = torch.as_tensor(signals, dtype=torch.float64).detach().cpu()
    if points.ndim != 2 or points.shape[-1] != 3:
        raise ValueError(f"points must have shape (N, 3), got {tuple(points.shape)}")
    if signals.ndim != 2 or signals.shape[0] != points.shape[0]:
        raise ValueError(f"signals must have shape ({points.shape[0]}, dim), got {tuple(signals.shape)}")
    surfaces = [signal_surface(s, lmax_or_irreps, res) for s in signals]
    fmax = max((float(f.abs().max()) for _, f in surfaces), default=0.0) or 1.0
    if scale is None:
        if points.shape[0] > 1:
            d = torch.cdist(points, points) + torch.eye(points.shape[0], dtype=torch.float64) * 1e300
            spacing = float(d.min())
        else:
            spacing = 1.0
        scale = 0.4 * (spacing if spacing > 0 else 1.0) / fmax
    ax = _axes(ax)
    for p, (pts, f) in zip(points, surfaces):
        _draw(ax, p + scale * pts, f, fmax, cmap, alpha)
    pn = points.numpy()
    if edges and points.shape[0] > 1:
        d = torch.cdist(points, points)
        nearest = float((d + torch.eye(len(points), dtype=torch.float64) * 1e300).min())
        for i in range(len(points)):
            for j in range(i + 1, len(points)):
                if d[i, j] < 1.01 * nearest:
                    ax.plot(*pn[[i, j]].T, color="0.5", linewidth=1.0)
    ax.scatter(pn[:, 0], pn[:, 1], pn[:, 2], color=point_color, s=point_size, depthshade=False)
    center = points.mean(0).tolist()
    extent = float((points - points.mean(0)).abs().max()) + scale * fmax * 1.1
    _finish(ax, extent or 1.0, center, title, axes, path, dpi)
    return ax
