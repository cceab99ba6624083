"""Equiangular S2 grids and the transforms to/from them, against e3nn 0.6.0 and quadrature."""

import functools
import math

import pytest
import torch
from e3nn import o3 as e3o3

from curienn.io._s2grid import FromS2Grid, ToS2Grid, s2_grid
from curienn.o3 import spherical_harmonics


def test_s2_grid_matches_e3nn(dtype):
    b, a = s2_grid(10, 7)
    eb, ea = e3o3.s2_grid(10, 7)
    assert b.dtype == dtype and b.shape == (10,) and a.shape == (7,)
    torch.testing.assert_close(b, eb.to(dtype))
    torch.testing.assert_close(a, ea.to(dtype))
    torch.testing.assert_close(b, math.pi * (torch.arange(10, dtype=dtype) + 0.5) / 10)


CASES = [
    (3, None, "component", None),
    (3, 10, "norm", 6),
    (3, (10, 11), "integral", None),
    (5, (20, 13), "component", 6),
    (2, (12, 4), "norm", None),
    (None, (10, 11), "component", None),
    (None, (None, 9), "integral", 6),
]


@functools.lru_cache(maxsize=None)
def _e3nn_modules(lmax, res, normalization, lmax_in):
    """e3nn's modules are slow to build: build each once, in float64 (e3nn computes some
    buffers in the default dtype)."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        to = e3o3.ToS2Grid(lmax, res, normalization=normalization)
        frm = e3o3.FromS2Grid(res, lmax, normalization=normalization, lmax_in=lmax_in)
    finally:
        torch.set_default_dtype(old)
    return to, frm


@pytest.mark.parametrize("lmax,res,normalization,lmax_in", CASES)
def test_to_from_match_e3nn(dtype, tol, lmax, res, normalization, lmax_in):
    theirs, theirs_f = _e3nn_modules(lmax, res, normalization, lmax_in)
    ours = ToS2Grid(lmax, res, normalization=normalization)
    ours_f = FromS2Grid(res, lmax, normalization=normalization, lmax_in=lmax_in)
    assert (ours.lmax, ours.res_beta, ours.res_alpha) == (theirs.lmax, theirs.res_beta, theirs.res_alpha)
    assert (ours_f.lmax, ours_f.res_beta, ours_f.res_alpha) == (theirs_f.lmax, theirs_f.res_beta, theirs_f.res_alpha)
    assert ours.shb.dtype == dtype
    x = torch.randn(2, (ours.lmax + 1) ** 2, dtype=torch.float64)
    torch.testing.assert_close(ours(x.to(dtype)), theirs(x).to(dtype), atol=10 * tol, rtol=10 * tol)
    torch.testing.assert_close(ours.grid, theirs.grid.to(dtype), atol=tol, rtol=tol)
    f = torch.randn(3, ours.res_beta, ours.res_alpha, dtype=torch.float64)
    torch.testing.assert_close(ours_f(f.to(dtype)), theirs_f(f).to(dtype), atol=10 * tol, rtol=10 * tol)


def test_grid_values_are_spherical_harmonics(dtype, tol):
    # independent oracle: evaluate the integral-normalized harmonics at the grid points
    m = ToS2Grid(4, (12, 11), normalization="integral")
    x = torch.randn(25)
    expect = spherical_harmonics(list(range(5)), m.grid, False, normalization="integral") @ x
    torch.testing.assert_close(m(x), expect, atol=10 * tol, rtol=10 * tol)


def test_round_trip_and_quadrature(dtype, tol):
    to, frm = ToS2Grid(6, (16, 15)), FromS2Grid((16, 15), 6)
    x = torch.randn(4, 49)
    torch.testing.assert_close(frm(to(x)), x, atol=100 * tol, rtol=100 * tol)
    # the quadrature integrates a constant over the sphere exactly: x_00 of f = 1
    ones = torch.ones(16, 15)
    got = FromS2Grid((16, 15), 6, normalization="integral")(ones)
    torch.testing.assert_close(got[0], torch.tensor(math.sqrt(4 * math.pi)), atol=tol, rtol=tol)
    assert got[1:].abs().max() < 10 * tol


def test_bad_arguments():
    with pytest.raises(ValueError, match="res_beta"):
        ToS2Grid(3, 9)
    with pytest.raises(ValueError, match="too small"):
        ToS2Grid(5, (8, 11))
    with pytest.raises(ValueError, match="normalization"):
        FromS2Grid((8, 7), 3, normalization="bad")
    with pytest.raises(ValueError, match="None"):
        ToS2Grid(None, None)
    with pytest.raises(ValueError, match="res_alpha"):
        s2_grid(4, 0)
    with pytest.raises(ValueError, match="size"):
        ToS2Grid(2)(torch.randn(5))
