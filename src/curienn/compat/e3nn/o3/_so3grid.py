"""``e3nn.o3._so3grid`` over curienn (:mod:`curienn.io`)."""

from curienn.compat.e3nn.util.jit import compile_mode
from curienn.io import SO3Grid, flat_wigner, s2_grid
from curienn.o3 import wigner_D

__all__ = [
    "SO3Grid", "compile_mode", "flat_wigner", "s2_grid", "wigner_D",
]
