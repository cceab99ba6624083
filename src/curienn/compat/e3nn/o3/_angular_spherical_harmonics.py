"""``e3nn.o3._angular_spherical_harmonics`` over curienn (:mod:`curienn.o3`)."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn import get_optimization_defaults
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.o3 import (
    Legendre,
    SphericalHarmonicsAlphaBeta,
    spherical_harmonics_alpha,
    spherical_harmonics_alpha_beta,
)

__all__ = [
    "Legendre", "SphericalHarmonicsAlphaBeta", "compile_mode", "get_optimization_defaults", "o3",
    "spherical_harmonics_alpha", "spherical_harmonics_alpha_beta",
]
