"""``e3nn.nn._so3act`` over curienn. ``SO3Activation`` is :class:`curienn.io.SO3Activation`."""

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.io import SO3Activation, SO3Grid
from curienn.nn import normalize2mom

__all__ = [
    "SO3Activation", "SO3Grid", "compile_mode", "normalize2mom",
]
