"""Tests of curienn.models.unitary (Ma & Chan's unitary-equivariant network)."""

import math

import pytest
import torch

from curienn.models.unitary import (
    ARGON_WIDTHS, IdentityActivation, NormGate, SoftsignResidual, UnitaryLinear,
    UnitaryNetwork, VectorDescriptor, VectorLeakyReLU, normalize, safe_norm, smooth_cutoff,
)


def _rand_unitary(n, dtype=torch.complex128):
    z = torch.randn(n, n, dtype=dtype)
    q, r = torch.linalg.qr(z)
    d = torch.diagonal(r)
    return q * (d / d.abs()).unsqueeze(-2)


def _rand_orthogonal(n, improper):
    q, r = torch.linalg.qr(torch.randn(n, n))
    q = q * torch.sign(torch.diagonal(r)).unsqueeze(-2)
    if (torch.linalg.det(q) < 0) != improper:
        q = q.clone()
        q[:, 0] = -q[:, 0]
    return q


def _randomize_bias(net):
    with torch.no_grad():
        for layer in net.layers:
            layer.bias.copy_(torch.randn_like(layer.bias))


def test_u3_equivariance_complex128():
    torch.set_default_dtype(torch.float64)
    net = UnitaryNetwork(widths=[6, 20, 30, 4], complex=True)
    _randomize_bias(net)
    x = torch.randn(16, 3, 6, dtype=torch.complex128)
    err = 0.0
    for _ in range(5):
        U = _rand_unitary(3)
        assert torch.allclose(U.conj().T @ U, torch.eye(3, dtype=U.dtype), atol=1e-13)
        err = max(err, (net(U @ x) - U @ net(x)).abs().max().item())
    assert err < 1e-12
    # a generic complex U is not in O(3): the check is not vacuous
    assert net(x).abs().max() > 0.1


@pytest.mark.parametrize("improper", [False, True])
def test_o3_equivariance_with_inversions(dtype, improper):
    net = UnitaryNetwork(widths=ARGON_WIDTHS)
    _randomize_bias(net)
    x = torch.randn(32, 3, 6)
    R = _rand_orthogonal(3, improper)
    assert (torch.linalg.det(R) < 0) == improper
    y = net(x)
    err = (net(R @ x) - R @ y).abs().max().item()
    scale = max(1.0, y.abs().max().item())
    assert err / scale < {torch.float32: 1e-5, torch.float64: 1e-12}[dtype]
    # the pure inversion -x maps to -y
    assert torch.allclose(net(-x), -y, atol=1e-5 if dtype == torch.float32 else 1e-12)


def test_complex_conjugation_is_not_a_symmetry():
    """Complex conjugation is not unitary: complex weights must not commute with it."""
    torch.set_default_dtype(torch.float64)
    net = UnitaryNetwork(widths=[6, 10, 4], complex=True)
    with torch.no_grad():
        for layer in net.layers:
            layer.weight.copy_(torch.randn_like(layer.weight))
    x = torch.randn(4, 3, 6, dtype=torch.complex128)
    # conjugation is not a unitary map: it must break equivariance of complex weights
    assert (net(x.conj()) - net(x).conj()).abs().max() > 1e-3


def test_scalar_feature_extension():
    torch.set_default_dtype(torch.float64)
    layer = UnitaryLinear(4, 5, n=3, n_scalars=2)
    with torch.no_grad():
        layer.bias.copy_(torch.randn_like(layer.bias))
    net = torch.nn.Sequential(layer, SoftsignResidual(0.1), UnitaryLinear(5, 2, n=3, n_scalars=2))
    x = torch.randn(8, 5, 4)
    R = _rand_orthogonal(3, True)
    Rp = torch.eye(5)
    Rp[:3, :3] = R
    y = net(x)
    assert (net(Rp @ x) - Rp @ y).abs().max() < 1e-12
    # scalar rows get the bias sum_alpha b_(alpha,beta) (e' = 1 there)
    x0 = torch.zeros(1, 5, 4)
    assert torch.allclose(layer(x0)[0, 3:], layer.bias.sum(0).expand(2, 5))
    assert torch.allclose(layer(x0)[0, :3], torch.zeros(3, 5))


def test_zero_vectors_finite_outputs_and_gradients(dtype):
    net = UnitaryNetwork(widths=[6, 8, 4])
    _randomize_bias(net)
    x = torch.randn(3, 3, 6)
    x[0, :, 2] = 0.0
    x[1] = 0.0
    x.requires_grad_(True)
    y = net(x)
    assert torch.isfinite(y).all()
    y.square().sum().backward()
    assert torch.isfinite(x.grad).all()
    for p in net.parameters():
        assert torch.isfinite(p.grad).all()
    # the documented rule: e = 0 at zero length, with zero gradient there
    v = torch.zeros(3, 2, requires_grad=True)
    e = normalize(v)
    assert (e == 0).all()
    e.sum().backward()
    assert (v.grad == 0).all()
    # safe_norm has gradient 0 (not NaN) at 0
    w = torch.zeros(3, 1, requires_grad=True)
    safe_norm(w).sum().backward()
    assert (w.grad == 0).all()


def test_normalize_unit_length_and_eps():
    torch.set_default_dtype(torch.float64)
    x = torch.randn(10, 3, 7)
    assert torch.allclose(safe_norm(normalize(x)), torch.ones(10, 1, 7))
    assert torch.allclose(safe_norm(x), torch.linalg.vector_norm(x, dim=-2, keepdim=True))
    small = torch.full((3, 1), 1e-8)
    assert (normalize(small, eps=1e-6) == 0).all()
    with pytest.raises(ValueError, match="eps"):
        normalize(x, eps=-1.0)


def test_activation_values_and_jacobian_at_zero():
    torch.set_default_dtype(torch.float64)
    a = 0.05
    act = SoftsignResidual(a)
    u = torch.tensor([[3.0], [4.0], [0.0]])
    assert torch.allclose(act(u), u / 6.0 + a * u)
    J = torch.autograd.functional.jacobian(lambda v: act(v.view(3, 1)).view(3), torch.zeros(3))
    assert torch.allclose(J, (1 + a) * torch.eye(3))
    assert torch.equal(IdentityActivation()(u), u)
    gate = NormGate(lambda r: torch.exp(-r))
    assert torch.allclose(gate(u), u * math.exp(-5.0))
    lrelu = VectorLeakyReLU(threshold=1.0, slope=0.1)
    assert torch.allclose(lrelu(u), u)
    assert torch.allclose(lrelu(u / 10), u / 100)
    with pytest.raises(ValueError, match="-1"):
        SoftsignResidual(-1)
    # complex input: same gate on |u|
    uc = torch.tensor([[3.0 + 0j], [4.0j], [0.0]])
    assert torch.allclose(act(uc), uc / 6.0 + a * uc)


def test_xavier_initialisation_and_param_count():
    torch.set_default_dtype(torch.float64)
    layer = UnitaryLinear(90, 100)
    s = math.sqrt(6.0 / 190)
    assert layer.weight.abs().max() <= s
    assert layer.weight.abs().max() > 0.9 * s
    assert abs(layer.weight.var().item() - s * s / 3) < 0.1 * s * s / 3
    assert (layer.bias == 0).all()
    c = UnitaryLinear(90, 100, complex=True)
    assert c.weight.dtype == torch.complex128
    assert abs(c.weight.abs().square().mean().item() - s * s / 3) < 0.1 * s * s / 3
    net = UnitaryNetwork()
    assert sum(p.numel() for p in net.parameters()) == 2 * sum(
        i * o for i, o in zip(ARGON_WIDTHS[:-1], ARGON_WIDTHS[1:]))


def test_bad_input_raises():
    with pytest.raises(ValueError, match="widths"):
        UnitaryNetwork(widths=[6])
    with pytest.raises(ValueError, match="in_vectors"):
        UnitaryLinear(0, 3)
    layer = UnitaryLinear(6, 3)
    with pytest.raises(ValueError, match=r"\(2, 3, 5\)"):
        layer(torch.randn(2, 3, 5))


def test_descriptor_permutation_invariance_and_equivariance():
    torch.set_default_dtype(torch.float64)
    desc = VectorDescriptor(r_s=[3.0, 4.0, 5.0, 6.0], eta=0.5, cutoff=8.0)
    pos = 3.0 * torch.randn(2, 5, 3)
    D = desc(pos)
    assert D.shape == (2, 5, 3, 4)
    perm = torch.tensor([3, 0, 4, 2, 1])
    # permuting all atoms permutes the rows; the neighbours' order does not matter
    assert torch.allclose(desc(pos[:, perm]), D[:, perm], atol=1e-12)
    # invariance of D_0 under permutations of the neighbours of atom 0
    perm0 = torch.tensor([0, 2, 4, 1, 3])
    assert torch.allclose(desc(pos[:, perm0])[:, 0], D[:, 0], atol=1e-12)
    # rotation/inversion equivariance and translation invariance
    R = _rand_orthogonal(3, True)
    assert torch.allclose(desc(pos @ R.T + 1.5), R @ D, atol=1e-12)
    # against an explicit loop for one atom
    i = 1
    ref = torch.zeros(3, 4)
    for j in range(5):
        if j != i:
            rij = pos[0, j] - pos[0, i]
            r = rij.norm()
            g = torch.exp(-0.5 * (r - desc.r_s) ** 2) * smooth_cutoff(r, 8.0)
            ref += (rij / r).unsqueeze(-1) * g
    assert torch.allclose(D[0, i], ref, atol=1e-12)
    # feeds a network whose output is equivariant too
    net = UnitaryNetwork(widths=[4, 8, 1])
    assert torch.allclose(net(desc(pos @ R.T)), R @ net(D), atol=1e-12)


def test_smooth_cutoff_is_c2():
    torch.set_default_dtype(torch.float64)
    r = torch.tensor([0.0, 5.0, 10.0, 12.0], requires_grad=True)
    f = smooth_cutoff(r, 10.0)
    assert torch.allclose(f.detach(), torch.tensor([1.0, 0.5, 0.0, 0.0]))
    (g,) = torch.autograd.grad(f.sum(), r, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), r)
    assert abs(g[2].item()) < 1e-12 and abs(h[2].item()) < 1e-12
    assert g[1].item() < 0
    with pytest.raises(ValueError, match="cutoff"):
        smooth_cutoff(r, 0.0)


@pytest.mark.parametrize("complex_", [False, True])
def test_fused_softsign_path_equals_generic_path(complex_):
    """The fast path (one norm per layer) gives the generic layer-by-layer numbers."""
    torch.set_default_dtype(torch.float64)
    fast = UnitaryNetwork(widths=[6, 12, 10, 4], a=0.03, complex=complex_)
    _randomize_bias(fast)
    slow = UnitaryNetwork(widths=[6, 12, 10, 4], complex=complex_,
                          activation=NormGate(lambda r: 1.0 / (1.0 + r) + 0.03))
    slow.load_state_dict(fast.state_dict())
    assert fast._fused() and not slow._fused()
    dt = torch.complex128 if complex_ else torch.float64
    x = torch.randn(5, 3, 6, dtype=dt)
    x[0, :, 1] = 0.0
    x.requires_grad_(True)
    yf, ys = fast(x), slow(x)
    assert torch.allclose(yf, ys, atol=1e-13)
    gf = torch.autograd.grad(yf.abs().square().sum(), [x, *fast.parameters()])
    gs = torch.autograd.grad(ys.abs().square().sum(), [x, *slow.parameters()])
    for a, b in zip(gf, gs):
        assert torch.isfinite(a).all()
        assert torch.allclose(a, b, atol=1e-11)
