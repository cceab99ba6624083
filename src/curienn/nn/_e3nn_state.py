"""Load e3nn 0.6.0 ``TensorProduct`` / ``Linear`` state dicts into curienn modules."""

from __future__ import annotations

from typing import Mapping

import torch

__all__ = ["load_e3nn_state_dict"]

# e3nn registers its generated code as submodules; their buffers (Clebsch-Gordan tables
# such as ``_compiled_main_left_right._w3j_1_1_2`` or ``_triu_indices_3``) are derived
# data that curienn keeps in its own (non-persistent) buffers.
_CODEGEN_PREFIXES = ("_compiled_main_left_right.", "_compiled_main_right.", "_compiled_main.")


def load_e3nn_state_dict(module: torch.nn.Module, state_dict: Mapping[str, torch.Tensor], strict: bool = True):
    r"""Load the ``state_dict`` of an e3nn module into the matching curienn module.

    Works for one module (``TensorProduct`` and subclasses, ``Linear``) or any module
    tree whose parameter names match e3nn's up to the code-generation buffers: every
    key containing ``_compiled_main_left_right.``, ``_compiled_main_right.`` or
    ``_compiled_main.`` is dropped (they hold Clebsch-Gordan tables that curienn
    computes itself); the remaining keys (``weight``, ``bias``, ``output_mask``, ...) are
    loaded with :meth:`torch.nn.Module.load_state_dict`.  The flat weight layout is
    e3nn's, so outputs are identical.

    Example:
        >>> import e3nn.o3, curienn.nn  # doctest: +SKIP
        >>> theirs = e3nn.o3.FullyConnectedTensorProduct("2x1o", "1o", "2x0e")  # doctest: +SKIP
        >>> ours = curienn.nn.FullyConnectedTensorProduct("2x1o", "1o", "2x0e")  # doctest: +SKIP
        >>> load_e3nn_state_dict(ours, theirs.state_dict())  # doctest: +SKIP

    Args:
        module: the curienn module to fill in place.
        state_dict: an e3nn ``state_dict()``.
        strict: passed to ``load_state_dict`` after the codegen keys are removed.

    Returns:
        The ``(missing_keys, unexpected_keys)`` named tuple of ``load_state_dict``.

    Raises:
        ValueError: if a weight tensor has a different shape (e.g. other irreps).
    """
    own = module.state_dict()
    cleaned = {}
    for key, value in state_dict.items():
        if any(p in key for p in _CODEGEN_PREFIXES):
            continue
        if key in own and own[key].shape != value.shape:
            raise ValueError(f"{key}: e3nn tensor has shape {tuple(value.shape)}, this module expects "
                             f"{tuple(own[key].shape)} (are the irreps and instructions the same?)")
        cleaned[key] = value
    return module.load_state_dict(cleaned, strict=strict)
