"""``e3nn.nn.models.gate_points_2102`` over curienn: ``Network`` is
:class:`curienn.models.Network2102` (the radial networks also see the scalar node
attributes), ``Convolution`` :class:`curienn.models.Convolution2102`."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.io import radius_graph
from curienn.io import scatter_sum as scatter
from curienn.models import Compose, load_e3nn_network_state_dict, tp_path_exists
from curienn.models import Convolution2102 as Convolution
from curienn.models import Network2102 as Network
from curienn.nn import (
    ExtractIr,
    FullyConnectedNet,
    FullyConnectedTensorProduct,
    Gate,
    TensorProduct,
    smooth_cutoff,
    soft_one_hot_linspace,
)

__all__ = [
    "Network", "Convolution", "Compose", "ExtractIr", "smooth_cutoff", "tp_path_exists",
    "radius_graph", "scatter", "soft_one_hot_linspace", "FullyConnectedNet",
    "FullyConnectedTensorProduct", "Gate", "TensorProduct", "o3", "load_e3nn_network_state_dict",
    "compile_mode",
]
