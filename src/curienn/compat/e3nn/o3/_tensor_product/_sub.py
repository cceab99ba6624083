"""``e3nn.o3._tensor_product._sub`` over curienn (:mod:`curienn.nn`)."""

from math import prod

from curienn.nn import (
    ElementwiseTensorProduct,
    FullTensorProduct,
    FullyConnectedTensorProduct,
    TensorProduct,
    TensorSquare,
)
from curienn.o3 import Irrep, Irreps

__all__ = [
    "ElementwiseTensorProduct", "FullTensorProduct", "FullyConnectedTensorProduct", "Irrep",
    "Irreps", "TensorProduct", "TensorSquare", "prod",
]
