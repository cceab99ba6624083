"""``e3nn.o3._wigner`` over curienn (:mod:`curienn.o3`)."""

from curienn.compat.e3nn.util.default_type import explicit_default_types
from curienn.o3 import change_basis_real_to_complex, so3_generators, su2_generators, wigner_3j, wigner_D

__all__ = [
    "change_basis_real_to_complex", "explicit_default_types", "so3_generators", "su2_generators",
    "wigner_3j", "wigner_D",
]
