"""``e3nn.nn.models.gate_points_2101`` over curienn: ``Network`` is
:class:`curienn.models.Network` (same constructor and ``forward(data)``, plus periodic
boundary conditions); load an e3nn checkpoint with :func:`load_e3nn_network_state_dict`.
``radius_graph(pos, r_max, batch)`` returns e3nn's edge order; ``scatter(src, index,
dim_size)`` is a sum along dimension 0."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn import math
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.io import radius_graph
from curienn.io import scatter_sum as scatter
from curienn.models import Compose, Convolution, Network, load_e3nn_network_state_dict, tp_path_exists
from curienn.nn import (
    FullyConnectedNet,
    FullyConnectedTensorProduct,
    Gate,
    TensorProduct,
    smooth_cutoff,
    soft_one_hot_linspace,
)

__all__ = [
    "Network", "Convolution", "Compose", "smooth_cutoff", "tp_path_exists", "radius_graph",
    "scatter", "soft_one_hot_linspace", "FullyConnectedNet", "FullyConnectedTensorProduct", "Gate",
    "TensorProduct", "o3", "math", "load_e3nn_network_state_dict", "compile_mode",
]
