"""Shared by the tests (tests/) and the docstring examples (src/curienn, run with
``--doctest-modules``): one torch thread, and every doctest starts from the same
seed and the float32 default dtype, which it may not leak to what runs next."""

import pytest
import torch
from _pytest.doctest import DoctestItem

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _doctest_isolation(request):
    if not isinstance(request.node, DoctestItem):
        yield
        return
    torch.manual_seed(0)
    old = torch.get_default_dtype()
    yield
    torch.set_default_dtype(old)
