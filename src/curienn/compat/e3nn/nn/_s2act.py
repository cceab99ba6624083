"""``e3nn.nn._s2act`` over curienn. ``S2Activation`` is :class:`curienn.io.S2Activation`."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.io import S2Activation
from curienn.nn import normalize2mom

__all__ = [
    "S2Activation", "compile_mode", "normalize2mom", "o3",
]
