"""``e3nn.o3._tensor_product`` over curienn (:mod:`curienn.nn`)."""

from curienn.nn import (
    ElementwiseTensorProduct,
    FullTensorProduct,
    FullyConnectedTensorProduct,
    Instruction,
    TensorProduct,
    TensorSquare,
)

__all__ = [
    "ElementwiseTensorProduct", "FullTensorProduct", "FullyConnectedTensorProduct", "Instruction",
    "TensorProduct", "TensorSquare",
]
