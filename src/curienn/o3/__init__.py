"""curienn.o3: irreducible representations of O(3), rotations, Wigner matrices,
Clebsch-Gordan coefficients and spherical harmonics; beneath them, permutations
(:mod:`curienn.o3.perm`), index-symmetry formulas, Gram--Schmidt helpers and the
exception classes every layer raises.

Public API and numbers follow e3nn 0.6.0 (y is the polar axis, the l=1 basis is
(x, y, z)); see ``docs/conventions.md``.
"""

from ._irreps import *  # noqa: F401,F403
from ._rotation import *  # noqa: F401,F403
from ._wigner import *  # noqa: F401,F403
from ._spherical_harmonics import *  # noqa: F401,F403
from ._angular_harmonics import *  # noqa: F401,F403
from ._errors import *  # noqa: F401,F403
from ._linalg import *  # noqa: F401,F403
from ._formulas import *  # noqa: F401,F403
from . import perm
from . import _angular_harmonics, _errors, _formulas, _irreps, _linalg, _rotation, _spherical_harmonics, _wigner

__all__ = [
    *_irreps.__all__, *_rotation.__all__, *_wigner.__all__, *_spherical_harmonics.__all__,
    *_angular_harmonics.__all__, *_errors.__all__, *_linalg.__all__, *_formulas.__all__, "perm",
]
