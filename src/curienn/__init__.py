"""curienn: Euclidean (E(3)-equivariant) neural networks and the science tools built on them.

The layers import in one direction only::

    o3 -> nn -> io -> models -> symmetry -> breaking, dynamics -> plot -> cli

(``optim`` needs only torch; ``testing`` sits beside ``models``, ``compat``
beside ``plot``; ``docs/architecture.md`` has the map.)

Sub-packages are imported lazily, so ``import curienn`` stays cheap; use
``from curienn import o3`` or ``import curienn.o3``.
"""

import importlib as _importlib

from ._conventions import CONVENTIONS_VERSION

__version__ = "0.1.0"

_SUBPACKAGES = (
    "o3", "nn", "io", "models", "symmetry", "breaking", "dynamics",
    "optim", "testing", "compat", "plot", "cli",
)

__all__ = ["__version__", "CONVENTIONS_VERSION", *_SUBPACKAGES]


def __getattr__(name):
    if name in _SUBPACKAGES:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'curienn' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
