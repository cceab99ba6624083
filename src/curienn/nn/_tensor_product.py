"""Tensor products: the general :class:`TensorProduct` and its preset subclasses (e3nn 0.6.0 API)."""

from ._e3nn_state import load_e3nn_state_dict
from ._tp_base import Instruction, TensorProduct
from ._tp_sub import ElementwiseTensorProduct, FullTensorProduct, FullyConnectedTensorProduct, TensorSquare

__all__ = [
    "Instruction",
    "TensorProduct",
    "FullyConnectedTensorProduct",
    "FullTensorProduct",
    "ElementwiseTensorProduct",
    "TensorSquare",
    "load_e3nn_state_dict",
]
