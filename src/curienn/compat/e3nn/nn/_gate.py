"""``e3nn.nn._gate`` over curienn: ``Gate``, ``_Sortcut`` (:class:`curienn.nn.Sortcut`) and the
names that module uses."""

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import Activation, ElementwiseTensorProduct, Extract, Gate
from curienn.nn import Sortcut as _Sortcut
from curienn.o3 import Irreps

__all__ = [
    "Activation", "ElementwiseTensorProduct", "Extract", "Gate", "Irreps", "_Sortcut",
    "compile_mode",
]
