"""Device names are checked before use, with the available ones in the message."""

import pytest
import torch

from curienn.dynamics import available_devices, resolve_device


def test_cpu_and_available():
    assert resolve_device("cpu") == torch.device("cpu")
    assert available_devices()[0] == "cpu"
    assert ("cuda:0" in available_devices()) == torch.cuda.is_available()


@pytest.mark.parametrize("name", ["gpu", "cuda:x", ""])
def test_malformed(name):
    with pytest.raises(ValueError, match="not a device name.*available: cpu"):
        resolve_device(name)


def test_cuda_without_a_gpu_names_the_available_devices():
    if torch.cuda.is_available():
        with pytest.raises(ValueError, match=r"there are \d+ CUDA devices"):
            resolve_device(f"cuda:{torch.cuda.device_count()}")
        assert resolve_device("cuda").type == "cuda"
    else:
        for name in ("cuda", "cuda:1"):
            with pytest.raises(ValueError, match=f"'{name}' is not available: .*available: cpu"):
                resolve_device(name)
