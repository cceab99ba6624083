"""``e3nn.nn.models.v2103.voxel_convolution`` over curienn: ``Convolution`` is
:class:`curienn.models.VoxelConvolution2103`."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.nn.models._examples import voxel_convolution_2103_test as test
from curienn.models import LowPassFilter
from curienn.models import VoxelConvolution2103 as Convolution
from curienn.nn import FullyConnectedTensorProduct, Linear, soft_one_hot_linspace

__all__ = [
    "Convolution", "FullyConnectedTensorProduct", "Linear", "LowPassFilter", "o3",
    "soft_one_hot_linspace", "test",
]
