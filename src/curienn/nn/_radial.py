"""Radial functions: smooth steps, cutoffs and one-hot-like bases of the distance.

Numbers equal ``e3nn.math.soft_one_hot_linspace``, ``e3nn.math.soft_unit_step``,
``e3nn.math.bessel`` and ``smooth_cutoff`` of ``e3nn.nn.models.gate_points_2101``
(e3nn 0.6.0).
"""

from __future__ import annotations

import math
from typing import Optional

import torch

from ..o3 import InvalidArgumentError

__all__ = ["soft_unit_step", "soft_one_hot_linspace", "bessel", "smooth_cutoff"]

_BASES = ("gaussian", "cosine", "smooth_finite", "fourier", "bessel")

# e^2 times the constant e3nn uses so that the smooth_finite basis has second
# moment ~1; the product of the two is the peak height 1.14136 e^2 e^{-1/1 - 1/1}.
_SMOOTH_FINITE_SCALE = 1.14136 * math.exp(2.0)


class _SoftUnitStep(torch.autograd.Function):
    r"""θ(x) e^{-1/x} with the derivative θ(x) e^{-1/x} / x², safe at x <= 0."""

    @staticmethod
    def forward(x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        positive = x > 0.0
        safe = torch.where(positive, x, torch.ones_like(x))
        return torch.where(positive, torch.exp(-1.0 / safe), torch.zeros_like(x))

    @staticmethod
    def setup_context(ctx, inputs, output) -> None:  # type: ignore[override]
        (x,) = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        (x,) = ctx.saved_tensors
        positive = x > 0.0
        safe = torch.where(positive, x, torch.ones_like(x))
        slope = torch.where(positive, torch.exp(-1.0 / safe) / (safe * safe), torch.zeros_like(x))
        return grad * slope


def soft_unit_step(x: torch.Tensor) -> torch.Tensor:
    r"""Smooth (:math:`C^\infty`) unit step :math:`x \mapsto \theta(x)\, e^{-1/x}`.

    It is exactly 0 for :math:`x \le 0` and tends to 1 as :math:`x \to \infty`.
    The gradient :math:`\theta(x)\, e^{-1/x} / x^2` is finite everywhere (0 for
    :math:`x \le 0`): the division by :math:`x` only ever sees positive values.

    Args:
        x: tensor of shape ``(...)``.

    Returns:
        tensor of shape ``(...)``.

    Example:
        >>> soft_unit_step(torch.tensor([-1.0, 0.0, 1.0]))
        tensor([0.0000, 0.0000, 0.3679])
    """
    return _SoftUnitStep.apply(x)


def soft_one_hot_linspace(
    x: torch.Tensor,
    start: float,
    end: float,
    number: int,
    basis: Optional[str] = None,
    cutoff: Optional[bool] = None,
) -> torch.Tensor:
    r"""Project ``x`` on ``number`` smooth bumps spread evenly over ``[start, end]``.

    With ``cutoff=False`` the centres are ``linspace(start, end, number)``; with
    ``cutoff=True`` they are the inner points of ``linspace(start, end, number + 2)``,
    so that every basis function (except ``gaussian``, which only decays) vanishes
    outside ``(start, end)``. With :math:`\delta` the spacing of the centres
    :math:`c_i` and :math:`d_i = (x - c_i)/\delta`:

    - ``gaussian``: :math:`e^{-d_i^2} / 1.12`;
    - ``cosine``: :math:`\cos(\pi d_i / 2)` on :math:`|d_i| < 1`, else 0;
    - ``smooth_finite``: :math:`1.14136\, e^2\, u(d_i + 1)\, u(1 - d_i)` with
      :math:`u` = :func:`soft_unit_step`;
    - ``fourier``: with :math:`t = (x - \text{start})/(\text{end} - \text{start})`,
      :math:`\cos(\pi i t)` for :math:`i = 0..N-1` (no cutoff) or
      :math:`\sin(\pi i t)\,[0 < t < 1]` for :math:`i = 1..N` (cutoff), both divided by
      :math:`\sqrt{1/4 + N/2}`;
    - ``bessel``: with :math:`r = x - \text{start}`, :math:`c = \text{end} - \text{start}`,
      :math:`\sqrt{2/c}\,\sin(i\pi r/c)/r` for :math:`i = 1..N`, times
      :math:`[0 < r < c]` with cutoff (not normalized, and singular at :math:`r = 0`).

    The constants make :math:`\sum_i y_i(x)^2 \approx 1` inside the interval.

    Args:
        x: tensor of shape ``(...)``.
        start: lower end of the interval.
        end: upper end of the interval.
        number: number of basis functions :math:`N`.
        basis: one of ``"gaussian"``, ``"cosine"``, ``"smooth_finite"``, ``"fourier"``,
            ``"bessel"``.
        cutoff: whether the functions vanish outside ``(start, end)``; must be a bool.

    Returns:
        tensor of shape ``(..., number)``.

    Raises:
        ValueError: if ``cutoff`` is not a bool or ``basis`` is unknown.

    Example:
        >>> soft_one_hot_linspace(torch.tensor([0.5]), 0.0, 1.0, 3, "cosine", False)
        tensor([[-0., 1., -0.]])
    """
    if not isinstance(cutoff, bool):
        raise ValueError(f"cutoff must be True or False, got cutoff={cutoff!r}")
    if basis not in _BASES:
        raise ValueError(f"basis={basis!r} is not one of {_BASES}")

    if cutoff:
        values = torch.linspace(start, end, number + 2, dtype=x.dtype, device=x.device)
        step = values[1] - values[0]
        values = values[1:-1]
    else:
        values = torch.linspace(start, end, number, dtype=x.dtype, device=x.device)
        step = values[1] - values[0]

    if basis == "gaussian":
        diff = (x[..., None] - values) / step
        return diff.pow(2).neg().exp().div(1.12)

    if basis == "cosine":
        diff = (x[..., None] - values) / step
        return torch.cos(math.pi / 2 * diff) * (diff < 1) * (-1 < diff)

    if basis == "smooth_finite":
        diff = (x[..., None] - values) / step
        return _SMOOTH_FINITE_SCALE * soft_unit_step(diff + 1) * soft_unit_step(1 - diff)

    if basis == "fourier":
        t = (x[..., None] - start) / (end - start)
        norm = math.sqrt(0.25 + number / 2)
        if cutoff:
            i = torch.arange(1, number + 1, dtype=x.dtype, device=x.device)
            return torch.sin(math.pi * i * t) / norm * (0 < t) * (t < 1)
        i = torch.arange(0, number, dtype=x.dtype, device=x.device)
        return torch.cos(math.pi * i * t) / norm

    # bessel
    r = x[..., None] - start
    c = end - start
    roots = torch.arange(1, number + 1, dtype=x.dtype, device=x.device) * math.pi
    out = math.sqrt(2 / c) * torch.sin(roots * r / c) / r
    if cutoff:
        return out * ((r / c) < 1) * (0 < r)
    return out


def bessel(x: torch.Tensor, n: int, x_max: float = 1.0) -> torch.Tensor:
    r"""Bessel radial basis (DimeNet, Klicpera et al. 2020, eq. 7).

    .. math::

        B_k(x) = \sqrt{2 / x_{max}}\; \frac{\sin(k \pi x / x_{max})}{x}, \qquad k = 1..n,

    with the limit :math:`B_k(0) = \sqrt{2/x_{max}}\, k\pi / x_{max}` at :math:`x = 0`
    (the gradient there is finite too). They satisfy
    :math:`\int_0^{x_{max}} x^2 B_k B_m\, dx = \delta_{km}`.

    Args:
        x: tensor of shape ``(...)``.
        n: number of basis functions.
        x_max: the cutoff.

    Returns:
        tensor of shape ``(..., n)``.

    Raises:
        ValueError: if ``n`` is not a non-negative int.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidArgumentError(f"n must be a non-negative int, got n={n!r}")
    x = x[..., None]
    k = torch.arange(1, n + 1, dtype=x.dtype, device=x.device) * math.pi / x_max
    zero = x == 0.0
    safe = torch.where(zero, torch.ones_like(x), x)
    return math.sqrt(2.0 / x_max) * torch.where(zero, k, torch.sin(k * safe) / safe)


def smooth_cutoff(x: torch.Tensor) -> torch.Tensor:
    r"""Smooth cutoff of ``gate_points_2101``: 1 below 1/2, 0 above 1.

    With :math:`u = 2(x - 1)`,

    .. math::

        f(x) = \begin{cases} 1 & x < 1/2 \\ (1 - \cos \pi u)/2 & 1/2 \le x \le 1 \\
        0 & x > 1 \end{cases}

    which is :math:`C^1` (its derivative vanishes at both joins).

    Args:
        x: tensor of shape ``(...)``, typically ``distance / max_radius``.

    Returns:
        tensor of shape ``(...)``.
    """
    u = 2 * (x - 1)
    y = (1 - torch.cos(math.pi * u)) / 2
    y = torch.where(u > 0, torch.zeros_like(y), y)
    return torch.where(u < -1, torch.ones_like(y), y)
