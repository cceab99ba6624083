"""``e3nn.nn._activation`` over curienn."""

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import Activation, normalize2mom
from curienn.o3 import Irreps

__all__ = [
    "Activation", "Irreps", "compile_mode", "normalize2mom",
]
