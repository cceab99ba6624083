"""``e3nn.o3._tensor_product._instruction`` over curienn."""

from curienn.nn import Instruction

__all__ = [
    "Instruction",
]
