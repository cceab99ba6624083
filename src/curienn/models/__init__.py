"""curienn.models: networks built from curienn.nn.

- :class:`Network`: the gate-points point-convolution network (e3nn's
  ``gate_points_2101.Network``), with periodic boundary conditions.
- :mod:`curienn.models.unitary`: Ma & Chan's feedforward unitary-equivariant network.
"""

from ._gate_points import Compose, Convolution, Network, load_e3nn_network_state_dict
from . import unitary
from .unitary import UnitaryNetwork

__all__ = [
    "Network", "Convolution", "Compose", "load_e3nn_network_state_dict",
    "unitary", "UnitaryNetwork",
]
