"""curienn.compat: compatibility layers for code written against other libraries.

* :mod:`curienn.compat.e3nn` -- e3nn 0.6.0's module tree (``o3``, ``nn``,
  ``nn.models.gate_points_2101``, ``io``, ``math``, ``util.test``, ``util.jit``)
  re-exported over curienn, so that e3nn code runs after changing one import::

      import curienn.compat.e3nn as e3nn          # was: import e3nn
      from curienn.compat.e3nn import o3          # was: from e3nn import o3

  The names are thin re-exports of curienn objects (no logic of their own);
  the numbers equal e3nn 0.6.0's given the same weights, and e3nn checkpoints
  load with :func:`curienn.nn.load_e3nn_state_dict` /
  :func:`curienn.models.load_e3nn_network_state_dict`. TorchScript / code
  generation is not supported. What is missing, and why, is listed in
  :data:`curienn.compat.e3nn.UNSUPPORTED`; see ``docs/porting_from_e3nn.md``.

``compat`` sits on top of the layering and may import every other sub-package;
nothing in curienn imports it.
"""

import importlib

__all__ = ["e3nn"]


def __getattr__(name):
    if name == "e3nn":
        return importlib.import_module(f"{__name__}.e3nn")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
