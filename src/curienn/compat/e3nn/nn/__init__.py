"""``e3nn.nn`` over curienn: gates, activations, normalization, dropout, extraction and
``FullyConnectedNet`` (:mod:`curienn.nn`), the S2/SO(3) activations (:mod:`curienn.io`).

``e3nn.nn._gate._Sortcut`` is at :mod:`curienn.compat.e3nn.nn._gate`; the reference models
at :mod:`curienn.compat.e3nn.nn.models`.
"""

import importlib

from curienn.io import S2Activation, SO3Activation
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

__all__ = [
    "Extract", "ExtractIr", "BatchNorm", "FullyConnectedNet", "Activation", "Gate", "Identity", "S2Activation",
    "SO3Activation", "NormActivation", "Dropout",
]


def __getattr__(name: str):
    if name == "models":
        return importlib.import_module(f"{__name__}.models")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
