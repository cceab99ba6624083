"""curienn.io: geometric data -- Cartesian and spherical tensors, S2 and SO(3) grids (and
the pointwise activations on them), the papers' point-cloud projection, structures
(through ASE), graphs, atomic files and checkpoints, and Ctrl-C deferred to a step boundary.
"""

from ._checkpoint import *  # noqa: F401,F403
from ._interrupt import *  # noqa: F401,F403
from ._structures import *  # noqa: F401,F403
from ._graph import *  # noqa: F401,F403
from ._perovskite import *  # noqa: F401,F403
from ._projection import *  # noqa: F401,F403
from ._s2grid import *  # noqa: F401,F403
from ._s2_fourier import *  # noqa: F401,F403
from ._so3grid import *  # noqa: F401,F403
from ._s2_activation import *  # noqa: F401,F403
from ._reduced_tensor_products import *  # noqa: F401,F403
from ._cartesian_tensor import *  # noqa: F401,F403
from ._spherical_tensor import *  # noqa: F401,F403
from . import (
    _cartesian_tensor, _checkpoint, _graph, _interrupt, _perovskite, _projection, _reduced_tensor_products,
    _s2_activation,
    _s2_fourier, _s2grid, _so3grid, _spherical_tensor, _structures,
)

__all__ = [
    *_checkpoint.__all__, *_interrupt.__all__, *_structures.__all__, *_graph.__all__, *_perovskite.__all__,
    *_projection.__all__,
    *_s2grid.__all__, *_s2_fourier.__all__, *_so3grid.__all__, *_s2_activation.__all__,
    *_reduced_tensor_products.__all__, *_cartesian_tensor.__all__, *_spherical_tensor.__all__,
]
