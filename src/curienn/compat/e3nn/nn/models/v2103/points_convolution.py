"""``e3nn.nn.models.v2103.points_convolution`` over curienn: ``Convolution`` is
:class:`curienn.models.PointsConvolution2103`."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.models import PointsConvolution2103 as Convolution
from curienn.nn import FullyConnectedNet, FullyConnectedTensorProduct, TensorProduct

__all__ = [
    "Convolution", "FullyConnectedNet", "FullyConnectedTensorProduct", "TensorProduct",
    "compile_mode", "o3",
]
