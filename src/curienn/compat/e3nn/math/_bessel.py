"""``e3nn.math._bessel`` over curienn."""

from curienn.nn import bessel

__all__ = [
    "bessel",
]
