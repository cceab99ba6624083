"""curienn.models: networks built from curienn.nn.

- :class:`Network`: the gate-points point-convolution network (e3nn's
  ``gate_points_2101.Network``), with periodic boundary conditions;
  :class:`Network2102` (``gate_points_2102``) also feeds the scalar node attributes to
  the radial networks.
- Point convolutions and message passing of e3nn's ``v2103``/``v2106`` families
  (:class:`PointsConvolution`, :class:`MessagePassing`, :class:`SimpleNetwork`,
  :class:`NetworkForAGraphWithAttributes` and their ``...2103`` versions,
  :class:`PointsInOutConvolution`); voxel convolutions (:class:`VoxelConvolution`,
  ``v2104``; :class:`VoxelConvolution2103`; :class:`LowPassFilter`).
- :mod:`curienn.models.unitary`: Ma & Chan's feedforward unitary-equivariant network.
"""

from ._gate_points import Compose, Convolution, Network, load_e3nn_network_state_dict, tp_path_exists
from ._gate_points_2102 import Convolution2102, Network2102
from ._points_convolution import *  # noqa: F401,F403
from ._message_passing import *  # noqa: F401,F403
from ._voxel_convolution import *  # noqa: F401,F403
from . import _message_passing, _points_convolution, _voxel_convolution
from . import unitary
from .unitary import UnitaryNetwork

__all__ = [
    "Network", "Convolution", "Compose", "load_e3nn_network_state_dict", "tp_path_exists", "Network2102", "Convolution2102",
    *_points_convolution.__all__, *_message_passing.__all__, *_voxel_convolution.__all__,
    "unitary", "UnitaryNetwork",
]
