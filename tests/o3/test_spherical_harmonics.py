"""Tests of curienn.o3 spherical harmonics against e3nn 0.6.0 (oracle), scipy and the maths."""

import math

import e3nn.o3 as e3nn_o3
import numpy as np
import pytest
import torch

from curienn.o3 import _sh_kernels as kernels
from curienn.o3 import _spherical_harmonics as shmod
from curienn.o3._spherical_harmonics import (
    LMAX,
    SphericalHarmonics,
    spherical_harmonics,
    spherical_harmonics_alpha_beta,
)

NORMALIZATIONS = ["integral", "component", "norm"]
E3NN_LMAX = 12


def _has_irreps() -> bool:
    try:
        from curienn.o3 import Irreps  # noqa: F401
    except ImportError:
        return False
    return True


def _rel_tol(dtype):
    return {torch.float32: 1e-5, torch.float64: 1e-10}[dtype]


def _assert_close_per_degree(a, b, ls, tol):
    """|a - b| <= tol * (largest |b| of the same degree), for every column."""
    assert a.shape == b.shape
    start = 0
    for l in ls:
        block_a, block_b = (
            a[..., start : start + 2 * l + 1],
            b[..., start : start + 2 * l + 1],
        )
        scale = block_b.abs().max().clamp_min(1e-30)
        err = (block_a - block_b).abs().max()
        assert err <= tol * scale, (
            f"l={l}: error {err.item():.3g} vs scale {scale.item():.3g}"
        )
        start += 2 * l + 1
    assert start == a.shape[-1]


def _random_o3(n=1):
    """Random rotations times a random inversion (det = +-1), float64."""
    q = torch.randn(n, 4, dtype=torch.float64)
    q = q / q.norm(dim=-1, keepdim=True)
    w, x, y, z = q.unbind(-1)
    rot = torch.stack(
        [
            1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
            2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
            2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
        ],
        dim=-1,
    ).reshape(n, 3, 3)  # fmt: skip
    sign = torch.tensor([1.0, -1.0] * n, dtype=torch.float64)[
        :n
    ]  # both proper and improper
    return rot * sign[:, None, None]


def _d_matrix(irreps: str, r):
    if _has_irreps():
        from curienn.o3 import Irreps

        if hasattr(Irreps, "D_from_matrix"):
            return Irreps(irreps).D_from_matrix(r)
    return e3nn_o3.Irreps(irreps).D_from_matrix(r)


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("normalization", NORMALIZATIONS)
@pytest.mark.parametrize("normalize", [True, False])
def test_matches_e3nn_every_lm(dtype, normalization, normalize):
    ls = list(range(E3NN_LMAX + 1))
    x = torch.randn(300, 3) * (1.0 if normalize else 0.7)
    ours = spherical_harmonics(ls, x, normalize, normalization)
    ref = e3nn_o3.spherical_harmonics(ls, x.double(), normalize, normalization)
    assert ours.dtype == dtype and ours.shape == (300, (E3NN_LMAX + 1) ** 2)
    _assert_close_per_degree(ours.double(), ref, ls, _rel_tol(dtype))


def test_convention_is_wikipedia_without_condon_shortley():
    """Independent oracle: scipy, y polar, azimuth atan2(x, z), no (-1)^m, l up to LMAX."""
    from scipy.special import sph_harm_y

    torch.set_default_dtype(torch.float64)
    x = torch.randn(200, 3, dtype=torch.float64)
    u = x / x.norm(dim=-1, keepdim=True)
    theta = np.arccos(u[:, 1].numpy())
    phi = np.arctan2(u[:, 0].numpy(), u[:, 2].numpy())
    for l in [0, 1, 2, 5, 12, 20, 40, LMAX]:
        ours = spherical_harmonics(l, x, True, "integral").numpy()
        for m in range(-l, l + 1):
            ylm = sph_harm_y(l, abs(m), theta, phi) * (-1) ** abs(
                m
            )  # remove Condon-Shortley
            ref = (
                ylm.real if m == 0 else math.sqrt(2) * (ylm.real if m > 0 else ylm.imag)
            )
            np.testing.assert_allclose(
                ours[:, l + m], ref, rtol=0, atol=1e-10 * math.sqrt(2 * l + 1)
            )


def test_inputs_l_forms_match_e3nn(dtype):
    x = torch.randn(20, 3)
    torch.testing.assert_close(
        spherical_harmonics(np.int64(2), x, True), spherical_harmonics(2, x, True)
    )
    torch.testing.assert_close(
        spherical_harmonics([np.int64(1), 3], x, True),
        spherical_harmonics([1, 3], x, True),
    )
    forms = [
        0,
        3,
        [2, 0, 1, 1],
        (4, 2),
        "0e+1o+2e",
        "2x1o+0e",
        "1e",
        "0e+1e+2e",
        "3o",
        e3nn_o3.Irreps("0e+2x1o"),
    ]
    for l in forms:
        ours = spherical_harmonics(l, x, True, "component")
        ref = e3nn_o3.spherical_harmonics(l, x, True, "component")
        torch.testing.assert_close(ours, ref, atol=_rel_tol(dtype) * 10, rtol=0)


@pytest.mark.parametrize("normalize", [True, False])
def test_batch_chunks_match_e3nn(monkeypatch, dtype, normalize):
    """Eager mode splits large batches into chunks (the last one partial): values and gradients."""
    monkeypatch.setattr(
        kernels, "_CHUNK_ELEMENTS", 1
    )  # chunks of the minimum, 1024 points
    ls = list(range(7))
    x = torch.randn(2500, 3, requires_grad=True)
    g = torch.randn(2500, 49)
    ours = spherical_harmonics(ls, x, normalize, "component")
    (grad,) = torch.autograd.grad(ours, x, g)
    xd = x.detach().double().requires_grad_()
    ref = e3nn_o3.spherical_harmonics(ls, xd, normalize, "component")
    (grad_ref,) = torch.autograd.grad(ref, xd, g.double())
    _assert_close_per_degree(ours.detach().double(), ref.detach(), ls, _rel_tol(dtype))
    assert (grad.double() - grad_ref).abs().max() <= 10 * _rel_tol(
        dtype
    ) * grad_ref.abs().max()


def test_batch_shapes(dtype):
    x = torch.randn(2, 5, 3)
    out = spherical_harmonics([1, 2], x, False)
    assert out.shape == (2, 5, 8)
    torch.testing.assert_close(
        out.reshape(10, 8), spherical_harmonics([1, 2], x.reshape(10, 3), False)
    )
    assert spherical_harmonics(2, torch.randn(3), True).shape == (5,)
    assert spherical_harmonics(2, torch.randn(0, 3), True).shape == (0, 5)


def test_normalizations(dtype):
    x = torch.randn(50, 3)
    for l in [0, 1, 4, 13, 30]:
        comp = spherical_harmonics(l, x, True, "component")
        torch.testing.assert_close(
            comp.pow(2).sum(-1), torch.full((50,), 2.0 * l + 1), rtol=1e-4, atol=0
        )
        torch.testing.assert_close(
            spherical_harmonics(l, x, True, "norm").norm(dim=-1), torch.ones(50)
        )
        torch.testing.assert_close(
            spherical_harmonics(l, x, True), comp / math.sqrt(4 * math.pi)
        )


def test_homogeneous_of_degree_l(dtype):
    x = torch.randn(40, 3)
    ls = list(range(9))
    scale = 1.7
    a = spherical_harmonics(ls, scale * x, False, "component")
    b = spherical_harmonics(ls, x, False, "component")
    powers = torch.cat([torch.full((2 * l + 1,), scale**l) for l in ls])
    _assert_close_per_degree(a, b * powers, ls, 10 * _rel_tol(dtype))


def test_l2_closed_form(dtype):
    x = torch.randn(30, 3)
    px, py, pz = x.unbind(-1)
    s15 = math.sqrt(15)
    ref = torch.stack(
        [
            s15 * px * pz,
            s15 * px * py,
            math.sqrt(5) * (py**2 - (px**2 + pz**2) / 2),
            s15 * py * pz,
            s15 / 2 * (pz**2 - px**2),
        ],
        dim=-1,
    )
    torch.testing.assert_close(spherical_harmonics(2, x, False, "component"), ref)
    torch.testing.assert_close(
        spherical_harmonics(1, x, False, "component"), math.sqrt(3) * x
    )


# --------------------------------------------------------------------------- symmetry


@pytest.mark.parametrize("normalize", [True, False])
def test_equivariance_rotations_and_inversions(dtype, normalize):
    lmax = 8
    ls = list(range(lmax + 1))
    irreps = "+".join(f"1x{l}{'e' if l % 2 == 0 else 'o'}" for l in ls)
    x = torch.randn(10, 3)
    for r in _random_o3(4):
        d = _d_matrix(irreps, r).to(dtype)
        lhs = spherical_harmonics(ls, x @ r.to(dtype).T, normalize, "component")
        rhs = spherical_harmonics(ls, x, normalize, "component") @ d.T
        tol = 2e-4 if dtype == torch.float32 else 1e-10
        torch.testing.assert_close(lhs, rhs, atol=tol * lhs.abs().max().item(), rtol=0)


@pytest.mark.skipif(not _has_irreps(), reason="curienn.o3.Irreps not available yet")
@pytest.mark.parametrize("normalize", [True, False])
def test_assert_equivariant_module(dtype, normalize):
    from curienn.testing import assert_equivariant

    for irreps_out in ["0e+1o+2e+3o+4e+5o+6e+7o+8e", "1e+2e+3e", "2x1o+5o"]:
        module = SphericalHarmonics(irreps_out, normalize, normalization="norm")
        errors = assert_equivariant(module, [torch.randn(10, 3)])
        assert (1, False) in errors  # the inversion was tried too


def test_parity(dtype):
    x = torch.randn(25, 3)
    for l in range(16):
        torch.testing.assert_close(
            spherical_harmonics(l, -x, False),
            (-1) ** l * spherical_harmonics(l, x, False),
        )


def test_orthonormal_on_quadrature_grid():
    """Gauss-Legendre in cos(beta) times uniform alpha integrates degree <= 2*lmax exactly."""
    torch.set_default_dtype(torch.float64)
    lmax = 14
    nodes, weights = np.polynomial.legendre.leggauss(lmax + 1)
    n_alpha = 2 * lmax + 1
    alpha = torch.arange(n_alpha, dtype=torch.float64) * 2 * math.pi / n_alpha
    cosb = torch.tensor(nodes)
    sinb = (1 - cosb**2).sqrt()
    x = torch.stack(
        [
            sinb[:, None] * alpha.sin()[None, :],
            cosb[:, None].expand(-1, n_alpha),
            sinb[:, None] * alpha.cos()[None, :],
        ],
        dim=-1,
    )
    w = (torch.tensor(weights)[:, None] * (2 * math.pi / n_alpha)).expand(-1, n_alpha)
    y = spherical_harmonics(list(range(lmax + 1)), x, False, "integral").reshape(
        -1, (lmax + 1) ** 2
    )
    gram = y.T @ (y * w.reshape(-1, 1))
    torch.testing.assert_close(gram, torch.eye((lmax + 1) ** 2), atol=1e-12, rtol=0)


# --------------------------------------------------------------------------- zero vectors and gradients


@pytest.mark.parametrize("normalization", NORMALIZATIONS)
def test_zero_vector(dtype, normalization):
    ls = list(range(7))
    for normalize in [True, False]:
        x = torch.zeros(3, 3, requires_grad=True)
        y = spherical_harmonics(ls, x, normalize, normalization)
        assert torch.isfinite(y).all()
        assert (y[:, 1:] == 0).all() and (y[:, 0] != 0).all()
        torch.testing.assert_close(
            y.detach(),
            e3nn_o3.spherical_harmonics(ls, x.detach(), normalize, normalization),
        )
        (grad,) = torch.autograd.grad(
            y[:, 4:].sum(), x, retain_graph=True
        )  # l >= 2: zero gradient
        assert (grad == 0).all()
        (grad,) = torch.autograd.grad(
            y.sum(), x
        )  # l = 1 through normalize: finite, as e3nn (1/eps)
        assert torch.isfinite(grad).all()
        xe = torch.zeros(3, 3, requires_grad=True)
        (grad_e,) = torch.autograd.grad(
            e3nn_o3.spherical_harmonics(ls, xe, normalize, normalization).sum(), xe
        )
        torch.testing.assert_close(grad, grad_e)


def test_tiny_vectors_below_normalize_eps_match_e3nn():
    """0 < |x| < 1e-12: normalize gives x / 1e-12, not a unit vector; values and gradients as e3nn."""
    torch.set_default_dtype(torch.float64)
    ls = list(range(8))
    x = (torch.randn(20, 3, dtype=torch.float64) * 3e-13).requires_grad_()
    g = torch.randn(20, 64, dtype=torch.float64)
    ours = spherical_harmonics(ls, x, True, "component")
    (grad,) = torch.autograd.grad(ours, x, g)
    xe = x.detach().clone().requires_grad_()
    ref = e3nn_o3.spherical_harmonics(ls, xe, True, "component")
    (grad_ref,) = torch.autograd.grad(ref, xe, g)
    torch.testing.assert_close(ours, ref, atol=1e-12, rtol=1e-9)
    torch.testing.assert_close(grad, grad_ref, atol=0, rtol=1e-9)


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("normalization", NORMALIZATIONS)
def test_gradients_match_e3nn(dtype, normalize, normalization):
    ls = list(range(E3NN_LMAX + 1))
    x = torch.randn(100, 3, requires_grad=True)
    g = torch.randn(100, (E3NN_LMAX + 1) ** 2)
    (ours,) = torch.autograd.grad(
        spherical_harmonics(ls, x, normalize, normalization), x, g
    )
    xd = x.detach().double().requires_grad_()
    (ref,) = torch.autograd.grad(
        e3nn_o3.spherical_harmonics(ls, xd, normalize, normalization), xd, g.double()
    )
    assert (ours.double() - ref).abs().max() <= 10 * _rel_tol(dtype) * ref.abs().max()


@pytest.mark.parametrize("normalize", [True, False])
def test_gradcheck_and_gradgradcheck(normalize):
    torch.set_default_dtype(torch.float64)
    x = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
    for ls, norm in [
        ([0, 1, 2, 3, 4, 5], "component"),
        ([3, 1], "integral"),
        ("0e+2x1o+2e", "norm"),
    ]:

        def f(t, ls=ls, norm=norm):
            return spherical_harmonics(ls, t, normalize, norm)

        assert torch.autograd.gradcheck(f, (x,))
    assert torch.autograd.gradgradcheck(f, (x[:2].detach().requires_grad_(),))


@pytest.mark.parametrize("normalize", [True, False])
def test_second_derivative_matches_e3nn(dtype, normalize):
    ls = list(range(9))
    x = torch.randn(30, 3, requires_grad=True)
    g = torch.randn(30, 81)
    v = torch.randn(30, 3)

    def hvp(fn, xx, gg, vv):
        (grad,) = torch.autograd.grad(
            fn(ls, xx, normalize, "component"), xx, gg, create_graph=True
        )
        (second,) = torch.autograd.grad((grad * vv).sum(), xx)
        return grad, second

    grad, second = hvp(spherical_harmonics, x, g, v)
    xd = x.detach().double().requires_grad_()
    grad_ref, second_ref = hvp(e3nn_o3.spherical_harmonics, xd, g.double(), v.double())
    tol = 10 * _rel_tol(dtype)
    assert (grad.double() - grad_ref).abs().max() <= tol * grad_ref.abs().max()
    assert (second.double() - second_ref).abs().max() <= tol * second_ref.abs().max()


def test_force_training_pattern(dtype):
    """Energy -> forces with create_graph -> loss on forces -> gradient w.r.t. a parameter."""
    w = torch.randn(16, requires_grad=True)
    x = torch.randn(8, 3, requires_grad=True)
    energy = (spherical_harmonics([0, 1, 2, 3], x, True) @ w).sum()
    (forces,) = torch.autograd.grad(-energy, x, create_graph=True)
    (gw,) = torch.autograd.grad(forces.pow(2).sum(), w)
    we = w.detach().clone().requires_grad_()
    xe = x.detach().clone().requires_grad_()
    energy_e = (e3nn_o3.spherical_harmonics([0, 1, 2, 3], xe, True) @ we).sum()
    (forces_e,) = torch.autograd.grad(-energy_e, xe, create_graph=True)
    (gw_e,) = torch.autograd.grad(forces_e.pow(2).sum(), we)
    torch.testing.assert_close(
        gw, gw_e, rtol=1e-4, atol=1e-4 if dtype == torch.float32 else 1e-10
    )


def test_torch_compile_fullgraph(dtype):
    ls = [0, 1, 3]
    x = torch.randn(17, 3, requires_grad=True)

    def f(t):
        return spherical_harmonics(ls, t, True, "component")

    # fullgraph capture (forward and the custom autograd.Function's backward) is what is
    # checked here; the "eager" backend keeps the test fast (inductor was checked by hand)
    compiled = torch.compile(f, fullgraph=True, backend="eager")
    out = compiled(x)
    torch.testing.assert_close(out, f(x))
    g = torch.randn_like(out)
    (grad_c,) = torch.autograd.grad(out, x, g)
    (grad_e,) = torch.autograd.grad(f(x), x, g)
    torch.testing.assert_close(grad_c, grad_e)


# --------------------------------------------------------------------------- alpha, beta and the module


def test_alpha_beta_matches_e3nn(dtype):
    alpha, beta = torch.randn(2, 4) * 3, torch.randn(2, 4) * 3
    for norm in NORMALIZATIONS:
        ours = spherical_harmonics_alpha_beta(
            [0, 3, 1, 6], alpha, beta, normalization=norm
        )
        ref = e3nn_o3.spherical_harmonics_alpha_beta(
            [0, 3, 1, 6], alpha, beta, normalization=norm
        )
        assert ours.shape == ref.shape == (2, 4, 1 + 7 + 3 + 13)
        torch.testing.assert_close(ours, ref, atol=10 * _rel_tol(dtype), rtol=0)


@pytest.mark.skipif(not _has_irreps(), reason="curienn.o3.Irreps not available yet")
def test_module_matches_e3nn(dtype):
    x = torch.randn(7, 3)
    cases = [
        ("0e+1o+2e", None),
        ([1, 1, 2], None),
        ("0e+1e+2e", None),
        ("2x1o+0e", None),
        (2, "1e"),
        (3, "1o"),
    ]
    for irreps_out, irreps_in in cases:
        ours = SphericalHarmonics(irreps_out, True, "norm", irreps_in=irreps_in)
        ref = e3nn_o3.SphericalHarmonics(irreps_out, True, "norm", irreps_in=irreps_in)
        assert str(ours.irreps_in) == str(ref.irreps_in)
        assert str(ours.irreps_out) == str(ref.irreps_out)
        torch.testing.assert_close(ours(x), ref(x))


@pytest.mark.skipif(not _has_irreps(), reason="curienn.o3.Irreps not available yet")
def test_module_bad_parity():
    for irreps_out, irreps_in in [
        ("1o+1e", None),
        ("0o", None),
        ("2o", "1o"),
        ("1o", "1e"),
        (1, "2e"),
        (1, "2x1o"),
    ]:
        with pytest.raises(ValueError):
            SphericalHarmonics(irreps_out, True, irreps_in=irreps_in)
    with pytest.raises(ValueError, match="normalization"):
        SphericalHarmonics(2, True, normalization="unit")


# --------------------------------------------------------------------------- errors


def test_bad_inputs():
    x = torch.randn(4, 3)
    with pytest.raises(ValueError, match=r"\(4, 2\)"):
        spherical_harmonics(2, torch.randn(4, 2), True)
    with pytest.raises(ValueError, match=str(LMAX + 1)):
        spherical_harmonics(LMAX + 1, x, True)
    with pytest.raises(ValueError, match="-1"):
        spherical_harmonics([1, -1], x, True)
    with pytest.raises(ValueError, match="parity"):
        spherical_harmonics("1o+1e", x, True)
    with pytest.raises(ValueError, match="parity"):
        spherical_harmonics("2o", x, True)
    with pytest.raises(ValueError, match="unit"):
        spherical_harmonics(2, x, True, normalization="unit")
    with pytest.raises(ValueError, match="1.5"):
        spherical_harmonics(1.5, x, True)
    with pytest.raises(ValueError, match="3q"):
        spherical_harmonics("3q", x, True)
    with pytest.raises(ValueError, match="int64"):
        spherical_harmonics(1, torch.ones(2, 3, dtype=torch.int64), True)
    assert sorted(shmod.__all__) == [
        "SphericalHarmonics",
        "spherical_harmonics",
        "spherical_harmonics_alpha_beta",
    ]
