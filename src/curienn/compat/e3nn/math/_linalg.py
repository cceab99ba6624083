"""``e3nn.math._linalg`` over curienn (:mod:`curienn.o3`)."""

from curienn.compat.e3nn import get_optimization_defaults
from curienn.o3 import complete_basis, direct_sum, orthonormalize

__all__ = [
    "complete_basis", "direct_sum", "get_optimization_defaults", "orthonormalize",
]
