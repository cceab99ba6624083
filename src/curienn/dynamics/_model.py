r"""``ArgonForceModel``: a :class:`~curienn.models.unitary.UnitaryNetwork` wrapped
to map 4-atom positions (Å) to forces (eV/Å), with the dataset's scales.

    F = y_scale · net(relative_vectors(positions) / x_scale)^T

Shapes: positions ``(..., 4, 3)`` -> forces ``(..., 4, 3)``. Translation
invariant (relative vectors) and ``O(3)``-equivariant (the network).
"""

from __future__ import annotations

import torch
from torch import nn

from curienn.models.unitary import ARGON_WIDTHS, UnitaryNetwork

from ._dataset import relative_vectors

__all__ = ["ArgonForceModel"]


class ArgonForceModel(nn.Module):
    """Positions -> forces for the 4-atom argon problem.

    Parameters
    ----------
    x_scale, y_scale:
        the dataset's input (Å) and output (eV/Å) scales.
    widths, a:
        of the :class:`UnitaryNetwork` (input 6 vectors, output 4).
    """

    def __init__(self, x_scale: float = 1.0, y_scale: float = 1.0,
                 widths=ARGON_WIDTHS, a: float = 0.01, dtype: torch.dtype | None = None) -> None:
        super().__init__()
        widths = [int(w) for w in widths]
        if widths[0] != 6 or widths[-1] != 4:
            raise ValueError(f"argon widths must start with 6 and end with 4, got {widths!r}")
        if x_scale <= 0 or y_scale <= 0:
            raise ValueError(f"scales must be > 0, got x_scale={x_scale!r}, y_scale={y_scale!r}")
        self.net = UnitaryNetwork(widths=widths, a=a, dtype=dtype)
        dt = dtype or torch.get_default_dtype()
        self.register_buffer("x_scale", torch.tensor(float(x_scale), dtype=dt))
        self.register_buffer("y_scale", torch.tensor(float(y_scale), dtype=dt))
        self.widths, self.a = widths, float(a)

    @property
    def dtype(self) -> torch.dtype:
        return self.x_scale.dtype

    def forward(self, x_scaled: torch.Tensor) -> torch.Tensor:
        """Scaled inputs ``(B, 3, 6)`` -> scaled outputs ``(B, 3, 4)`` (what training sees)."""
        return self.net(x_scaled)

    def forces(self, positions: torch.Tensor) -> torch.Tensor:
        """Positions ``(..., 4, 3)`` Å -> forces ``(..., 4, 3)`` eV/Å (in the model's dtype)."""
        x = relative_vectors(torch.as_tensor(positions).to(self.dtype)) / self.x_scale
        return (self.net(x) * self.y_scale).transpose(-1, -2)

    def hparams(self) -> dict:
        return dict(widths=self.widths, a=self.a, x_scale=float(self.x_scale),
                    y_scale=float(self.y_scale), dtype=str(self.dtype).replace("torch.", ""))
