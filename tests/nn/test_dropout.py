"""Dropout against e3nn 0.6.0 (oracle): same seed, same mask."""

import pytest
import torch

from curienn.nn import Dropout
from curienn.testing import assert_equivariant

import e3nn.nn as e3nn_nn


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_dropout_matches_e3nn(dtype, p):
    irreps = "3x0e + 2x1o + 1x2e"
    ours, ref = Dropout(irreps, p), e3nn_nn.Dropout(irreps, p)
    assert repr(ours) == repr(ref)
    x = torch.randn(6, 4, 14)
    torch.manual_seed(5)
    y = ours(x)
    torch.manual_seed(5)
    assert torch.equal(y, ref(x))


def test_dropout_drops_whole_irreps():
    drop = Dropout("20x1o + 10x2e", 0.5)
    x = torch.randn(50, 3, 110) + 5
    y = drop(x)
    mask = (y != 0).reshape(50, 3, 110)
    vec = mask[..., :60].reshape(50, 3, 20, 3)
    assert (vec.all(-1) | ~vec.any(-1)).all()  # all components kept or all dropped
    assert (mask == mask[:, :1]).all()  # one mask per batch element
    kept = y[y != 0]
    torch.testing.assert_close(kept, 2 * x[y != 0])
    assert 0.3 < mask.float().mean() < 0.7


def test_dropout_eval_identity():
    drop = Dropout("2x1o", 0.9).eval()
    x = torch.randn(3, 6)
    assert torch.equal(drop(x), x)


def test_dropout_equivariant(dtype):
    drop = Dropout("2x0e + 2x1o + 1x2e", 0.5).eval()
    assert_equivariant(drop, irreps_in=["2x0e + 2x1o + 1x2e"], irreps_out=["2x0e + 2x1o + 1x2e"])


def test_dropout_bad_dim():
    with pytest.raises(ValueError, match="7"):
        Dropout("1x1o", 0.5)(torch.randn(2, 7))
