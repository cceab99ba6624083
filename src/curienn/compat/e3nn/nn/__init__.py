"""``e3nn.nn`` over curienn: gates, activations, normalization, dropout, extraction
and ``FullyConnectedNet`` (thin re-exports of :mod:`curienn.nn`).

``e3nn.nn._gate._Sortcut`` is at :mod:`curienn.compat.e3nn.nn._gate`; the
gate-points network at :mod:`curienn.compat.e3nn.nn.models.gate_points_2101`.
``S2Activation`` / ``SO3Activation`` are not provided (see
``curienn.compat.e3nn.UNSUPPORTED["e3nn.nn"]``).
"""

from curienn.nn import (
    Activation,
    BatchNorm,
    Dropout,
    Extract,
    ExtractIr,
    FullyConnectedNet,
    Gate,
    Identity,
    NormActivation,
)

from . import _gate

__all__ = [
    "Extract", "ExtractIr", "BatchNorm", "FullyConnectedNet", "Activation", "Gate",
    "Identity", "NormActivation", "Dropout",
]


def __getattr__(name: str):
    if name == "models":
        import importlib

        return importlib.import_module(f"{__name__}.models")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
