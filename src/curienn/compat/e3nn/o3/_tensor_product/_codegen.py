"""``e3nn.o3._tensor_product._codegen``: e3nn's code generator for tensor products. curienn
runs one eager implementation; ``codegen_tensor_product_left_right``/``_right`` are not
provided (TorchScript/code generation): see ``curienn.compat.e3nn.UNSUPPORTED``."""

from math import prod

from curienn.nn import Instruction
from curienn.o3 import Irreps, wigner_3j

__all__ = [
    "Instruction", "Irreps", "prod", "wigner_3j",
]
