"""``e3nn.nn._normact`` over curienn."""

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import ElementwiseTensorProduct, Norm, NormActivation
from curienn.o3 import Irreps

__all__ = [
    "ElementwiseTensorProduct", "Irreps", "Norm", "NormActivation", "compile_mode",
]
