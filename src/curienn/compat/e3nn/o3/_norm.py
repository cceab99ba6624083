"""``e3nn.o3._norm`` over curienn."""

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import Norm, TensorProduct
from curienn.o3 import Irreps

__all__ = [
    "Irreps", "Norm", "TensorProduct", "compile_mode",
]
