r"""Data-parallel helpers for :func:`~curienn.dynamics.train_argon` (``torch.distributed``).

Launch with ``torchrun --nproc_per_node=K -m curienn.cli argon train ...``:
:func:`init_distributed` reads torchrun's environment and starts a process
group (``gloo`` on CPU, ``nccl`` on GPU). Every rank draws the same *global*
batch from the same seeded generator and trains on its slice
``idx[rank::world]``; ``DistributedDataParallel`` averages the gradients, so
with equal slices the update equals one process on the global batch.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist

__all__ = ["init_distributed", "get_rank", "get_world_size", "is_distributed", "broadcast_float",
           "broadcast_floats"]


def is_distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def get_rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def get_world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def init_distributed(backend: str | None = None) -> tuple[int, int]:
    """Start the process group when launched by ``torchrun`` (``WORLD_SIZE > 1``).

    Returns ``(rank, world_size)``; ``(0, 1)`` when not distributed.
    """
    if not is_distributed() and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        if backend is None:
            backend = "nccl" if torch.cuda.is_available() else "gloo"
        if backend not in ("gloo", "nccl", "mpi"):
            raise ValueError(f"unknown torch.distributed backend {backend!r}")
        dist.init_process_group(backend)
        if backend == "nccl":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    return get_rank(), get_world_size()


def broadcast_float(value: float, device: torch.device | str = "cpu") -> float:
    """Rank 0's ``value`` on every rank (identity when not distributed)."""
    if not is_distributed():
        return float(value)
    t = torch.tensor([float(value)], dtype=torch.float64, device=device)
    dist.broadcast(t, src=0)
    return float(t.item())


def broadcast_floats(values: list[float], device: torch.device | str = "cpu") -> list[float]:
    """Rank 0's ``values`` on every rank, in one collective (identity when not distributed)."""
    if not is_distributed():
        return [float(v) for v in values]
    t = torch.tensor([float(v) for v in values], dtype=torch.float64, device=device)
    dist.broadcast(t, src=0)
    return t.tolist()
