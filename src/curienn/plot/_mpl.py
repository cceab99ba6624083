"""matplotlib, imported when a figure is drawn (it is the optional ``curienn[viz]``
dependency): :func:`pyplot` selects the non-interactive Agg backend unless a
file backend is already in use, so figures render on machines without a display."""

from __future__ import annotations

import os

__all__ = ["pyplot", "save"]

_FILE_BACKENDS = ("agg", "pdf", "svg", "ps", "cairo")


def pyplot():
    """``matplotlib.pyplot``, on a backend that can write files without a display."""
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("figures need matplotlib: pip install 'curienn[viz]'") from exc
    if matplotlib.get_backend().lower() not in _FILE_BACKENDS:
        try:
            matplotlib.use("Agg")
        except Exception:  # noqa: BLE001 - keep the user's backend if it cannot be switched
            pass
    import matplotlib.pyplot as plt

    return plt


def save(fig, path, **kwargs):
    """``fig.savefig(path, dpi=120, **kwargs)`` when ``path`` is given (its folder
    is created); returns ``fig``."""
    if path is not None:
        folder = os.path.dirname(os.path.abspath(os.fspath(path)))
        os.makedirs(folder, exist_ok=True)
        fig.savefig(path, dpi=120, **kwargs)
    return fig
