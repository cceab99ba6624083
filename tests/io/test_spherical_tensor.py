"""SphericalTensor against e3nn 0.6.0, closed forms and the O(3) action."""

import contextlib
import math
import pickle

import pytest
import torch
from e3nn import io as eio

from curienn.io._spherical_tensor import SphericalTensor
from curienn.o3 import Irreps, rand_matrix, spherical_harmonics


@contextlib.contextmanager
def _f64():
    """e3nn builds its grids in the default dtype: call it under float64."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def _close(a, b, dtype, scale=1.0):
    tol = (1e-4 if dtype == torch.float32 else 1e-10) * scale
    torch.testing.assert_close(a, b.to(a.dtype), atol=tol, rtol=tol)


@pytest.mark.parametrize("args", [(3, 1, -1), (4, 1, 1), (2, -1, -1), (0, -1, 1)])
def test_irreps_match_e3nn(args):
    s = SphericalTensor(*args)
    assert s == eio.SphericalTensor(*args) and isinstance(s, Irreps)
    assert (s.p_val, s.p_arg, s.lmax, s.dim) == (args[1], args[2], args[0], (args[0] + 1) ** 2)
    assert pickle.loads(pickle.dumps(s)) == s
    assert SphericalTensor(3, 1, -1) == Irreps.spherical_harmonics(3)


def test_with_peaks_at_matches_e3nn(dtype):
    s, e = SphericalTensor(4, 1, -1), eio.SphericalTensor(4, 1, -1)
    pos = torch.randn(4, 3, dtype=torch.float64)
    val = torch.randn(4, dtype=torch.float64)
    x = s.with_peaks_at(pos.to(dtype))
    _close(x, e.with_peaks_at(pos), dtype, 10)
    _close(s.signal_xyz(x, pos.to(dtype)), pos.norm(dim=-1), dtype, 10)  # the defining property
    _close(s.with_peaks_at(pos.to(dtype), val.to(dtype)), e.with_peaks_at(pos, val), dtype, 10)
    # the docstring example of e3nn
    p = torch.tensor([[1.0, 0.0, 0.0], [3.0, 4.0, 0.0]])
    _close(s.signal_xyz(s.with_peaks_at(p), p), torch.tensor([1.0, 5.0]), dtype)


def test_with_peaks_at_equivariant(dtype):
    s = SphericalTensor(5, 1, -1)
    pos = torch.randn(3, 3)
    for R in [rand_matrix(dtype=dtype), -rand_matrix(dtype=dtype)]:
        _close(s.with_peaks_at(pos @ R.T), s.D_from_matrix(R) @ s.with_peaks_at(pos), dtype, 10)
        val = torch.randn(3)
        _close(s.sum_of_diracs(pos @ R.T, val), s.D_from_matrix(R) @ s.sum_of_diracs(pos, val), dtype, 10)


def test_with_peaks_at_edge_cases(dtype):
    s = SphericalTensor(3, 1, -1)
    assert torch.equal(s.with_peaks_at(torch.zeros(0, 3)), torch.zeros(16))
    pos = torch.tensor([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]])
    _close(s.with_peaks_at(pos), s.with_peaks_at(pos[:1]), dtype)
    with pytest.raises(ValueError, match="p_val"):
        SphericalTensor(3, -1, -1).with_peaks_at(pos)


def test_sum_of_diracs_matches_e3nn(dtype):
    s, e = SphericalTensor(7, 1, -1), eio.SphericalTensor(7, 1, -1)
    pos = torch.randn(3, 4, 3, dtype=torch.float64)
    val = torch.randn(3, 4, dtype=torch.float64)
    _close(s.sum_of_diracs(pos.to(dtype), val.to(dtype)), e.sum_of_diracs(pos, val), dtype, 10)
    # closed form: 4 pi / (L+1)^2 sum_i v_i Y(r_i)
    y = spherical_harmonics(list(range(8)), pos, True, normalization="integral")
    _close(s.sum_of_diracs(pos.to(dtype), val.to(dtype)), 4 * math.pi / 64 * (y * val[..., None]).sum(-2), dtype, 10)
    assert s.sum_of_diracs(torch.empty(1, 0, 2, 3), torch.empty(2, 0, 1)).shape == (2, 0, 64)
    assert s.sum_of_diracs(torch.randn(1, 3, 2, 3), torch.randn(2, 1, 1)).shape == (2, 3, 64)


def test_from_samples_on_s2_matches_e3nn(dtype):
    s, e = SphericalTensor(3, 1, -1), eio.SphericalTensor(3, 1, -1)
    pos = torch.randn(2, 5, 3, dtype=torch.float64)
    val = torch.randn(2, 5, dtype=torch.float64)
    with _f64():
        expect = e.from_samples_on_s2(pos, val, res=30)
    _close(s.from_samples_on_s2(pos.to(dtype), val.to(dtype), res=30), expect, dtype, 10)
    # a constant signal: only the l = 0 coefficient, sqrt(4 pi) * value
    x = s.from_samples_on_s2(torch.randn(1, 3), torch.tensor([2.0]), res=20)
    _close(x, torch.tensor([2 * math.sqrt(4 * math.pi)] + [0.0] * 15), dtype, 10)
    assert s.from_samples_on_s2(torch.empty(2, 0, 10, 3), torch.empty(2, 0, 10)).shape == (2, 0, 16)


def test_norms_signal_xyz_grid_match_e3nn(dtype):
    s, e = SphericalTensor(3, 1, -1), eio.SphericalTensor(3, 1, -1)
    c = torch.randn(2, 16, dtype=torch.float64)
    _close(s.norms(c.to(dtype)), e.norms(c), dtype)
    _close(s.norms(torch.tensor([1.5, 0.0, 3.0, 4.0] + [0.0] * 12)), torch.tensor([1.5, 5.0, 0.0, 0.0]), dtype)
    r = torch.randn(3, 5, 3, dtype=torch.float64)
    out = s.signal_xyz(c.to(dtype), r.to(dtype))
    assert out.shape == (2, 3, 5)
    _close(out, e.signal_xyz(c, r), dtype, 10)
    grid, values = s.signal_on_grid(c.to(dtype), res=20)
    with _f64():
        egrid, evalues = e.signal_on_grid(c, res=20)
    assert grid.shape == (20, 19, 3) and values.shape == (2, 20, 19)
    _close(grid, egrid, dtype)
    _close(values, evalues, dtype, 10)
    # the grid values are the signal at the grid points
    _close(values, s.signal_xyz(c.to(dtype), grid), dtype, 10)


def test_find_peaks(dtype):
    s, e = SphericalTensor(4, 1, -1), eio.SphericalTensor(4, 1, -1)
    pos = torch.tensor([[4.0, 0.0, 4.0], [0.0, 5.0, 0.0]])
    x = s.with_peaks_at(pos)
    p, v = s.find_peaks(x)
    # e3nn's docstring example: two large peaks near (1, 0, 1)/sqrt2 and (0, 1, 0)
    big = v > 4.0
    torch.testing.assert_close(p[big].mul(10).round().abs(), torch.tensor([[7.0, 0.0, 7.0], [0.0, 10.0, 0.0]]))
    torch.testing.assert_close(v[big].mul(10).round().abs(), torch.tensor([57.0, 50.0]))
    # the same peaks as e3nn's (whose positions are only as fine as its grid)
    with _f64():
        ep, ev = e.find_peaks(x.double())
    assert len(ep) == len(p)
    d = torch.cdist(p.double(), ep)
    assert d.min(dim=1).values.max() < 0.05
    assert (v.double() - ev[d.argmin(dim=1)]).abs().max() < 0.05
    # our peaks are true local maxima: the gradient along the sphere vanishes
    u = p.double().clone().requires_grad_(True)
    f = s.signal_xyz(x.double(), u)
    (g,) = torch.autograd.grad(f.sum(), u)
    g_t = g - (g * u).sum(-1, keepdim=True) * u
    assert g_t.norm(dim=-1).max() < 1e-3 * v.abs().max()


def test_bad_arguments():
    with pytest.raises(ValueError, match="lmax"):
        SphericalTensor(-1, 1, 1)
    with pytest.raises(ValueError, match="p_val"):
        SphericalTensor(2, 0, 1)
    with pytest.raises(ValueError, match="p_arg"):
        SphericalTensor(2, 1, 2)
    s = SphericalTensor(2, 1, -1)
    with pytest.raises(ValueError, match="signal"):
        s.norms(torch.randn(4))
    with pytest.raises(ValueError, match="shape"):
        s.signal_xyz(torch.randn(9), torch.randn(2))
    with pytest.raises(ValueError, match="res"):
        s.find_peaks(torch.randn(9), res=2)
