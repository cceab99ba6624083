"""``e3nn.o3._irreps`` over curienn (:mod:`curienn.o3`)."""

from curienn.o3 import Irrep, Irreps, direct_sum, perm

__all__ = [
    "Irrep", "Irreps", "direct_sum", "perm",
]
