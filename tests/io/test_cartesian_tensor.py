"""CartesianTensor and ReducedTensorProducts against e3nn 0.6.0 and the O(3) action."""

import functools
import itertools
import pickle
import time

import pytest
import torch
from e3nn import io as eio
from e3nn import o3 as eo3

from curienn.io._cartesian_tensor import CartesianTensor
from curienn.io._reduced_tensor_products import ReducedTensorProducts, _reduced_basis, reduced_basis
from curienn.o3 import Irreps, rand_matrix

FORMULAS = {
    "ij=ji": "1x0e+1x2e",
    "ij=-ji": "1x1e",
    "ijkl=jikl=klij": "2x0e+2x2e+1x4e",
    "ijk=-ikj=-jik": "1x0o",
    "ij": "1x0e+1x1e+1x2e",
    "ijk=jik": "2x1o+1x2o+1x3o",
}


@functools.lru_cache(maxsize=None)
def _e3nn_q(formula):
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        ct = eio.CartesianTensor(formula)
        return str(ct), ct.reduced_tensor_products().change_of_basis
    finally:
        torch.set_default_dtype(old)


def _rotations(dtype):
    """A random rotation, a random improper rotation and the inversion."""
    R = rand_matrix(dtype=dtype)
    return [R, -rand_matrix(dtype=dtype), -torch.eye(3, dtype=dtype)]


def _act(T, R):
    """(R x R x ... ) T on every index."""
    for k in range(T.ndim):
        T = torch.movedim(torch.tensordot(R, T, dims=([1], [k])), 0, k)
    return T


def _symmetrize(formula, T):
    """Average of T over the signed permutations (independent of the library's code)."""
    base, *rest = formula.split("=")
    ops = [(1, base)] + [(-1 if t.startswith("-") else 1, t.lstrip("-")) for t in rest]
    out = T.double()
    for _ in range(200):  # A^k -> the projector onto the tensors fixed by every relation
        acc = torch.zeros_like(out)
        for s, t in ops:
            acc = acc + s * torch.einsum(f"...{t}->...{base}", out)
        out = acc / len(ops)
    for s, t in ops:  # the oracle converged: every relation holds
        assert (s * torch.einsum(f"...{t}->...{base}", out) - out).abs().max() < 1e-12
    return out.to(T.dtype)


@pytest.mark.parametrize("formula", list(FORMULAS))
def test_irreps_match_e3nn(formula):
    ct = CartesianTensor(formula)
    e3nn_irreps, e3nn_q = _e3nn_q(formula)
    assert str(ct) == FORMULAS[formula] == e3nn_irreps
    assert ct == Irreps(FORMULAS[formula]) and isinstance(ct, Irreps)
    assert ct.formula == formula and ct.indices == formula.split("=")[0]
    q = ct.reduced_tensor_products().change_of_basis
    assert q.shape == e3nn_q.shape
    # rows orthonormal, each irrep block of squared Frobenius norm = its dimension
    flat = q.reshape(q.shape[0], -1).double()
    torch.testing.assert_close(flat @ flat.T, torch.eye(ct.dim, dtype=torch.float64), atol=1e-6, rtol=0)
    for mul_ir, s in zip(ct, ct.slices()):
        for u in range(mul_ir.mul):
            block = flat[s][u * mul_ir.ir.dim : (u + 1) * mul_ir.ir.dim]
            assert abs(block.pow(2).sum().item() - mul_ir.ir.dim) < 1e-5
        # the same subspace as e3nn's for each irrep type (the basis within it may rotate)
        eq = e3nn_q.reshape(e3nn_q.shape[0], -1)[s]
        proj = flat[s].T @ flat[s]
        torch.testing.assert_close(eq @ proj, eq, atol=1e-6, rtol=0)


def test_elasticity_has_21_numbers():
    assert CartesianTensor("ijkl=jikl=klij").dim == 21
    assert CartesianTensor("ijkl=jikl=ijlk").dim == 36


@pytest.mark.parametrize("formula", ["ij=ji", "ij=-ji", "ijkl=jikl=klij", "ijk=-ikj=-jik"])
def test_round_trip(dtype, tol, formula):
    ct = CartesianTensor(formula)
    n = len(ct.indices)
    T = _symmetrize(formula, torch.randn(5, *(3,) * n))
    x = ct.from_cartesian(T)
    assert x.shape == (5, ct.dim) and x.dtype == dtype
    torch.testing.assert_close(ct.to_cartesian(x), T, atol=10 * tol, rtol=10 * tol)
    y = torch.randn(2, ct.dim)
    torch.testing.assert_close(ct.from_cartesian(ct.to_cartesian(y)), y, atol=10 * tol, rtol=10 * tol)
    # a tensor without the symmetry is projected onto it
    W = torch.randn(*(3,) * n)
    torch.testing.assert_close(ct.to_cartesian(ct.from_cartesian(W)), _symmetrize(formula, W), atol=10 * tol, rtol=10 * tol)


def test_known_values(dtype, tol):
    # trace part of the identity, Levi-Civita, antisymmetric tensor <-> pseudovector
    x = CartesianTensor("ij=ji").from_cartesian(torch.eye(3))
    torch.testing.assert_close(x, torch.tensor([3**0.5, 0, 0, 0, 0, 0]), atol=tol, rtol=0)
    eps = torch.zeros(3, 3, 3)
    for (i, j, k), s in zip(itertools.permutations(range(3)), [1, -1, -1, 1, 1, -1]):
        eps[i, j, k] = s
    torch.testing.assert_close(CartesianTensor("ijk=-ikj=-jik").from_cartesian(eps).abs(), torch.tensor([6**0.5]), atol=tol, rtol=0)
    v = torch.randn(3)
    A = torch.linalg.cross(v[:, None].expand(3, 3), torch.eye(3), dim=0)  # A_ij = (v x e_j)_i, antisymmetric
    w = CartesianTensor("ij=-ji").from_cartesian(A)
    torch.testing.assert_close(w.abs(), (v.abs() * 2**0.5), atol=10 * tol, rtol=10 * tol)


@pytest.mark.parametrize("formula", ["ij=ji", "ij=-ji", "ijkl=jikl=klij", "ijk=-ikj=-jik", "ijk=jik"])
def test_equivariance(dtype, formula):
    ct = CartesianTensor(formula)
    n = len(ct.indices)
    T = _symmetrize(formula, torch.randn(*(3,) * n))
    atol = 1e-4 if dtype == torch.float32 else 1e-10
    for R in _rotations(dtype):
        D = ct.D_from_matrix(R)
        torch.testing.assert_close(ct.from_cartesian(_act(T, R)), D @ ct.from_cartesian(T), atol=atol, rtol=atol)
        x = torch.randn(ct.dim)
        torch.testing.assert_close(ct.to_cartesian(D @ x), _act(ct.to_cartesian(x), R), atol=atol, rtol=atol)


def test_from_vectors(dtype, tol):
    ct = CartesianTensor("ij=ji")
    a, b = torch.randn(4, 3), torch.randn(4, 3)
    expect = ct.from_cartesian(torch.einsum("zi,zj->zij", a, b))
    torch.testing.assert_close(ct.from_vectors(a, b), expect, atol=10 * tol, rtol=10 * tol)
    rtp = ct.reduced_tensor_products(a)
    torch.testing.assert_close(ct.from_vectors(a, b, rtp=rtp), expect, atol=10 * tol, rtol=10 * tol)
    torch.testing.assert_close(rtp(a, b), expect, atol=10 * tol, rtol=10 * tol)
    assert rtp.change_of_basis.dtype == dtype


def test_basis_is_cached():
    _reduced_basis.cache_clear()
    t0 = time.perf_counter()
    CartesianTensor("ijk=jik")
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    ct = CartesianTensor("ijk=jik")
    warm = time.perf_counter() - t0
    assert warm < cold / 5, (warm, cold)  # the construction alone (other caches may be warm already)
    rtp = ct.reduced_tensor_products()
    # the same basis object, however the irreps are spelled
    q1 = reduced_basis("ijk=jik", i="1o", k="1o")[2]
    q2 = reduced_basis("ijk=jik", j="1x1o", i="1o", k="1o")[2]
    assert q1 is q2
    torch.testing.assert_close(rtp.change_of_basis.double(), q1)
    assert pickle.loads(pickle.dumps(ct)) == ct


@functools.lru_cache(maxsize=None)
def _e3nn_rtp(formula, items):
    theirs = eo3.ReducedTensorProducts(formula, **dict(items))
    return [str(i) for i in theirs.irreps_in], str(theirs.irreps_out), theirs.change_of_basis.shape


RTP_CASES = [
    ("ij", dict(i="1o", j="1e")),
    ("ijk", dict(i="0e+1o", j="1e", k="2x0o")),
    ("ij=ji", dict(i="0o+1o")),
    ("ijk=jik", dict(i="1o", k="1o")),
]


@pytest.mark.parametrize("formula,irreps", RTP_CASES)
def test_rtp_matches_e3nn_and_is_equivariant(dtype, formula, irreps):
    ours = ReducedTensorProducts(formula, **irreps)
    irreps_in, irreps_out, shape = _e3nn_rtp(formula, tuple(sorted(irreps.items())))
    assert [str(i) for i in ours.irreps_in] == irreps_in
    assert str(ours.irreps_out) == irreps_out
    assert ours.change_of_basis.shape == shape
    xs = [ir.randn(3, -1) for ir in ours.irreps_in]
    atol = 1e-4 if dtype == torch.float32 else 1e-10
    for R in _rotations(dtype):
        rotated = [x @ ir.D_from_matrix(R).T for x, ir in zip(xs, ours.irreps_in)]
        torch.testing.assert_close(ours(*rotated), ours(*xs) @ ours.irreps_out.D_from_matrix(R).T, atol=atol, rtol=atol)


@pytest.mark.parametrize(
    "formula,mid,out",
    [("ijkl", ["0e", "1e", "2e", "1o"], None), ("ijk=jik", ["0e", "2e", "1o", "3o"], None), ("ijkl=jikl=klij", None, ["0e", "2e"])],
)
def test_rtp_filters_match_e3nn(formula, mid, out):
    kw = dict(i="1o", j="1o", k="1o", l="1o")
    kw = {c: v for c, v in kw.items() if c in formula}
    ours = ReducedTensorProducts(formula, filter_ir_out=out, filter_ir_mid=mid, **kw)
    theirs = eo3.ReducedTensorProducts(formula, filter_ir_out=out, filter_ir_mid=mid, **kw)
    assert ours.irreps_out == theirs.irreps_out


@pytest.mark.parametrize(
    "formula,match",
    [
        ("ij=jk", "permutation"),
        ("ii", "repeated"),
        ("ij=ji=", "permutation"),
        ("ij=jik", "permutation"),
        ("", "empty"),
        ("i-j", "letter"),
        ("ij=ji=-ij", "zero tensor"),
        ("i1", "letter"),
    ],
)
def test_bad_formulas(formula, match):
    with pytest.raises(ValueError, match=match):
        CartesianTensor(formula)


def test_bad_rtp_arguments():
    with pytest.raises(ValueError, match="no irreps"):
        ReducedTensorProducts("ij", i="1o")
    with pytest.raises(ValueError, match="different irreps"):
        ReducedTensorProducts("ij=ji", i="1o", j="1e")
    with pytest.raises(ValueError, match="not an index"):
        ReducedTensorProducts("ij", i="1o", j="1o", k="1o")
    with pytest.raises(ValueError, match="bad irreps"):
        ReducedTensorProducts("ij", i="1x", j="1o")
    with pytest.raises(ValueError, match="shape"):
        CartesianTensor("ij=ji").from_cartesian(torch.randn(3, 2))
    with pytest.raises(ValueError, match="expected 2 inputs"):
        ReducedTensorProducts("ij", i="1o", j="1o")(torch.randn(3))
