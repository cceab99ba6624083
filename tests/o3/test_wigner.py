"""Tests for curienn.o3 Wigner matrices, generators and wigner_3j (oracle: e3nn 0.6.0, sympy)."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import e3nn.o3 as e3o3
from curienn.o3 import change_basis_real_to_complex, so3_generators, su2_generators, wigner_3j, wigner_D
from curienn.o3._w3j_exact import clebsch_gordan_complex, wigner_3j_exact, wigner_3j_sparse_exact
from curienn.o3._w3j_table import TABLE_PATH, table_lookup
from curienn.o3._wigner import _wigner_3j_sparse

LMAX = 8
REPO = Path(__file__).resolve().parents[2]


def _triples(lmax: int) -> list[tuple[int, int, int]]:
    return [
        (l1, l2, l3)
        for l1 in range(lmax + 1)
        for l2 in range(lmax + 1)
        for l3 in range(abs(l1 - l2), min(l1 + l2, lmax) + 1)
    ]


def _rot_x(t: torch.Tensor) -> torch.Tensor:
    c, s, o, z = torch.cos(t), torch.sin(t), torch.ones_like(t), torch.zeros_like(t)
    return torch.stack([o, z, z, z, c, -s, z, s, c], -1).reshape(*t.shape, 3, 3)


def _rot_y(t: torch.Tensor) -> torch.Tensor:
    c, s, o, z = torch.cos(t), torch.sin(t), torch.ones_like(t), torch.zeros_like(t)
    return torch.stack([c, z, s, z, o, z, -s, z, c], -1).reshape(*t.shape, 3, 3)


def _angles_of(r: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(a, b, c) with r = R_y(a) R_x(b) R_y(c): column 1 is (sb sa, cb, sb ca), row 1 is (sb sc, cb, -sb cc)."""
    beta = torch.acos(r[..., 1, 1].clamp(-1, 1))
    alpha = torch.atan2(r[..., 0, 1], r[..., 2, 1])
    gamma = torch.atan2(r[..., 1, 0], -r[..., 1, 2])
    return alpha, beta, gamma


def _random_angles(n: int, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    a, c = (torch.rand(2, n, dtype=dtype) * 4 - 1) * math.pi  # also outside [0, 2 pi)
    b = torch.acos(2 * torch.rand(n, dtype=dtype) - 1)
    return a, b, c


# ----------------------------------------------------------------------------- wigner_3j vs e3nn


@pytest.mark.parametrize("l2", range(LMAX + 1))
@pytest.mark.parametrize("l1", range(LMAX + 1))
def test_wigner_3j_matches_e3nn_all_triples(l1, l2):
    for l3 in range(abs(l1 - l2), min(l1 + l2, LMAX) + 1):
        for dtype, tol in ((torch.float64, 1e-10), (torch.float32, 1e-5)):
            ours = wigner_3j(l1, l2, l3, dtype=dtype)
            ref = e3o3.wigner_3j(l1, l2, l3, dtype=dtype)
            assert ours.dtype == dtype and ours.shape == ref.shape
            torch.testing.assert_close(ours, ref, atol=tol, rtol=0, msg=f"({l1},{l2},{l3}) {dtype}")


def test_wigner_3j_closed_forms(dtype, tol):
    eps = torch.zeros(3, 3, 3, dtype=dtype)
    for (i, j, k), s in {(0, 1, 2): 1, (1, 2, 0): 1, (2, 0, 1): 1, (0, 2, 1): -1, (2, 1, 0): -1, (1, 0, 2): -1}.items():
        eps[i, j, k] = s
    torch.testing.assert_close(wigner_3j(1, 1, 1), eps / math.sqrt(6), atol=tol, rtol=0)
    torch.testing.assert_close(wigner_3j(1, 1, 0)[..., 0], torch.eye(3, dtype=dtype) / math.sqrt(3), atol=tol, rtol=0)
    torch.testing.assert_close(wigner_3j(0, 0, 0), torch.ones(1, 1, 1, dtype=dtype), atol=tol, rtol=0)
    # coupling l with 0 is the identity / sqrt(2l + 1)
    for l in range(5):
        ident = torch.eye(2 * l + 1, dtype=dtype) / math.sqrt(2 * l + 1)
        torch.testing.assert_close(wigner_3j(l, 0, l)[:, 0, :], ident, atol=tol, rtol=0)


def test_wigner_3j_unit_norm_and_swap_symmetry():
    for l1, l2, l3 in _triples(LMAX):
        c = wigner_3j(l1, l2, l3, dtype=torch.float64)
        assert abs(c.norm().item() - 1) < 1e-12
        sign = (-1) ** (l1 + l2 + l3)
        torch.testing.assert_close(c.transpose(0, 1), sign * wigner_3j(l2, l1, l3, dtype=torch.float64), atol=1e-14, rtol=0)
        torch.testing.assert_close(c.transpose(1, 2), sign * wigner_3j(l1, l3, l2, dtype=torch.float64), atol=1e-14, rtol=0)


@pytest.mark.parametrize("triple", [(1, 1, 2), (2, 3, 4), (3, 3, 6), (8, 8, 8), (9, 4, 11), (10, 10, 10)])
def test_wigner_3j_invariant_under_rotation(triple, dtype, tol):
    l1, l2, l3 = triple
    a, b, c = _random_angles(2, dtype)
    d1, d2, d3 = (wigner_D(l, a, b, c) for l in triple)
    cg = wigner_3j(l1, l2, l3)
    rotated = torch.einsum("zil,zjm,zkn,lmn->zijk", d1, d2, d3, cg)
    torch.testing.assert_close(rotated, cg.expand_as(rotated), atol=10 * tol, rtol=0)


def test_wigner_3j_beyond_table_matches_e3nn():
    for triple in [(9, 2, 8), (5, 9, 10)]:
        torch.testing.assert_close(
            wigner_3j(*triple, dtype=torch.float64), e3o3.wigner_3j(*triple, dtype=torch.float64), atol=1e-10, rtol=0
        )


def test_wigner_3j_returns_fresh_contiguous_tensor():
    c = wigner_3j(2, 2, 2, dtype=torch.float64)
    assert c.is_contiguous() and c.dtype == torch.float64
    expected = c.clone()
    c.zero_()
    torch.testing.assert_close(wigner_3j(2, 2, 2, dtype=torch.float64), expected, atol=0, rtol=0)
    assert wigner_3j(2, 2, 2).dtype == torch.get_default_dtype()
    assert wigner_3j(1, 2, 3, device="cpu").device.type == "cpu"


@pytest.mark.parametrize(
    "args", [(1, 1, 3), (0, 2, 1), (-1, 1, 0), (1, -1, 1), (1.0, 1, 1), (True, 1, 1), (4, 1, 2)]
)
def test_wigner_3j_bad_input_raises_value_error(args):
    with pytest.raises(ValueError, match="wigner_3j"):
        wigner_3j(*args)
    with pytest.raises(ValueError):
        _wigner_3j_sparse(*args)


def test_wigner_3j_error_names_the_bad_value():
    with pytest.raises(ValueError, match=r"\(1, 1, 3\)"):
        wigner_3j(1, 1, 3)
    with pytest.raises(ValueError, match="-2"):
        wigner_3j(-2, 1, 1)


def test_wigner_3j_sparse_helper():
    for triple in [(1, 1, 1), (2, 3, 4), (8, 8, 0), (9, 9, 2)]:
        indices, values = _wigner_3j_sparse(*triple)
        assert indices.dtype == torch.long and indices.shape == (values.shape[0], 3)
        assert values.dtype == torch.float64 and bool((values != 0).all())
        dense = torch.zeros(*(2 * l + 1 for l in triple), dtype=torch.float64)
        dense[tuple(indices.T)] = values
        full = wigner_3j(*triple, dtype=torch.float64)
        torch.testing.assert_close(dense, full, atol=0, rtol=0)
        assert int((full != 0).sum()) == values.shape[0]
        assert _wigner_3j_sparse(*triple)[1] is values  # cached


# ----------------------------------------------------------------------------- exact arithmetic and table


@pytest.mark.parametrize("triple", [(1, 1, 1), (2, 1, 3), (3, 2, 2), (4, 4, 2), (5, 3, 4)])
def test_complex_clebsch_gordan_matches_sympy(triple):
    from sympy import Rational, nsimplify
    from sympy.physics.quantum.cg import CG

    ours = clebsch_gordan_complex(*triple)
    l1, l2, l3 = triple
    for m1 in range(-l1, l1 + 1):
        for m2 in range(-l2, l2 + 1):
            m3 = m1 + m2
            if abs(m3) > l3:
                continue
            ref = CG(l1, m1, l2, m2, l3, m3).doit()
            c, d = ours.get((m1, m2, m3), (Fraction(0), 1))
            value = Rational(c.numerator, c.denominator) * nsimplify(d) ** Rational(1, 2)
            assert (value - ref).simplify() == 0, (triple, m1, m2)


def test_exact_real_coefficients_square_sum_to_one():
    for triple in [(2, 2, 2), (3, 4, 5), (6, 6, 6)]:
        exact = wigner_3j_exact(*triple)
        assert sum((r for _, r in exact.values()), Fraction(0)) == 1
        assert all(s in (1, -1) and r > 0 for s, r in exact.values())


def test_shipped_table_equals_fresh_exact_computation():
    assert TABLE_PATH.exists()
    with np.load(TABLE_PATH) as data:
        assert int(data["lmax"]) == LMAX
        assert sorted(map(tuple, data["keys"].tolist())) == sorted(_triples(LMAX))
    for triple in [(0, 0, 0), (1, 2, 3), (4, 7, 5), (8, 8, 8), (8, 3, 6)]:
        indices, values = table_lookup(*triple)
        idx, val = wigner_3j_sparse_exact(*triple)
        assert indices.tolist() == [list(i) for i in idx]
        assert values.tolist() == val  # bitwise: the same single rounding


def test_generator_script_runs(tmp_path):
    spec = importlib.util.spec_from_file_location("generate_wigner_3j", REPO / "scripts" / "generate_wigner_3j.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "w3j.npz"
    module.main(["--lmax", "2", "--output", str(out)])
    with np.load(out) as data:
        keys = data["keys"].tolist()
        offsets, indices, values = data["offsets"], data["indices"], data["values"]
        assert int(data["lmax"]) == 2 and sorted(map(tuple, keys)) == sorted(_triples(2))
        for t, key in enumerate(keys):
            ref_indices, ref_values = table_lookup(*key)
            a, b = offsets[t], offsets[t + 1]
            assert indices[a:b].tolist() == ref_indices.tolist()
            assert values[a:b].tolist() == ref_values.tolist()


def test_table_is_loaded_lazily():
    code = (
        "import curienn, curienn.o3\n"
        "from curienn.o3 import _w3j_table\n"
        "assert _w3j_table._load.cache_info().currsize == 0\n"
        "curienn.o3.wigner_3j(1, 1, 2)\n"
        "assert _w3j_table._load.cache_info().currsize == 1\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


# ----------------------------------------------------------------------------- generators and change of basis


@pytest.mark.parametrize("two_j", range(0, 9))
def test_su2_generators_commutation_and_e3nn(two_j):
    j = two_j / 2
    x = su2_generators(j)
    assert x.shape == (3, two_j + 1, two_j + 1) and x.dtype == torch.complex64
    torch.set_default_dtype(torch.float64)
    x = su2_generators(j)
    assert x.dtype == torch.complex128
    for a, b, c in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
        torch.testing.assert_close(x[a] @ x[b] - x[b] @ x[a], x[c], atol=1e-12, rtol=0)
    # Casimir: sum X_a^2 = -j(j+1)
    casimir = (x @ x).sum(0)
    torch.testing.assert_close(casimir, -j * (j + 1) * torch.eye(two_j + 1, dtype=x.dtype), atol=1e-12, rtol=0)
    torch.testing.assert_close(x, e3o3.su2_generators(j), atol=1e-14, rtol=0)


def test_su2_generators_bad_input():
    for bad in (-1, 0.3, -0.5, "1"):
        with pytest.raises(ValueError):
            su2_generators(bad)


@pytest.mark.parametrize("l", range(LMAX + 1))
def test_so3_generators_commutation_and_e3nn(l, dtype, tol):
    x = so3_generators(l)
    assert x.shape == (3, 2 * l + 1, 2 * l + 1) and x.dtype == dtype
    for a, b, c in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
        torch.testing.assert_close(x[a] @ x[b] - x[b] @ x[a], x[c], atol=10 * tol, rtol=0)
    torch.testing.assert_close(x, -x.transpose(-1, -2), atol=0, rtol=0)
    torch.testing.assert_close(x, e3o3.so3_generators(l), atol=tol, rtol=0)


def test_so3_generators_l1_is_cross_product():
    x = so3_generators(1).double()
    v = torch.randn(3, dtype=torch.float64)
    for a in range(3):
        e = torch.zeros(3, dtype=torch.float64)
        e[a] = 1
        torch.testing.assert_close(x[a] @ v, torch.linalg.cross(e, v), atol=1e-14, rtol=0)


@pytest.mark.parametrize("l", range(LMAX + 1))
def test_change_basis_real_to_complex(l):
    q = change_basis_real_to_complex(l, dtype=torch.float64)
    assert q.dtype == torch.complex128 and q.shape == (2 * l + 1, 2 * l + 1)
    torch.testing.assert_close(q @ q.conj().T, torch.eye(2 * l + 1, dtype=q.dtype), atol=1e-14, rtol=0)
    torch.testing.assert_close(q, e3o3.change_basis_real_to_complex(l, dtype=torch.float64), atol=1e-15, rtol=0)
    assert change_basis_real_to_complex(l).dtype == torch.complex64
    assert change_basis_real_to_complex(l, dtype=torch.float32).dtype == torch.complex64
    with pytest.raises(ValueError):
        change_basis_real_to_complex(-1)


# ----------------------------------------------------------------------------- wigner_D


@pytest.mark.parametrize("l", range(LMAX + 1))
def test_wigner_D_matches_e3nn(l, dtype):
    a, b, c = _random_angles(20, dtype)
    ours = wigner_D(l, a, b, c)
    assert ours.shape == (20, 2 * l + 1, 2 * l + 1) and ours.dtype == dtype
    # e3nn float32 is itself only accurate to ~5e-5 (float32 matrix_exp)
    torch.testing.assert_close(ours, e3o3.wigner_D(l, a, b, c), atol={torch.float32: 1e-4, torch.float64: 1e-10}[dtype], rtol=0)
    if dtype == torch.float32:  # against the float64 truth
        torch.set_default_dtype(torch.float64)
        truth = e3o3.wigner_D(l, *(t.double() for t in (a, b, c)))
        torch.testing.assert_close(ours.double(), truth, atol=2e-5, rtol=0)


def test_wigner_D_l1_is_rotation_matrix(dtype, tol):
    a, b, c = _random_angles(20, dtype)
    expected = _rot_y(a) @ _rot_x(b) @ _rot_y(c)
    torch.testing.assert_close(wigner_D(1, a, b, c), expected, atol=10 * tol, rtol=0)


def test_wigner_D_orthogonal_broadcast_and_identity(dtype, tol):
    a = torch.rand(4, 1, dtype=dtype) * 7
    b = torch.rand(1, 3, dtype=dtype) * 7
    c = torch.tensor(0.3, dtype=dtype)
    d = wigner_D(5, a, b, c)
    assert d.shape == (4, 3, 11, 11)
    torch.testing.assert_close(d @ d.transpose(-1, -2), torch.eye(11, dtype=dtype).expand_as(d), atol=10 * tol, rtol=0)
    torch.testing.assert_close(wigner_D(3, 0.0, 0.0, 0.0), torch.eye(7), atol=tol, rtol=0)
    # angles are taken mod 2 pi
    torch.testing.assert_close(wigner_D(4, a + 2 * math.pi, b - 4 * math.pi, c), wigner_D(4, a, b, c), atol=100 * tol, rtol=0)
    assert wigner_D(0, a, b, c).shape == (4, 3, 1, 1)
    with pytest.raises(ValueError):
        wigner_D(-1, a, b, c)


def test_wigner_D_generators_give_axis_rotations(dtype, tol):
    t = torch.tensor(0.7, dtype=dtype)
    for l in (2, 5):
        x = so3_generators(l)
        torch.testing.assert_close(wigner_D(l, t, 0 * t, 0 * t), torch.linalg.matrix_exp(t * x[1]), atol=10 * tol, rtol=0)
        torch.testing.assert_close(wigner_D(l, 0 * t, t, 0 * t), torch.linalg.matrix_exp(t * x[0]), atol=10 * tol, rtol=0)


angle = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False)
polar = st.floats(0.05, math.pi - 0.05)


@settings(max_examples=25, deadline=None)
@given(a1=angle, b1=polar, c1=angle, a2=angle, b2=polar, c2=angle)
def test_wigner_D_is_a_homomorphism(a1, b1, c1, a2, b2, c2):
    r1 = _rot_y(torch.tensor(a1, dtype=torch.float64)) @ _rot_x(torch.tensor(b1, dtype=torch.float64)) @ _rot_y(torch.tensor(c1, dtype=torch.float64))
    r2 = _rot_y(torch.tensor(a2, dtype=torch.float64)) @ _rot_x(torch.tensor(b2, dtype=torch.float64)) @ _rot_y(torch.tensor(c2, dtype=torch.float64))
    r12 = r1 @ r2
    if abs(r12[1, 1]) > 1 - 1e-6:  # gimbal lock: angles of the product ill-conditioned
        return
    a, b, c = _angles_of(r12)
    torch.testing.assert_close(_rot_y(a) @ _rot_x(b) @ _rot_y(c), r12, atol=1e-12, rtol=0)
    for l in (1, 2, 4, 7):
        d1 = wigner_D(l, torch.tensor(a1, dtype=torch.float64), torch.tensor(b1, dtype=torch.float64), torch.tensor(c1, dtype=torch.float64))
        d2 = wigner_D(l, torch.tensor(a2, dtype=torch.float64), torch.tensor(b2, dtype=torch.float64), torch.tensor(c2, dtype=torch.float64))
        torch.testing.assert_close(wigner_D(l, a, b, c), d1 @ d2, atol=1e-9, rtol=0)


def test_wigner_D_gradients():
    a, b, c = (torch.rand(2, dtype=torch.float64, requires_grad=True) for _ in range(3))
    assert torch.autograd.gradcheck(lambda a, b, c: wigner_D(3, a, b, c), (a, b, c), fast_mode=True)
