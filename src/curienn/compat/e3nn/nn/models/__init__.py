"""``e3nn.nn.models`` over curienn: the reference models of e3nn 0.6.0 (:mod:`curienn.models`).

``v2203`` (sparse voxel convolutions on MinkowskiEngine tensors) is not provided; see
``docs/porting_from_e3nn.md``."""

from . import gate_points_2101, gate_points_2102, v2103, v2104, v2106

__all__ = [
    "gate_points_2101", "gate_points_2102", "v2103", "v2104", "v2106",
]
