"""``e3nn.nn.models.v2103.gate_points_message_passing`` over curienn: ``MessagePassing`` is
:class:`curienn.models.MessagePassing2103`."""

from curienn.compat.e3nn import o3
from curienn.compat.e3nn.nn.models._examples import message_passing_2103_test as test
from curienn.models import Compose, tp_path_exists
from curienn.models import MessagePassing2103 as MessagePassing
from curienn.models import PointsConvolution2103 as Convolution
from curienn.nn import Gate

__all__ = [
    "Compose", "Convolution", "Gate", "MessagePassing", "o3", "test", "tp_path_exists",
]
