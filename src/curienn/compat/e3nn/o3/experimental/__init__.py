"""``e3nn.o3.experimental`` over curienn: the einsum tensor products of :mod:`curienn.nn`."""

from curienn.nn import ElementwiseTensorProductv2, FullTensorProductv2

__all__ = [
    "ElementwiseTensorProductv2", "FullTensorProductv2",
]
