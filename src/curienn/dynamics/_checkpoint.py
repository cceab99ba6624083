r"""Argon training checkpoints: saving, loading (``weights_only=True``, with a
clear :class:`curienn.io.CheckpointError` for a file that is not one), the
model they hold, and the checks before a run is resumed from one."""

from __future__ import annotations

import os

import torch

from curienn.io import load_checkpoint as io_load_checkpoint
from curienn.io import save_checkpoint as io_save_checkpoint

from ._config import _DTYPES, TrainConfig
from ._dataset import ArgonData
from ._model import ArgonForceModel

__all__ = ["CHECKPOINT_KIND", "save_checkpoint", "load_checkpoint", "load_model"]

#: the ``kind`` stamped into argon training checkpoints (see :func:`curienn.io.save_checkpoint`)
CHECKPOINT_KIND = "argon-checkpoint"
_CHECKPOINT_KEYS = ("model", "model_hparams", "optimizer", "step", "config")


def save_checkpoint(path: str | os.PathLike, payload: dict) -> None:
    """Save an argon training checkpoint atomically (:func:`curienn.io.save_checkpoint`)."""
    io_save_checkpoint(path, payload, kind=CHECKPOINT_KIND)


def load_checkpoint(path: str | os.PathLike, map_location="cpu") -> dict:
    """Load an argon training checkpoint (``weights_only=True``), refusing with a
    :class:`curienn.io.CheckpointError` a file that is not one."""
    return io_load_checkpoint(path, kind=CHECKPOINT_KIND, required=_CHECKPOINT_KEYS, map_location=map_location)


def load_model(path: str | os.PathLike, best: bool = True, map_location="cpu",
               dtype: torch.dtype | None = None) -> ArgonForceModel:
    """The :class:`ArgonForceModel` saved in a checkpoint: the best-validation
    weights when ``best`` and present, else the last ones; converted to
    ``dtype`` if given."""
    ck = load_checkpoint(path, map_location)
    h = ck["model_hparams"]
    model = ArgonForceModel(h["x_scale"], h["y_scale"], h["widths"], h["a"], dtype=_DTYPES[h["dtype"]])
    state = ck.get("best_state") if best else None
    model.load_state_dict(state if state is not None else ck["model"])
    if dtype is not None:
        model = model.to(dtype)
    return model.eval()


def _describe_data(meta: dict) -> str:
    keys = ("n", "seed", "std", "r_min", "split")
    return ", ".join(f"{k}={meta[k]}" for k in keys if k in meta) or "unknown"


def _check_resume(path: str, ck: dict, cfg: TrainConfig, data: ArgonData, allow_other_data: bool) -> None:
    """Refuse to resume a checkpoint made with another model, optimizer or dataset."""
    old = ck["config"]
    if old.get("optimizer") != cfg.optimizer:
        raise ValueError(
            f"checkpoint {path!r} is a {old.get('optimizer')!r} run; it cannot be resumed with "
            f"optimizer {cfg.optimizer!r}. To continue its model with {cfg.optimizer!r}, start a new run "
            f"from its weights (CLI: --init {path} --checkpoint NEW.pt)")
    for key in ("widths", "a"):
        if old.get(key) != getattr(cfg, key):
            raise ValueError(f"checkpoint {path!r} was made with {key}={old.get(key)!r}, this run has "
                             f"{key}={getattr(cfg, key)!r}; use the same model, or a new checkpoint")
    fp = ck.get("data_fingerprint")
    if fp is not None and fp != data.fingerprint() and not allow_other_data:
        raise ValueError(
            f"checkpoint {path!r} was trained on another dataset ({_describe_data(ck.get('data_meta', {}))}); "
            f"this run's is ({_describe_data(data.meta)}). Use the same --configs/--seed/--data, or allow it "
            f"explicitly (CLI: --allow-other-data)")
