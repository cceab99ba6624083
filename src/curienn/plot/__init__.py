"""curienn.plot: figures (matplotlib) for the science tools; the top layer.

Each figure family lives in its own private module; import it explicitly,
e.g. ``from curienn.plot._argon import plot_argon_report``.
"""

# Signals on the sphere (matplotlib is imported only when a figure is drawn).
from ._spherical import plot_point_signals, plot_signal, signal_surface  # noqa: E402
from . import _spherical  # noqa: E402

__all__ = [*globals().get("__all__", []), *_spherical.__all__]
