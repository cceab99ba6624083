r"""Equivariant convolutions on voxel grids (e3nn's ``v2104.voxel_convolution`` and the
earlier ``v2103`` version).

The kernel of :class:`VoxelConvolution` at lattice offset :math:`\vec r` (within the
filter's diameter) maps input irreps to output irreps as

.. math::

    K(\vec r) = \frac{1}{n_{\mathrm{lattice}}}\ \mathrm{tp.right}\big(Y(\hat r);\
    W = \mathrm{emb}(|\vec r|)\, \mathrm{weight}\big),

a fully connected tensor product with the spherical harmonics of the offset whose weights
are a learned combination (``weight``, ``(num_radial_basis, tp.weight_numel)``) of
``smooth_finite`` radial functions of the offset length (``emb``). The output is the
self-connection ``sc`` (a :class:`~curienn.nn.Linear` on every voxel) plus
``conv3d(x, K)``. Rotations of the grid by the lattice symmetries and inversion act on
the output as on the input irreps.

:class:`VoxelConvolution2103` is e3nn's ``v2103`` version: ``size`` voxels per side on the
offsets :math:`[-1, 1]^3` (scaled by ``steps``), kernel divided by ``size^{3/2}`` and the
convolution term weighted by 0.1. :class:`LowPassFilter` is a Gaussian blur of scale
``scale`` (optionally strided or transposed).

Numbers equal e3nn 0.6.0's given the same weights (same parameter names).
"""

from __future__ import annotations

import math

import torch

from curienn.nn import FullyConnectedTensorProduct, Linear, soft_one_hot_linspace
from curienn.o3 import InvalidArgumentError, Irreps, spherical_harmonics

__all__ = ["VoxelConvolution", "VoxelConvolution2103", "LowPassFilter"]


def _symmetric_axes(size: int, steps) -> list[torch.Tensor]:
    """``size`` points in [-1, 1] per axis, scaled by ``steps / min(steps)`` and cut to [-1, 1]."""
    r = torch.linspace(-1, 1, size)
    axes = []
    for step in steps:
        x = r * step / min(steps)
        axes.append(x[x.abs() <= 1])
    return axes


class _VoxelKernel(torch.nn.Module):
    """``sc``, the buffers ``emb`` and ``sh`` on a lattice, ``tp`` and ``weight``."""

    def _build(self, irreps_in, irreps_out, irreps_sh, lattice: torch.Tensor, radius: float, num_radial_basis: int):
        self.irreps_in = Irreps(irreps_in)
        self.irreps_out = Irreps(irreps_out)
        self.irreps_sh = Irreps(irreps_sh)
        self.sc = Linear(self.irreps_in, self.irreps_out)
        emb = soft_one_hot_linspace(lattice.norm(dim=-1), 0.0, radius, num_radial_basis, basis="smooth_finite",
                                    cutoff=True)
        self.register_buffer("emb", emb)
        self.register_buffer("sh", spherical_harmonics(self.irreps_sh, lattice, True, "component"))
        self.tp = FullyConnectedTensorProduct(self.irreps_in, self.irreps_sh, self.irreps_out, shared_weights=False)
        self.weight = torch.nn.Parameter(torch.randn(num_radial_basis, self.tp.weight_numel))

    def _kernel(self, norm: float) -> torch.Tensor:
        weight = self.emb @ self.weight / norm
        return torch.einsum("xyzio->oixyz", self.tp.right(self.sh, weight))

    def _self_connection(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 5 or x.shape[1] != self.irreps_in.dim:
            raise InvalidArgumentError(f"input of shape {tuple(x.shape)}, expected (batch, {self.irreps_in.dim}, x, y, z)")
        return self.sc(x.transpose(1, 4)).transpose(1, 4)


class VoxelConvolution(_VoxelKernel):
    r"""Convolution on voxels (see the module).

    Args:
        irreps_in, irreps_out: irreps of the voxel features.
        irreps_sh: spherical harmonics of the kernel, e.g. ``Irreps.spherical_harmonics(lmax)``.
        diameter: diameter of the filter, in the units of ``steps``.
        num_radial_basis: radial functions of the kernel.
        steps: voxel size along x, y, z.
        **kwargs: passed to ``torch.nn.functional.conv3d`` (``padding`` defaults to half the
            kernel size).

    Shapes: ``(batch, irreps_in.dim, X, Y, Z) -> (batch, irreps_out.dim, X', Y', Z')``.
    """

    def __init__(self, irreps_in, irreps_out, irreps_sh, diameter: float, num_radial_basis: int,
                 steps=(1.0, 1.0, 1.0), **kwargs) -> None:
        super().__init__()
        self.num_radial_basis = num_radial_basis
        r = diameter / 2
        axes = [torch.arange(-math.floor(r / s), math.floor(r / s) + 1.0) * s for s in steps]
        lattice = torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1)  # (x, y, z, 3)
        self.register_buffer("lattice", lattice)
        kwargs.setdefault("padding", tuple(s // 2 for s in lattice.shape[:3]))
        self.kwargs = kwargs
        self._build(irreps_in, irreps_out, irreps_sh, lattice, r, num_radial_basis)

    def kernel(self) -> torch.Tensor:
        """The kernel ``(irreps_out.dim, irreps_in.dim, x, y, z)``."""
        return self._kernel(self.sh.shape[0] * self.sh.shape[1] * self.sh.shape[2])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._self_connection(x) + torch.nn.functional.conv3d(x, self.kernel(), **self.kwargs)


class VoxelConvolution2103(_VoxelKernel):
    """e3nn's ``v2103`` voxel convolution (see the module): ``size`` kernel voxels per side,
    ``size`` radial functions; other arguments and shapes as :class:`VoxelConvolution`."""

    def __init__(self, irreps_in, irreps_out, irreps_sh, size: int, steps=(1, 1, 1), **kwargs) -> None:
        super().__init__()
        self.size = size
        self.num_rbfs = size
        kwargs.setdefault("padding", size // 2)
        self.kwargs = kwargs
        lattice = torch.stack(torch.meshgrid(*_symmetric_axes(size, steps), indexing="ij"), dim=-1)
        self._build(irreps_in, irreps_out, irreps_sh, lattice, 1.0, size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kernel = self._kernel(self.size ** (3 / 2))
        return self._self_connection(x) + 0.1 * torch.nn.functional.conv3d(x, kernel, **self.kwargs)


class LowPassFilter(torch.nn.Module):
    r"""Gaussian blur :math:`\exp(-|\vec r|^2 / 2\sigma^2)`, :math:`\sigma = \frac12
    \sqrt{\mathrm{scale}^2 - 1}` in voxels, normalised to sum 1 (times ``stride^3`` when
    ``transposed``); the identity for ``scale <= 1``.

    Shapes: ``(..., X, Y, Z) -> (..., X', Y', Z')`` (each leading entry filtered alike).
    """

    def __init__(self, scale: float, stride: int = 1, transposed: bool = False, steps=(1, 1, 1)) -> None:
        super().__init__()
        sigma = 0.5 * (scale**2 - 1) ** 0.5 if scale > 1 else 0.0
        size = int(1 + 2 * 2.5 * sigma)
        if size % 2 == 0:
            size += 1
        lattice = (size // 2) * torch.stack(torch.meshgrid(*_symmetric_axes(size, steps), indexing="ij"), dim=-1)
        kernel = torch.exp(-lattice.norm(dim=-1).pow(2) / (2 * sigma**2)) if sigma > 0 else torch.ones(1, 1, 1)
        kernel = kernel / kernel.sum()
        if transposed:
            kernel = kernel * stride**3
        self.register_buffer("kernel", kernel[None, None])
        self.scale, self.stride, self.size, self.transposed = scale, stride, size, transposed

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        if self.scale <= 1:
            if self.stride != 1:
                raise InvalidArgumentError(f"LowPassFilter with scale={self.scale} <= 1 needs stride 1, got {self.stride}")
            return image
        out = image.reshape(-1, 1, *image.shape[-3:])
        conv = torch.nn.functional.conv_transpose3d if self.transposed else torch.nn.functional.conv3d
        out = conv(out, self.kernel, padding=self.size // 2, stride=self.stride)
        return out.reshape(*image.shape[:-3], *out.shape[-3:])
