"""Data-parallel training (2 CPU processes, gloo) equals one process on the same global batch."""

import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from curienn.dynamics import TrainConfig, make_argon_dataset, train_argon


def _config(optimizer):
    # mini-batch FIRE: its global state (power, norms, dt) must agree across ranks too
    return TrainConfig(widths=[6, 8, 4], max_seconds=None, max_steps=8, batch_size=32, eval_every=4,
                       dtype="float64", keep_best=False, optimizer=optimizer, lr=1e-2, lr_final=1e-3, fire_dt=0.02, fire_dt_max=0.1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank, world, port, out, optimizer):
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        data = make_argon_dataset(200, seed=0)
        res = train_argon(data, _config(optimizer), progress=False)
        if rank == 0:
            torch.save({k: v.detach().clone() for k, v in res.model.state_dict().items()}, out)
    finally:
        dist.destroy_process_group()


@pytest.mark.parametrize("optimizer", ["adam", "fire"])
def test_two_process_ddp_matches_single_process(tmp_path, optimizer):
    out = str(tmp_path / "ddp.pt")
    import torch._dynamo  # noqa: F401  (DDP imports it; import once, before forking)

    # fork: the children inherit the imported modules (a fresh interpreter per rank would
    # spend most of the test importing torch); they only ever run one thread
    mp.start_processes(_worker, args=(2, _free_port(), out, optimizer), nprocs=2, join=True,
                       start_method="fork")
    ddp = torch.load(out, weights_only=True)
    torch.set_num_threads(1)
    single = train_argon(make_argon_dataset(200, seed=0), _config(optimizer), progress=False)
    init = train_argon(make_argon_dataset(200, seed=0),
                       TrainConfig(**{**_config(optimizer).__dict__, "max_steps": 0}), progress=False)
    moved = 0.0
    for k, v in single.model.state_dict().items():
        assert torch.allclose(ddp[k], v, atol=1e-6, rtol=0), k
        moved = max(moved, (v - init.model.state_dict()[k]).abs().max().item())
    assert moved > 1e-3  # the weights did change: the comparison is not vacuous
