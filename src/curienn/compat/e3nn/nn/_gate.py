"""``e3nn.nn._gate`` over curienn: ``Gate``, ``_Sortcut`` and the names that module
uses (re-exports of :mod:`curienn.nn` and :mod:`curienn.o3`; ``compile_mode`` is
the no-op of :mod:`curienn.compat.e3nn.util.jit`)."""

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import Activation, ElementwiseTensorProduct, Extract, Gate
from curienn.nn._gate import _Sortcut
from curienn.o3 import Irreps

__all__ = [
    "Activation", "ElementwiseTensorProduct", "Extract", "Gate", "Irreps", "_Sortcut", "compile_mode",
]
