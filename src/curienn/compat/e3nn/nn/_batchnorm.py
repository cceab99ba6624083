"""``e3nn.nn._batchnorm`` over curienn."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import BatchNorm

__all__ = [
    "BatchNorm", "compile_mode", "o3",
]
