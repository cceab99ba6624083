"""e3nn 0.6.0 state dicts in curienn modules: :func:`load_e3nn_state_dict` loads an
e3nn ``TensorProduct`` / ``Linear`` (or any module tree) ``state_dict``, and
:func:`drop_e3nn_tensor_product_keys` is what the modules that replace e3nn's
weightless tensor products (``Norm``, ``Gate``, ``NormActivation``) call from
``_load_from_state_dict``."""

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

    Example (e3nn installed):
        >>> import e3nn.o3, curienn.nn
        >>> theirs = e3nn.o3.FullyConnectedTensorProduct("2x1o", "1o", "2x0e")
        >>> ours = curienn.nn.FullyConnectedTensorProduct("2x1o", "1o", "2x0e")
        >>> load_e3nn_state_dict(ours, theirs.state_dict())
        <All keys matched successfully>
        >>> x, y = torch.randn(2, 6), torch.randn(2, 3)
        >>> torch.allclose(ours(x, y), theirs(x, y), atol=1e-6)
        True

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


def drop_e3nn_tensor_product_keys(state_dict: dict, prefix: str, *names: str) -> None:
    """Drop the keys of e3nn's weightless tensor products from ``state_dict``.

    Where e3nn uses a weightless ``TensorProduct`` (``Norm.tp``, ``Gate.mul``,
    ``NormActivation.scalar_multiplier``), its ``state_dict`` holds an empty ``weight``
    and an all-ones ``output_mask``. They carry no information; dropping them lets
    e3nn checkpoints load strictly into the curienn modules, which compute the same
    thing directly.
    """
    for name in names:
        for key in ("weight", "output_mask"):
            state_dict.pop(f"{prefix}{name}.{key}", None)
