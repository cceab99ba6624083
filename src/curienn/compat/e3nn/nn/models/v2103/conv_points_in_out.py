"""``e3nn.nn.models.v2103.conv_points_in_out`` over curienn: ``Convolution`` is
:class:`curienn.models.PointsInOutConvolution`."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.util.jit import compile_mode
from curienn.compat.e3nn.nn.models._examples import conv_points_in_out_test as test
from curienn.models import PointsInOutConvolution as Convolution
from curienn.nn import FullyConnectedNet, FullyConnectedTensorProduct, TensorProduct

__all__ = [
    "Convolution", "FullyConnectedNet", "FullyConnectedTensorProduct", "TensorProduct",
    "compile_mode", "o3", "test",
]
