"""``e3nn.nn._identity`` over curienn."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import Identity

__all__ = [
    "Identity", "compile_mode", "o3",
]
