"""``e3nn.nn.models.v2106.points_convolution`` over curienn: ``Convolution`` is
:class:`curienn.models.PointsConvolution`; ``scatter(src, index, dim_size)`` a sum along
dimension 0."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.io import scatter_sum as scatter
from curienn.models import PointsConvolution as Convolution
from curienn.nn import FullyConnectedNet, FullyConnectedTensorProduct, TensorProduct

__all__ = [
    "Convolution", "FullyConnectedNet", "FullyConnectedTensorProduct", "TensorProduct",
    "compile_mode", "o3", "scatter",
]
