"""Irrep / Irreps: same behaviour as e3nn 0.6.0, and the representation matrices are representations."""

import copy
import pickle

import e3nn.o3 as e3
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from curienn.o3 import Irrep, Irreps, irrep, rand_matrix, rand_angles, rand_quaternion, rand_axis_angle

_term = st.tuples(st.integers(0, 5), st.integers(0, 6), st.sampled_from([1, -1]))
_terms = st.lists(_term, max_size=6)
_ws = st.sampled_from(["", " ", "  "])


def _string(terms, ws, explicit_one=True):
    parts = []
    for i, (mul, l, p) in enumerate(terms):
        ir = f"{l}{'e' if p == 1 else 'o'}"
        parts.append(f"{ws}{mul}{ws}x{ws}{ir}{ws}" if (mul != 1 or explicit_one or i % 2) else f"{ws}{ir}{ws}")
    return "+".join(parts)


# --------------------------------------------------------------------------- parsing


@settings(max_examples=60, deadline=None)
@given(_terms, _ws, st.booleans())
def test_parse_str_round_trip(terms, ws, explicit_one):
    s = _string(terms, ws, explicit_one)
    x = Irreps(s)
    assert str(x) == repr(x) == str(e3.Irreps(s))
    assert Irreps(str(x)) == x
    assert Irreps(x) == x and Irreps(list(x)) == x
    assert [(m, (ir.l, ir.p)) for m, ir in x] == [(m, (l, p)) for m, l, p in terms]
    assert x.dim == e3.Irreps(s).dim
    assert x.num_irreps == e3.Irreps(s).num_irreps
    assert x.ls == e3.Irreps(s).ls


@settings(max_examples=25, deadline=None)
@given(_terms)
def test_methods_match_e3nn(terms):
    s = _string(terms, "")
    x, y = Irreps(s), e3.Irreps(s)
    assert str(x.simplify()) == str(y.simplify())
    assert str(x.remove_zero_multiplicities()) == str(y.remove_zero_multiplicities())
    assert str(x.regroup()) == str(y.regroup())
    sx, sy = x.sort(), y.sort()
    assert str(sx.irreps) == str(sy.irreps) and sx.p == sy.p and sx.inv == sy.inv
    assert sx._fields == ("irreps", "p", "inv")
    assert x.slices() == y.slices()
    for ir in Irrep.iterator(3):
        assert x.count(ir) == y.count(str(ir))
        assert (ir in x) == (str(ir) in y)
        assert str(x.filter(lmax=ir.l)) == str(y.filter(lmax=ir.l))
        assert str(x.filter(keep=[ir, "0e"])) == str(y.filter(keep=[str(ir), "0e"]))
        assert str(x.filter(drop=[ir])) == str(y.filter(drop=[str(ir)]))
    if x.num_irreps:
        assert x.lmax == y.lmax
    for i in range(len(x)):
        assert str(x[i]) == str(y[i]) and x[i].dim == y[i].dim and x[i].mul == y[i].mul
        assert str(x[i].ir) == str(y[i].ir)
        assert str(x[i:]) == str(y[i:]) and isinstance(x[i:], Irreps)
    n = x.num_irreps
    for a in range(n + 1):
        for b in range(a, n + 1):
            assert str(x.slice_by_mul[a:b]) == str(y.slice_by_mul[a:b])
    assert str(x + x) == str(y + y)
    assert str(x * 2) == str(y * 2) == str(2 * x)


@pytest.mark.parametrize(
    "bad",
    ["1x", "2z", "-1e", "x1e", "1.5e", "-1x0e", "1e+", "+1e", "1e++1e", "x", "1x1x1e", "1E", "1e1", "2x", "ax1e", "1 0e", "1e 1"],
)
def test_bad_strings(bad):
    with pytest.raises(ValueError) as info:
        Irreps(bad)
    assert f'"{bad}"' in str(info.value)
    with pytest.raises(ValueError):
        e3.Irreps(bad)  # e3nn refuses them too


def test_error_names_bad_term():
    with pytest.raises(ValueError, match='"2z"'):
        Irreps("1e + 3x2z")
    with pytest.raises(ValueError, match='"-1"'):
        Irreps("0e + -1x1o")
    with pytest.raises(ValueError, match='"1x"'):
        Irreps("0e+1x")


@pytest.mark.parametrize(
    "bad",
    [3, 2.5, [3], [(1, 2, 3)], [(-1, "1e")], [(1.5, "1e")], [(1, "2z")], ["2z"], [(1, (1, 2))], [(True, "1e")], [(32, 1)]],
)
def test_bad_lists(bad):
    with pytest.raises(ValueError):
        Irreps(bad)


def test_list_forms():
    x = Irreps([(2, (1, -1)), "1e", Irrep("0e"), (3, "0o"), (1, Irrep(2, 1)), (0, "1o")])
    assert str(x) == "2x1o+1x1e+1x0e+3x0o+1x2e+0x1o"
    assert Irreps([(16, "3e"), "1e", (256, (1, -1))]) == Irreps("16x3e+1e+256x1o")
    assert Irreps(None) == Irreps("") == Irreps("  ") == Irreps([]) == ()
    assert Irreps(Irrep("1e")) == Irreps("1e")
    assert Irreps(Irreps("2x1e")[0]) == Irreps("2x1e")
    assert Irreps(e3.Irreps("2x1e+0o")) == Irreps("2x1e+0o")
    assert Irreps("2x1y") == Irreps("2x1o")
    assert str(Irreps(" 32 x 2o ")) == "32x2o"
    assert Irreps("2 x 1 e + 1 o") == Irreps("2x1e+1o") == Irreps(str(e3.Irreps("2 x 1 e + 1 o")))


def test_irrep():
    assert Irrep("1o") == Irrep(1, -1) == Irrep((1, -1)) == Irrep(Irrep("1o")) == (1, -1)
    assert Irrep("3y") == Irrep("3o") and Irrep("2y") == Irrep("2e")
    assert Irrep(" 1e") == Irrep("1e")
    ir = Irrep("2o")
    assert (ir.l, ir.p, ir.dim, repr(ir), str(ir)) == (2, -1, 5, "2o", "2o")
    assert Irrep("0e").is_scalar() and not Irrep("0o").is_scalar() and not Irrep("1e").is_scalar()
    assert list(Irrep.iterator(2)) == [Irrep(s) for s in ["0e", "0o", "1o", "1e", "2e", "2o"]]
    assert [str(i) for i in Irrep.iterator(3)] == [str(i) for i in e3.Irrep.iterator(3)]
    assert Irrep("0o") < Irrep("0e") < Irrep("1o")
    assert pickle.loads(pickle.dumps(ir)) == ir and isinstance(copy.deepcopy(ir), Irrep)
    assert type(e3.Irrep(*ir)) is e3.Irrep and e3.Irrep(ir) == ir


def test_named_irreps():
    assert irrep.l3e == Irrep("3e") and irrep.l10o == Irrep(10, -1)
    assert "l1o" in dir(irrep)
    for bad in ["l1x", "x1o", "l"]:
        with pytest.raises(AttributeError):
            getattr(irrep, bad)


def test_irrep_products():
    for a in Irrep.iterator(3):
        for b in Irrep.iterator(2):
            assert [str(c) for c in a * b] == [str(c) for c in e3.Irrep(str(a)) * e3.Irrep(str(b))]
    assert list(Irrep("1o") * Irrep("1o")) == [Irrep(s) for s in ["0e", "1e", "2e"]]
    assert 3 * Irrep("1o") == Irreps("3x1o")
    assert Irrep("1o") + Irrep("0e") == Irreps("1o+0e")
    assert Irrep("1o") + "1o" == Irreps("1o+1o")
    with pytest.raises(TypeError):
        Irrep("1o") * 3


@pytest.mark.parametrize("bad", [(1, 2), (-1, 1), (1, 0), "e", "1x1e", 3, (1, "1e"), (True, 1), (1.0, 1), "-1e", "1.5e", (1, 2, 3)])
def test_bad_irrep(bad):
    with pytest.raises(ValueError):
        Irrep(*bad) if isinstance(bad, tuple) and len(bad) == 2 else Irrep(bad)


def test_irreps_misc():
    x = Irreps("1e+2x0o+0x1o")
    assert x.dim == 5 and x.num_irreps == 3 and x.ls == [1, 0, 0] and x.lmax == 1
    assert x.count("0o") == 2 and x.count(Irrep("1o")) == 0 and "1o" in x and (1, 1) in x and "2e" not in x
    assert x == ((1, (1, 1)), (2, (0, -1)), (0, (1, -1)))
    assert hash(x) == hash(((1, (1, 1)), (2, (0, -1)), (0, (1, -1))))
    assert Irreps("1e+1e") != Irreps("2x1e")
    assert Irreps._e3nn_irreps_marker is True
    with pytest.raises(ValueError, match="empty"):
        Irreps("").lmax
    with pytest.raises(NotImplementedError):
        Irreps("1e") * Irreps("1e")
    with pytest.raises(ValueError):
        x.count("2z")
    with pytest.raises(IndexError):
        x.slice_by_mul[1]
    assert "1e" + Irreps("0e") == Irreps("1e+0e")
    assert Irreps("1e") + "0e" == Irreps("1e+0e")
    assert Irreps("1e") + Irrep("0e") == Irreps("1e+0e")
    assert pickle.loads(pickle.dumps(x)) == x and isinstance(copy.deepcopy(x), Irreps)
    assert isinstance(copy.deepcopy(x)[0].ir, Irrep)


def test_filter():
    x = Irreps("1e + 2e + 0e")
    assert x.filter(keep=["0e", "1e"]) == Irreps("1e+0e")
    assert x.filter(keep="2e + 2x1e") == Irreps("1e+2e")  # e3nn's documented result
    assert x.filter(drop="2e + 2x1e") == Irreps("0e")
    assert x.filter(keep=Irrep("2e")) == Irreps("2e")
    assert x.filter(lmax=1) == Irreps("1e+0e")
    assert x.filter(lambda mul_ir: mul_ir.ir.l == 2) == Irreps("2e")
    assert x.filter(drop=lambda mul_ir: mul_ir.ir.l == 2) == Irreps("1e+0e")
    assert x.filter() == x
    for kw in [dict(keep="0e", drop="1e"), dict(keep="0e", lmax=1), dict(drop="0e", lmax=1)]:
        with pytest.raises(ValueError, match="both"):
            x.filter(**kw)


def test_spherical_harmonics_irreps():
    assert Irreps.spherical_harmonics(3) == Irreps("0e+1o+2e+3o") == Irreps(str(e3.Irreps.spherical_harmonics(3)))
    assert Irreps.spherical_harmonics(2, p=1) == Irreps("0e+1e+2e")


def test_randn(dtype):
    x = Irreps("2x1e+0o+0x2e+3x2o")
    assert x.randn(3, -1).shape == (3, x.dim)
    assert x.randn(-1).shape == (x.dim,)
    assert x.randn(2, -1, 3, normalization="norm").shape == (2, x.dim, 3)
    assert x.randn(2, -1).dtype == dtype
    assert x.randn(2, -1, dtype=torch.float64).dtype == torch.float64
    assert x.randn(2, -1, requires_grad=True).requires_grad
    y = x.randn(5, -1, 2, normalization="norm")
    for sl, (mul, ir) in zip(x.slices(), x):
        n = y[:, sl].reshape(5, mul, ir.dim, 2).norm(dim=2)
        assert torch.allclose(n, torch.ones_like(n))
    z = Irreps("1o").randn(20000, -1)
    assert abs(z.pow(2).mean().item() - 1) < 0.05
    for bad in [(2, 3), (-1, -1), ()]:
        with pytest.raises(ValueError, match="-1"):
            x.randn(*bad)
    with pytest.raises(ValueError, match="xyz"):
        x.randn(-1, normalization="xyz")


# --------------------------------------------------------------------------- representation matrices

IRREPS = ["1o", "0e+0o+1o+1e", "2x2e+0x1o+3o+0e", "4o"]


def _improper(n, dtype):
    R = rand_matrix(n, dtype=dtype)
    sign = torch.tensor([1.0, -1.0], dtype=dtype).repeat(n)[:n]
    return R * sign[:, None, None]


def test_D_matches_e3nn(dtype, tol):
    s = "0e+0o+1o+1e+2x2e+0x1o+3o"
    x, y = Irreps(s), e3.Irreps(s)
    R = _improper(6, dtype)
    assert torch.allclose(x.D_from_matrix(R), y.D_from_matrix(R), atol=10 * tol, rtol=0)
    a, b, c = rand_angles(6, dtype=dtype)
    k = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0], dtype=dtype)
    assert torch.allclose(x.D_from_angles(a, b, c, k), y.D_from_angles(a, b, c, k), atol=10 * tol, rtol=0)
    x, y = Irreps("1o+2e"), e3.Irreps("1o+2e")
    assert torch.allclose(x.D_from_angles(a, b, c), y.D_from_angles(a, b, c), atol=10 * tol, rtol=0)
    q = rand_quaternion(6, dtype=dtype)
    assert torch.allclose(x.D_from_quaternion(q), y.D_from_quaternion(q), atol=10 * tol, rtol=0)
    axis, angle = rand_axis_angle(6, dtype=dtype)
    assert torch.allclose(x.D_from_axis_angle(axis, angle), y.D_from_axis_angle(axis, angle), atol=10 * tol, rtol=0)
    ir = Irrep("3o")
    assert torch.allclose(ir.D_from_matrix(R), e3.Irrep(str(ir)).D_from_matrix(R), atol=10 * tol, rtol=0)


@pytest.mark.parametrize("s", IRREPS)
def test_D_is_a_representation(s, dtype, tol):
    x = Irreps(s)
    R1, R2 = _improper(4, dtype), _improper(4, dtype).flip(0)
    D1, D2, D12 = x.D_from_matrix(R1), x.D_from_matrix(R2), x.D_from_matrix(R1 @ R2)
    assert D12.shape == (4, x.dim, x.dim)
    assert torch.allclose(D12, D1 @ D2, atol=100 * tol, rtol=0)
    eye = torch.eye(x.dim, dtype=dtype)
    assert torch.allclose(D1 @ D1.transpose(-1, -2), eye.expand_as(D1), atol=100 * tol, rtol=0)
    # the inversion acts as the parity of each block
    P = x.D_from_matrix(-torch.eye(3, dtype=dtype))
    parity = torch.cat([torch.full((mul * ir.dim,), float(ir.p), dtype=dtype) for mul, ir in x])
    assert torch.allclose(P, torch.diag(parity), atol=10 * tol, rtol=0)


def test_D1_is_R(dtype, tol):
    R = _improper(8, dtype)
    det = torch.linalg.det(R)
    assert torch.allclose(Irreps("1o").D_from_matrix(R), R, atol=10 * tol, rtol=0)
    assert torch.allclose(Irrep("1o").D_from_matrix(R), R, atol=10 * tol, rtol=0)
    # a pseudovector does not flip under inversion
    assert torch.allclose(Irreps("1e").D_from_matrix(R), det[:, None, None] * R, atol=10 * tol, rtol=0)
    assert torch.allclose(Irreps("0o").D_from_matrix(R)[:, 0, 0], det, atol=10 * tol, rtol=0)
    a, b, c = rand_angles(5, dtype=dtype)
    from curienn.o3 import angles_to_matrix

    assert torch.allclose(Irreps("1o").D_from_angles(a, b, c), angles_to_matrix(a, b, c), atol=10 * tol, rtol=0)


def test_D_shapes(dtype):
    a = torch.zeros(2, 1, dtype=dtype)
    b = torch.zeros(3, dtype=dtype)
    assert Irreps("1o+2e").D_from_angles(a, b, b).shape == (2, 3, 8, 8)
    assert Irreps("").D_from_angles(b, b, b).shape == (3, 0, 0)
    assert Irreps("0x1o").D_from_matrix(torch.eye(3, dtype=dtype)).shape == (0, 0)
    assert Irrep("2e").D_from_angles(a, b, b).shape == (2, 3, 5, 5)


def test_D_under_compile():
    """torch.compile(fullgraph=True) gives the same matrices (it once got (-1)**k wrong)."""
    torch.set_default_dtype(torch.float64)
    x = Irreps("1o+2x1e+0o")
    R = _improper(3, torch.float64)
    f = torch.compile(lambda R: x.D_from_matrix(R), fullgraph=True, backend="eager")
    assert torch.allclose(f(R), x.D_from_matrix(R), atol=1e-12, rtol=0)
    k = torch.tensor([0.0, 1.0, 1.0])
    a, b, c = rand_angles(3)
    assert torch.allclose(Irrep("1e").D_from_angles(a, b, c, k), Irrep("1o").D_from_angles(a, b, c, k) * (1 - 2 * k)[:, None, None])
