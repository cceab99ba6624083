"""``e3nn.util._argtools`` over curienn (its public name; the private helpers are e3nn's)."""

from curienn.o3 import Irreps

__all__ = [
    "Irreps",
]
