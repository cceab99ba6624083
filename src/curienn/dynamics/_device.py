r"""Checking a device name before any tensor is put on it.

``torch.device("cuda")`` succeeds on a CPU-only build and fails later, deep
inside the first copy, with an ``AssertionError``; :func:`resolve_device`
fails first, with the devices that *are* available.
"""

from __future__ import annotations

import torch

__all__ = ["available_devices", "resolve_device"]


def available_devices() -> list[str]:
    """The device names this torch can use here, e.g. ``["cpu", "cuda:0"]``."""
    names = ["cpu"]
    if torch.cuda.is_available():
        names += [f"cuda:{k}" for k in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        names.append("mps")
    return names


def resolve_device(name: str | torch.device) -> torch.device:
    """``torch.device(name)``, or a ``ValueError`` naming the available devices
    when ``name`` is malformed or not usable here (a CUDA device on a CPU-only
    build or beyond the device count, MPS off a Mac)."""
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError) as e:
        raise ValueError(f"device {str(name)!r} is not a device name ({e}); available: "
                         f"{', '.join(available_devices())}") from None
    available = available_devices()
    if device.type == "cpu":
        return device
    if device.type == "cuda":
        if not torch.cuda.is_available():
            why = ("this torch was built without CUDA" if torch.version.cuda is None
                   else "no CUDA GPU is visible")
            raise ValueError(f"device {str(name)!r} is not available: {why} (torch {torch.__version__}); "
                             f"available: {', '.join(available)}")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(f"device {str(name)!r} is not available: there are "
                             f"{torch.cuda.device_count()} CUDA devices; available: {', '.join(available)}")
        return device
    if device.type == "mps" and "mps" in available:
        return device
    raise ValueError(f"device {str(name)!r} is not available here; available: {', '.join(available)}")
