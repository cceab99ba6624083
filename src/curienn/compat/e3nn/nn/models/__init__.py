"""``e3nn.nn.models`` over curienn: :mod:`.gate_points_2101`."""

from . import gate_points_2101

__all__ = ["gate_points_2101"]
