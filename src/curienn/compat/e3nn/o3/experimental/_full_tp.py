"""``e3nn.o3.experimental._full_tp`` over curienn: ``FullTensorProduct`` is
:class:`curienn.nn.FullTensorProductv2`."""

from curienn.compat.e3nn import o3
from curienn.nn import FullTensorProductv2 as FullTensorProduct
from curienn.nn import TPChunk as Chunk
from curienn.nn import TPPath as Path

__all__ = [
    "Chunk", "FullTensorProduct", "Path", "o3",
]
