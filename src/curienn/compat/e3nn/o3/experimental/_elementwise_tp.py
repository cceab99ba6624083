"""``e3nn.o3.experimental._elementwise_tp`` over curienn: ``ElementwiseTensorProduct`` is
:class:`curienn.nn.ElementwiseTensorProductv2`."""

from curienn.compat.e3nn import o3
from curienn.nn import ElementwiseTensorProductv2 as ElementwiseTensorProduct
from curienn.nn import TPChunk as Chunk
from curienn.nn import TPPath as Path

__all__ = [
    "Chunk", "ElementwiseTensorProduct", "Path", "o3",
]
