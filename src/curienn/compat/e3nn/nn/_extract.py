"""``e3nn.nn._extract`` over curienn.

``CodeGenMixin`` is not provided (TorchScript/code generation): see
``curienn.compat.e3nn.UNSUPPORTED``."""

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import Extract, ExtractIr
from curienn.o3 import Irrep, Irreps

__all__ = [
    "Extract", "ExtractIr", "Irrep", "Irreps", "compile_mode",
]
