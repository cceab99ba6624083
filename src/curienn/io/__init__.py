"""curienn.io: geometric data -- Cartesian and spherical tensors, S2 grids, the
papers' point-cloud projection, structures (through ASE) and graphs.
"""

from ._structures import *  # noqa: F401,F403
from ._graph import *  # noqa: F401,F403
from ._perovskite import *  # noqa: F401,F403
from ._projection import *  # noqa: F401,F403
from ._s2grid import *  # noqa: F401,F403
from . import _graph, _perovskite, _projection, _s2grid, _structures

__all__ = [
    *_structures.__all__, *_graph.__all__, *_perovskite.__all__, *_projection.__all__,
    *_s2grid.__all__,
]
