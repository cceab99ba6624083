"""``e3nn.math._reduce`` over curienn (:mod:`curienn.o3`)."""

from curienn.o3 import germinate_formulas, perm, reduce_permutation

__all__ = [
    "germinate_formulas", "perm", "reduce_permutation",
]
