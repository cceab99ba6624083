"""``e3nn.nn._fc`` over curienn."""

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import FullyConnectedNet, normalize2mom

__all__ = [
    "FullyConnectedNet", "compile_mode", "normalize2mom",
]
