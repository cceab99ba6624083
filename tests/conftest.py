import pytest
import torch

# The tests use small tensors, and ``pytest -n 2`` runs two workers on two cores: one
# intra-op thread per process avoids oversubscription, which makes the many small
# kernels of equivariant layers several times slower (and noisier on a shared CPU).
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed_and_dtype():
    """Every test starts from the same seed and the float32 default dtype."""
    torch.manual_seed(0)
    old = torch.get_default_dtype()
    yield
    torch.set_default_dtype(old)


@pytest.fixture(params=[torch.float32, torch.float64], ids=["f32", "f64"])
def dtype(request):
    """Run a test in float32 and float64; yields the dtype (also set as default)."""
    torch.set_default_dtype(request.param)
    return request.param


@pytest.fixture
def tol(dtype):
    """Absolute tolerance that goes with ``dtype``."""
    return {torch.float32: 1e-5, torch.float64: 1e-10}[dtype]
