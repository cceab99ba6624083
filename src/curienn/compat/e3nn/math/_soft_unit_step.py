"""``e3nn.math._soft_unit_step`` over curienn."""

from curienn.nn import soft_unit_step

__all__ = [
    "soft_unit_step",
]
