"""``e3nn.o3._tensor_product._tensor_product`` over curienn (:mod:`curienn.nn`).

``CodeGenMixin`` and the ``codegen_*`` functions are not provided (TorchScript/code
generation): see ``curienn.compat.e3nn.UNSUPPORTED``."""

from math import prod

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import Instruction, TensorProduct
from curienn.o3 import Irreps

__all__ = [
    "Instruction", "Irreps", "TensorProduct", "compile_mode", "prod",
]
