r"""The factored spherical harmonics on the :func:`~curienn.io.s2_grid` and the real
Fourier transform in the azimuth (``e3nn.o3.spherical_harmonics_s2_grid``, ``rfft``,
``irfft``).

On the grid, :math:`Y^l_m(\alpha_j, \beta_i) = S_m(\alpha_j)\, P^l_{|m|}(\cos\beta_i,
\sin\beta_i)` (see :mod:`curienn.o3`'s :class:`~curienn.o3.Legendre` and
:func:`~curienn.o3.spherical_harmonics_alpha`). With the azimuths :math:`\alpha_j = 2\pi
j / M` equally spaced, a sum over the orders :math:`\sum_m x_m S_m(\alpha_j)` is a real
discrete Fourier series:

.. math::

    \sum_{m=-l}^{l} x_m S_m(\alpha_j) = x_0 + \sqrt2 \sum_{m=1}^{l}
    \big(x_m \cos(m\alpha_j) + x_{-m} \sin(m\alpha_j)\big),

evaluated for all :math:`j` by one inverse FFT (:func:`irfft`); :func:`rfft` is its
adjoint, :math:`x_m = \sum_j f_j S_m(\alpha_j)`.
"""

from __future__ import annotations

import math
from typing import Optional

import torch

from curienn.o3 import InvalidArgumentError, Legendre, spherical_harmonics_alpha

from ._s2grid import s2_grid

__all__ = ["spherical_harmonics_s2_grid", "rfft", "irfft"]


def spherical_harmonics_s2_grid(
    lmax: int, res_beta: int, res_alpha: int,
    dtype: Optional[torch.dtype] = None, device: Optional[torch.device] = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""The grid and the two factors of the spherical harmonics on it.

    Returns:
        ``betas`` ``(res_beta,)``, ``alphas`` ``(res_alpha,)``, ``shb`` ``(res_beta,
        (lmax+1)^2)`` with :math:`P^l_{|m|}(\cos\beta_i, \sin\beta_i)` at entry ``(i, (l, m))``
        and ``sha`` ``(res_alpha, 2 lmax + 1)`` with :math:`S_m(\alpha_j)`, ``m = -lmax..lmax``.
    """
    betas, alphas = s2_grid(res_beta, res_alpha, dtype=dtype, device=device)
    shb = Legendre(list(range(lmax + 1))).to(device)(betas.cos(), betas.sin().abs())
    sha = spherical_harmonics_alpha(lmax, alphas)
    return betas, alphas, shb, sha


def rfft(x: torch.Tensor, l: int) -> torch.Tensor:
    r""":math:`x_m = \sum_j f_j S_m(\alpha_j)` for ``m = -l..l``, with
    :math:`\alpha_j = 2\pi j / M`: ``(..., M)`` -> ``(..., 2l+1)``. Needs :math:`M > 2l`
    for the orders to be distinct frequencies."""
    *size, res = x.shape
    f = torch.fft.rfft(x.reshape(-1, res), dim=1)
    out = torch.cat(
        [f[:, 1:l + 1].imag.flip(1).mul(-math.sqrt(2)), f[:, :1].real, f[:, 1:l + 1].real.mul(math.sqrt(2))], dim=1
    )
    return out.reshape(*size, 2 * l + 1)


def irfft(x: torch.Tensor, res: int) -> torch.Tensor:
    r""":math:`f_j = \sum_m x_m S_m(\alpha_j)` on ``res`` equally spaced azimuths:
    ``(..., 2l+1)`` -> ``(..., res)``; ``res`` must be odd and at least ``2l+1``."""
    *size, sm = x.shape
    if res % 2 != 1 or res < sm:
        raise InvalidArgumentError(f"irfft needs an odd res >= {sm} (= 2l+1), got res={res}")
    l = sm // 2
    x = x.reshape(-1, sm)
    real = torch.cat([x[:, l:l + 1], x[:, l + 1:] / math.sqrt(2)], dim=1)
    imag = torch.cat([torch.zeros_like(x[:, :1]), x[:, :l].flip(1) / -math.sqrt(2)], dim=1)
    f = torch.fft.irfft(torch.complex(real, imag), n=res, dim=1) * res
    return f.reshape(*size, res)
