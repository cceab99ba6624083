"""``e3nn.util.default_type`` over torch: the default dtype and device (e3nn's helpers,
written for TorchScript, are plain torch calls here)."""

from __future__ import annotations

from typing import Optional, Tuple

import torch

__all__ = ["explicit_default_types", "torch_get_default_device", "torch_get_default_tensor_type"]


def torch_get_default_tensor_type() -> str:
    """The default tensor type name, e.g. ``'torch.FloatTensor'``."""
    return torch.empty(0).type()


def torch_get_default_device() -> torch.device:
    """The device new tensors go to."""
    return torch.empty(0).device


def explicit_default_types(
    dtype: Optional[torch.dtype], device: Optional[torch.device]
) -> Tuple[torch.dtype, torch.device]:
    """``(dtype, device)`` with ``None`` replaced by the defaults."""
    return (torch.get_default_dtype() if dtype is None else dtype,
            torch_get_default_device() if device is None else device)
