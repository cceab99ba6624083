r"""Pointwise nonlinearities on signals over the sphere and over SO(3)
(``e3nn.nn.S2Activation``, ``e3nn.nn.SO3Activation``).

A signal on the sphere is a quasi-regular representation of O(3): rotating the coefficients
:math:`\{A^l\}` rotates the function :math:`f(x) = \sum_l A^l \cdot Y^l(x)`, so a pointwise
function :math:`\phi(f(x))` is equivariant. :class:`S2Activation` evaluates :math:`f` on a
grid, applies :math:`\phi` and projects back,

.. math:: \{A^l\}_l \mapsto \Big\{\int \phi\Big(\sum_l A^l \cdot Y^l(x)\Big) Y^j(x)\, dx\Big\}_j ,

exact up to the band limit of the grid (:class:`~curienn.io.ToS2Grid`,
:class:`~curienn.io.FromS2Grid`). :class:`SO3Activation` does the same on SO(3) with
Wigner-D coefficients (:class:`~curienn.io.SO3Grid`). :math:`\phi` is rescaled by
:class:`~curienn.nn.normalize2mom`.

These live in :mod:`curienn.io` (next to the grids they use), e3nn has them in ``e3nn.nn``.
"""

from __future__ import annotations

from typing import Callable, Optional

import torch

from curienn.nn import normalize2mom
from curienn.o3 import InvalidArgumentError, Irreps, ShapeError, rand_angles

from ._s2grid import FromS2Grid, ToS2Grid
from ._so3grid import SO3Grid

__all__ = ["S2Activation", "SO3Activation"]


def _activation_parity(act: Callable[[torch.Tensor], torch.Tensor]) -> int:
    """+1 for an even ``act``, -1 for an odd one, 0 for neither (as e3nn: on [0, 10], to a
    relative 1e-10)."""
    with torch.no_grad():
        x = torch.linspace(0, 10, 256)
        a1, a2 = act(x), act(-x)
        if (a1 - a2).abs().max() < a1.abs().max() * 1e-10:
            return 1
        if (a1 + a2).abs().max() < a1.abs().max() * 1e-10:
            return -1
    return 0


class S2Activation(torch.nn.Module):
    r"""Apply ``act`` pointwise to the signal on the sphere (see the module).

    Args:
        irreps: one irrep per degree :math:`l = 0..L`, with parities
            :math:`p_{val} p_{arg}^l` (e.g. ``SphericalTensor(L, p_val, p_arg)``).
        act: the function :math:`\phi`; for :math:`p_{val} = -1` it must be even or odd.
        res: grid resolution (``res_beta`` or ``(res_beta, res_alpha)``, as ``ToS2Grid``).
        normalization: of the grids, ``'component'`` (default), ``'norm'`` or ``'integral'``.
        lmax_out: largest degree of the output (default :math:`L`).
        random_rot: rotate the grid randomly at each call (equivariant on average only).

    Attributes:
        irreps_in, irreps_out; submodules ``to_s2``, ``from_s2``, ``act``.

    Shapes: ``(..., irreps_in.dim) -> (..., irreps_out.dim)``.

    Raises:
        InvalidArgumentError: irreps that are not one irrep per degree with a well-defined
            parity (e3nn: ``AssertionError``).
        ValueError: :math:`p_{val} = -1` with an ``act`` that is neither even nor odd.
    """

    def __init__(self, irreps, act: Callable[[torch.Tensor], torch.Tensor], res,
                 normalization: str = "component", lmax_out: Optional[int] = None, random_rot: bool = False) -> None:
        super().__init__()
        irreps = Irreps(irreps).simplify()
        if len(irreps) == 0 or any(mul != 1 for mul, _ in irreps) or irreps.ls != list(range(irreps.lmax + 1)):
            raise InvalidArgumentError(f"S2Activation needs one irrep per degree 0..lmax, got irreps={irreps}")
        lmax = irreps.lmax
        p_val = irreps[0].ir.p
        if all(ir.p == p_val for _, ir in irreps):
            p_arg = 1
        elif all(ir.p == p_val * (-1) ** ir.l for _, ir in irreps):
            p_arg = -1
        else:
            raise InvalidArgumentError(f"the parity of the input is not well defined: irreps={irreps}")
        if lmax_out is None:
            lmax_out = lmax
        # the input transforms as A_l -> p_val p_arg^l A_l, the signal as f(r) -> p_val f(p_arg r)
        if p_val == 1:
            p_out = 1
        else:
            p_out = _activation_parity(act)
            if p_out == 0:
                raise ValueError(f"S2Activation: irreps={irreps} is odd but act={act!r} is neither even nor odd")
        self.irreps_in = irreps
        self.irreps_out = Irreps([(1, (l, p_out * p_arg**l)) for l in range(lmax_out + 1)])
        self.to_s2 = ToS2Grid(lmax, res, normalization=normalization)
        self.from_s2 = FromS2Grid(res, lmax_out, normalization=normalization, lmax_in=lmax)
        self.act = normalize2mom(act)
        self.random_rot = random_rot

    def __repr__(self) -> str:
        return f"{self.__class__.__name__} ({self.irreps_in} -> {self.irreps_out})"

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if features.shape[-1] != self.irreps_in.dim:
            raise ShapeError(f"S2Activation: input of shape {tuple(features.shape)}, expected (..., {self.irreps_in.dim})")
        if self.random_rot:
            abc = rand_angles(dtype=features.dtype, device=features.device)
            features = torch.einsum("ij,...j->...i", self.irreps_in.D_from_angles(*abc), features)
        features = self.from_s2(self.act(self.to_s2(features)))
        if self.random_rot:
            features = torch.einsum("ij,...j->...i", self.irreps_out.D_from_angles(*abc).T, features)
        return features


class SO3Activation(torch.nn.Module):
    r"""Apply ``act`` pointwise to the signal on SO(3) (see the module).

    Args:
        lmax_in, lmax_out: degrees of the input and output Wigner-D coefficients
            (:func:`~curienn.io.flat_wigner` layout, ``sum_l (2l+1)^2`` entries).
        act: the function :math:`\phi`.
        resolution, normalization, aspect_ratio: of the :class:`~curienn.io.SO3Grid`.

    Attributes:
        ``grid_in``, ``grid_out``, ``act``, ``lmax_in``, ``lmax_out``.

    Shapes: ``(..., sum_{l<=lmax_in} (2l+1)^2) -> (..., sum_{l<=lmax_out} (2l+1)^2)``.
    """

    def __init__(self, lmax_in: int, lmax_out: int, act: Callable[[torch.Tensor], torch.Tensor], resolution: int, *,
                 normalization: str = "component", aspect_ratio: float = 2) -> None:
        super().__init__()
        self.grid_in = SO3Grid(lmax_in, resolution, normalization=normalization, aspect_ratio=aspect_ratio)
        self.grid_out = SO3Grid(lmax_out, resolution, normalization=normalization, aspect_ratio=aspect_ratio)
        self.act = normalize2mom(act)
        self.lmax_in = lmax_in
        self.lmax_out = lmax_out

    def __repr__(self) -> str:
        return f"{self.__class__.__name__} ({self.lmax_in} -> {self.lmax_out})"

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        n = self.grid_in.D.shape[-1]
        if features.shape[-1] != n:
            raise ShapeError(f"SO3Activation: input of shape {tuple(features.shape)}, expected (..., {n})")
        return self.grid_out.from_grid(self.act(self.grid_in.to_grid(features)))
