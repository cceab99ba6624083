"""``e3nn.math._soft_one_hot_linspace`` over curienn."""

from curienn.nn import soft_one_hot_linspace, soft_unit_step

__all__ = [
    "soft_one_hot_linspace", "soft_unit_step",
]
