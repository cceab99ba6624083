"""``e3nn.math`` over curienn: radial bases and normalization helpers
(re-exports of :mod:`curienn.nn`). The linear-algebra helpers behind e3nn's
``ReducedTensorProducts`` are not provided (see
``curienn.compat.e3nn.UNSUPPORTED["e3nn.math"]``).
"""

from curienn.nn import bessel, moment, normalize2mom, soft_one_hot_linspace, soft_unit_step

__all__ = ["moment", "normalize2mom", "soft_unit_step", "bessel", "soft_one_hot_linspace"]
