"""``e3nn.o3._linear`` over curienn: ``Linear`` and its ``Instruction`` (:mod:`curienn.nn`).

``CodeGenMixin`` and ``LinearSlices`` are not provided (TorchScript/code generation): see
``curienn.compat.e3nn.UNSUPPORTED``."""

from math import prod

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.nn import Linear
from curienn.nn import LinearInstruction as Instruction
from curienn.o3 import Irreps

__all__ = [
    "Instruction", "Irreps", "Linear", "compile_mode", "prod",
]
