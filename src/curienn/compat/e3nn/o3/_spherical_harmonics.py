"""``e3nn.o3._spherical_harmonics`` over curienn (:mod:`curienn.o3`)."""

from curienn.compat.e3nn import get_optimization_defaults
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.o3 import Irreps, SphericalHarmonics, spherical_harmonics

__all__ = [
    "Irreps", "SphericalHarmonics", "compile_mode", "get_optimization_defaults",
    "spherical_harmonics",
]
