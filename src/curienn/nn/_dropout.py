"""Equivariant dropout: drop whole irreps, never single components.

Same API and random stream as ``e3nn.nn.Dropout`` (e3nn 0.6.0): with the same seed
the same irreps are dropped.
"""

from __future__ import annotations

import torch

from ..o3 import Irreps, ShapeError

__all__ = ["Dropout"]


class Dropout(torch.nn.Module):
    r"""Equivariant dropout.

    With :math:`A_{z a i}` the input (batch :math:`z`, other axes :math:`a`, irrep
    :math:`i`, all of whose :math:`2l+1` components share one mask entry),

    .. math::

        B_{z a i} = \frac{\xi_{z i}}{1 - p}\, A_{z a i}, \qquad
        \xi_{z i} \sim \text{Bernoulli}(1 - p),

    in training, and :math:`B = A` in evaluation. ``p >= 1`` zeroes everything and
    ``p <= 0`` is the identity. The masks are drawn one entry of ``irreps`` at a time,
    as ``(batch, mul)`` Bernoulli samples, like e3nn.

    Args:
        irreps: representation of the input.
        p: probability to drop an irrep.

    Shapes:
        ``(batch, ..., irreps.dim) -> (batch, ..., irreps.dim)``.

    Raises:
        ValueError: on a wrong input dimension.
    """

    def __init__(self, irreps, p: float) -> None:
        super().__init__()
        self.irreps = Irreps(irreps)
        self.p = p
        self._dim = self.irreps.dim  # plain ints: forward never touches Irreps
        self._chunks = [(mul, ir.dim) for mul, ir in self.irreps]

    def __repr__(self) -> str:
        return f"{self.__class__.__name__} ({self.irreps}, p={self.p})"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self._dim:
            raise ShapeError(
                f"Dropout: the last dimension of the input is {x.shape[-1]}, but "
                f"irreps={self.irreps} has dimension {self._dim}"
            )
        if not self.training:
            return x
        batch = x.shape[0]
        noises = []
        for mul, d in self._chunks:
            if self.p >= 1:
                noise = x.new_zeros(batch, mul)
            elif self.p <= 0:
                noise = x.new_ones(batch, mul)
            else:
                noise = x.new_empty(batch, mul).bernoulli_(1 - self.p).div_(1 - self.p)
            noises.append(noise[:, :, None].expand(batch, mul, d).reshape(batch, mul * d))
        if not noises:
            return x
        noise = torch.cat(noises, dim=-1)
        noise = noise.reshape((batch,) + (1,) * (x.dim() - 2) + (x.shape[-1],))
        return x * noise
