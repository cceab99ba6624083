"""``e3nn.o3._s2grid`` over curienn (:mod:`curienn.io`)."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.util.default_type import explicit_default_types
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.io import FromS2Grid, ToS2Grid, irfft, rfft, s2_grid, spherical_harmonics_s2_grid

__all__ = [
    "FromS2Grid", "ToS2Grid", "compile_mode", "explicit_default_types", "irfft", "o3", "rfft",
    "s2_grid", "spherical_harmonics_s2_grid",
]
