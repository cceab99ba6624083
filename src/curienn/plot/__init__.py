"""curienn.plot: figures (matplotlib) for the science tools; the top layer.

Each figure family lives in its own private module; import it explicitly,
e.g. ``from curienn.plot._argon import plot_argon_report``.
"""
