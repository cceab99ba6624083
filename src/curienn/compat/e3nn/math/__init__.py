"""``e3nn.math`` over curienn: radial bases and normalization helpers (:mod:`curienn.nn`), the
linear-algebra and permutation helpers (:mod:`curienn.o3`, :mod:`curienn.o3.perm`)."""

from curienn.nn import bessel, moment, normalize2mom, soft_one_hot_linspace, soft_unit_step
from curienn.o3 import complete_basis, direct_sum, germinate_formulas, orthonormalize, reduce_permutation

from . import perm

__all__ = [
    "complete_basis", "direct_sum", "orthonormalize", "moment", "normalize2mom", "soft_unit_step",
    "bessel", "soft_one_hot_linspace", "germinate_formulas", "reduce_permutation", "perm",
]
