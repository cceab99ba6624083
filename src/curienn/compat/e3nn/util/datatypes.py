"""``e3nn.util.datatypes`` over curienn: ``Chunk`` and ``Path`` of the einsum tensor products
(:class:`curienn.nn.TPChunk`, :class:`curienn.nn.TPPath`)."""

from curienn.nn import TPChunk as Chunk
from curienn.nn import TPPath as Path

__all__ = [
    "Chunk", "Path",
]
