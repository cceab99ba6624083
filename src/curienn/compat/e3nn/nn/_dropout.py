"""``e3nn.nn._dropout`` over curienn."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import Dropout

__all__ = [
    "Dropout", "compile_mode", "o3",
]
