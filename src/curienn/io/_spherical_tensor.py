r"""Signals on the sphere as spherical-harmonic coefficients (as ``e3nn.io.SphericalTensor``).

A signal :math:`f : S^2 \to \mathbb{R}` of degree at most :math:`L` is
:math:`f(\hat x) = \sum_{l \le L} c^l \cdot Y^l(\hat x)` with the ``'integral'``-normalized
real spherical harmonics (:math:`\int_{S^2} Y^l_m Y^{l'}_{m'} = \delta_{ll'}\delta_{mm'}`).
Under :math:`g \in O(3)` the coefficients transform with the irreps
:math:`\bigoplus_l l_{p_{val} p_{arg}^l}`: :math:`p_{val}` is the parity of the values and
:math:`p_{arg}` that of the argument (``SphericalTensor(L, 1, -1)`` is
``0e+1o+2e+...``, the irreps of ``Irreps.spherical_harmonics(L)``).
"""

from __future__ import annotations

import math
from typing import Optional

import torch

from curienn.o3 import InvalidArgumentError, Irreps, ShapeError, spherical_harmonics

from ._projection import _find_peaks, _peaks_signal
from ._s2grid import FromS2Grid, ToS2Grid

__all__ = ["SphericalTensor"]


def _as_float(x, name: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x, dtype=torch.get_default_dtype())
    if not torch.is_floating_point(x):
        x = x.to(torch.get_default_dtype())
    return x


def _points_and_values(positions, values) -> tuple[torch.Tensor, torch.Tensor]:
    """``positions (..., N, 3)`` and ``values`` broadcast to ``(..., N)``."""
    positions = _as_float(positions, "positions")
    values = _as_float(values, "values")
    if positions.ndim < 2 or positions.shape[-1] != 3:
        raise ValueError(f"positions must have shape (..., N, 3), got {tuple(positions.shape)}")
    positions, values = torch.broadcast_tensors(positions, values[..., None])
    return positions, values[..., 0]


class SphericalTensor(Irreps):
    r"""The irreps ``[(1, (l, p_val * p_arg**l)) for l in 0..lmax]`` of a signal on the sphere.

    Args:
        lmax: largest degree :math:`L`.
        p_val: parity of the values, ``1`` or ``-1``.
        p_arg: parity of the argument, ``1`` or ``-1``.

    Example:
        >>> SphericalTensor(3, 1, -1)
        1x0e+1x1o+1x2e+1x3o
    """

    p_val: int
    p_arg: int

    def __new__(cls, lmax: int, p_val: int, p_arg: int) -> "SphericalTensor":
        if isinstance(lmax, bool) or not isinstance(lmax, int) or lmax < 0:
            raise ValueError(f"lmax must be a non-negative integer, got {lmax!r}")
        for name, p in (("p_val", p_val), ("p_arg", p_arg)):
            if p not in (1, -1) or isinstance(p, bool):
                raise ValueError(f"{name} must be 1 or -1, got {p!r}")
        obj = super().__new__(cls, [(1, (l, p_val * p_arg**l)) for l in range(lmax + 1)])
        obj.p_val = p_val
        obj.p_arg = p_arg
        return obj

    def __getnewargs__(self) -> tuple:
        return (self.lmax, self.p_val, self.p_arg)

    # ------------------------------------------------------------------ helpers

    def _ls(self) -> list[int]:
        return list(range(self.lmax + 1))

    def _check_signal(self, signal: torch.Tensor) -> torch.Tensor:
        signal = _as_float(signal, "signal")
        if signal.ndim < 1 or signal.shape[-1] != self.dim:
            raise ValueError(f"signal must have shape (..., {self.dim}) for {self}, got {tuple(signal.shape)}")
        return signal

    # ------------------------------------------------------------------ constructors

    def with_peaks_at(self, vectors: torch.Tensor, values: Optional[torch.Tensor] = None) -> torch.Tensor:
        r"""The signal of least norm whose value in the direction of each vector is its length
        (or ``values``): :math:`c \cdot Y(\hat r_i) = \|\vec r_i\|` (least squares if
        impossible). Zero vectors and zero values are ignored.

        Args:
            vectors: ``(..., N, 3)``.
            values: ``(..., N)``, default the lengths.

        Returns:
            ``(..., dim)``.

        Raises:
            InvalidArgumentError: (a ``ValueError``, an ``AssertionError`` as in e3nn)
                ``p_val = -1`` (a length is even under parity), or bad shapes.
        """
        if self.p_val != 1:
            raise InvalidArgumentError(
                f"with_peaks_at needs p_val = 1 (the values are lengths, even under parity), got {self.p_val}"
            )
        vectors = _as_float(vectors, "vectors")
        if vectors.ndim < 2 or vectors.shape[-1] != 3:
            raise InvalidArgumentError(f"vectors must have shape (..., N, 3), got {tuple(vectors.shape)}")
        if values is None:
            values = vectors.norm(dim=-1)
        else:
            values = _as_float(values, "values").to(vectors.dtype)
            vectors, values = torch.broadcast_tensors(vectors, values[..., None])
            values = values[..., 0]
        return _peaks_signal(vectors, values, self._ls(), "integral")

    def sum_of_diracs(self, positions: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        r"""Sum of (band-limited) Dirac deltas :math:`f = \sum_i v_i \delta^L_{\hat r_i}`:

        .. math::

            c = \frac{4\pi}{(L+1)^2} \sum_i v_i\, Y(\hat r_i),

        normalized so that an isolated delta peaks at :math:`v_i`
        (:math:`Y(\hat r) \cdot Y(\hat r) = (L+1)^2 / 4\pi`).

        Args:
            positions: ``(..., N, 3)``; values: ``(..., N)`` (broadcast).

        Returns:
            ``(..., dim)``.
        """
        positions, values = _points_and_values(positions, values)
        y = spherical_harmonics(self._ls(), positions, True, normalization="integral")  # (..., N, dim)
        return 4 * math.pi / (self.lmax + 1) ** 2 * (y * values[..., None]).sum(-2)

    def from_samples_on_s2(self, positions: torch.Tensor, values: torch.Tensor, res: int = 100) -> torch.Tensor:
        r"""Coefficients of the piecewise-constant signal equal, at each point of the
        ``(res, res - 1)`` grid, to the value of the nearest sample (by direction), integrated
        with :class:`FromS2Grid` (``'integral'``).

        Args:
            positions: ``(..., N, 3)``; values: ``(..., N)`` (broadcast); res: grid resolution.

        Returns:
            ``(..., dim)``.
        """
        positions, values = _points_and_values(positions, values)
        frm = FromS2Grid((res, res - 1), self.lmax, normalization="integral", dtype=values.dtype, device=values.device)
        batch = positions.shape[:-2]
        if positions.shape[-2] == 0 or math.prod(batch) == 0:
            return values.new_zeros(*batch, self.dim)
        grid = frm.grid  # (res, res - 1, 3)
        unit = positions / positions.norm(dim=-1, keepdim=True).clamp(min=torch.finfo(positions.dtype).tiny)
        nearest = torch.einsum("bax,...nx->...ban", grid, unit).argmax(dim=-1)  # (..., res, res - 1)
        table = values[..., None, None, :].expand(*nearest.shape, values.shape[-1])
        f = torch.gather(table, -1, nearest[..., None])[..., 0]
        return frm(f)

    # ------------------------------------------------------------------ evaluation

    def norms(self, signal: torch.Tensor) -> torch.Tensor:
        """Norm of each degree's coefficients: ``(..., dim)`` -> ``(..., lmax + 1)``."""
        signal = self._check_signal(signal)
        return torch.stack([signal[..., s].norm(dim=-1) for s in self.slices()], dim=-1)

    def signal_xyz(self, signal: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        r""":math:`f(\vec r / \|\vec r\|)`: ``signal`` ``(*A, dim)`` and ``r`` ``(*B, 3)`` give
        ``(*A, *B)``."""
        signal = self._check_signal(signal)
        r = _as_float(r, "r")
        if r.ndim < 1 or r.shape[-1] != 3:
            raise ValueError(f"r must have shape (..., 3), got {tuple(r.shape)}")
        y = spherical_harmonics(self._ls(), r.reshape(-1, 3), True, normalization="integral")  # (nB, dim)
        out = signal @ y.T.to(signal.dtype)
        return out.reshape(*signal.shape[:-1], *r.shape[:-1])

    def signal_on_grid(self, signal: torch.Tensor, res: int = 100, normalization: str = "integral"):
        """The signal on the ``(res, res - 1)`` grid of :class:`ToS2Grid`: returns
        ``(grid, values)`` of shapes ``(res, res - 1, 3)`` and ``(..., res, res - 1)``."""
        signal = self._check_signal(signal)
        to = ToS2Grid(self.lmax, res, normalization=normalization, dtype=signal.dtype, device=signal.device)
        return to.grid, to(signal)

    def find_peaks(self, signal: torch.Tensor, res: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
        r"""Local maxima of the signal ``(dim,)``: positions ``(K, 3)`` (unit vectors) and values
        ``(K,)``, sorted by decreasing value.

        Maxima on a near-uniform grid of about ``res**2 / 4`` directions (a point at least as
        large as its neighbours) are refined by Newton ascent on the sphere, so the positions
        are exact to about :math:`10^{-7}` rather than to the grid spacing.
        """
        signal = self._check_signal(signal)
        if signal.ndim != 1:
            raise ShapeError(f"find_peaks takes one signal of shape ({self.dim},), got {tuple(signal.shape)}")
        if isinstance(res, bool) or not isinstance(res, int) or res < 8:
            raise ValueError(f"res must be an integer >= 8, got {res!r}")
        return _find_peaks(signal, self._ls(), "integral", n_grid=max(256, res * res // 4))
