"""curienn.symmetry: symmetry of point sets, tensors and crystals; character
tables; Curie's principle as a check; symmetry-breaking order parameters.

Operations are 3x3 orthogonal float64 matrices acting on column vectors
(``x -> R x``), in the lab frame of the data (e3nn convention: y is the polar
axis of the spherical harmonics, but point groups are found in any orientation).
"""

from ._group import *  # noqa: F401,F403
from ._point_group import *  # noqa: F401,F403
from . import _group, _point_group

__all__ = [*_group.__all__, *_point_group.__all__]
