"""Per-irrep norm of a feature vector.

Numbers equal ``e3nn.o3.Norm`` (e3nn 0.6.0), which computes the squared norm as a
``uuu`` tensor product of the input with itself.
"""

from __future__ import annotations

import torch

from ..o3 import Irreps, ShapeError
from ._e3nn_state import drop_e3nn_tensor_product_keys

__all__ = ["Norm"]


class Norm(torch.nn.Module):
    r"""Euclidean norm of every irrep: ``"17x1o" -> "17x0e"``.

    .. math::

        n_u = \Big(\sum_{m=-l}^{l} x_{u,m}^2\Big)^{1/2} \quad
        \Big(\text{or } \sum_m x_{u,m}^2 \text{ if squared}\Big)

    The norm is invariant under O(3), so every output is a ``0e``.

    At :math:`x_u = 0` the square root has an infinite derivative; like e3nn, the
    squared norm goes through ``relu`` before ``sqrt``, whose backward at 0 gives a
    zero (sub)gradient, so the gradient of the norm at the origin is 0, not NaN.

    Args:
        irreps_in: representation of the input (simplified, as in e3nn).
        squared: return the squared norms instead.

    Attributes:
        irreps_in: ``Irreps(irreps_in).simplify()``.
        irreps_out: ``num_irreps x 0e``.

    Shapes:
        ``(..., irreps_in.dim) -> (..., irreps_in.num_irreps)``.

    Example:
        >>> Norm("17x1o")(torch.randn(17 * 3)).shape
        torch.Size([17])
    """

    def __init__(self, irreps_in, squared: bool = False) -> None:
        super().__init__()
        self.irreps_in = Irreps(irreps_in).simplify()
        self.irreps_out = Irreps([(mul, "0e") for mul, _ in self.irreps_in]).simplify()
        self.squared = squared
        self._chunks = [(mul, ir.dim) for mul, ir in self.irreps_in]
        self._dim_in = self.irreps_in.dim  # plain int: forward never touches Irreps

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.irreps_in})"

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        drop_e3nn_tensor_product_keys(state_dict, prefix, "tp")
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if features.shape[-1] != self._dim_in:
            raise ShapeError(
                f"Norm: the last dimension of the input is {features.shape[-1]}, but "
                f"irreps_in={self.irreps_in} has dimension {self._dim_in}"
            )
        batch = features.shape[:-1]
        out = []
        index = 0
        for mul, d in self._chunks:
            x = features.narrow(-1, index, mul * d).reshape(batch + (mul, d))
            out.append(x.pow(2).sum(-1))
            index += mul * d
        if not out:
            return features.new_zeros(batch + (0,))
        squares = torch.cat(out, dim=-1) if len(out) > 1 else out[0]
        if self.squared:
            return squares
        return squares.relu().sqrt()
