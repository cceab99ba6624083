"""Rotation parametrizations: equal to e3nn 0.6.0, and the group laws hold."""

import math

import e3nn.o3 as e3
import pytest
import torch
from scipy.spatial.transform import Rotation

from curienn import o3

N = 200


def _close(a, b, tol):
    if isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y, tol)
        return
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype
    err = (a - b).abs().max().item() if a.numel() else 0.0
    assert err <= tol, err


@pytest.fixture
def rtol(dtype):
    """Tolerance for comparisons with e3nn: float64 1e-10, float32 1e-5."""
    return {torch.float32: 1e-5, torch.float64: 1e-10}[dtype]


def test_public_names_match_e3nn():
    names = {n for n in dir(e3._rotation) if not n.startswith("_") and callable(getattr(e3._rotation, n))}
    names -= {"torch", "math", "explicit_default_types"}
    assert names <= set(o3._rotation.__all__)
    assert len(o3._rotation.__all__) == 28


def _vs_e3nn(name, *args64, dtype, tol):
    """Our ``name`` on the inputs cast to ``dtype`` against e3nn's in float64 (the exact values)."""
    out = getattr(o3, name)(*[x.to(dtype) for x in args64])
    ref = getattr(e3, name)(*args64)
    if not isinstance(out, tuple):
        out, ref = (out,), (ref,)
    assert len(out) == len(ref)
    for x, y in zip(out, ref):
        assert x.dtype == dtype and x.shape == y.shape
        err = (x.double() - y).abs().max().item()
        assert err <= tol, (name, err)


def test_elementary_matrices(dtype, rtol):
    a = 3 * torch.randn(N, dtype=torch.float64)
    for name in ["matrix_x", "matrix_y", "matrix_z"]:
        _vs_e3nn(name, a, dtype=dtype, tol=rtol)
    # closed form: R_y rotates z towards x
    c, s = math.cos(0.3), math.sin(0.3)
    Ry = o3.matrix_y(torch.tensor(0.3, dtype=dtype))
    ref = torch.tensor([[c, 0, s], [0, 1, 0], [-s, 0, c]], dtype=dtype)
    _close(Ry, ref, rtol)


def test_angles_to_matrix(dtype, rtol):
    abc = e3.rand_angles(N, dtype=torch.float64)
    _vs_e3nn("angles_to_matrix", *abc, dtype=dtype, tol=rtol)
    a, b, c = (x.to(dtype) for x in abc)
    _close(o3.angles_to_matrix(a, b, c), o3.matrix_y(a) @ o3.matrix_x(b) @ o3.matrix_y(c), rtol)
    # broadcasting
    assert o3.angles_to_matrix(torch.zeros(2, 1), torch.zeros(3), torch.zeros(1)).shape == (2, 3, 3, 3)


def test_to_from_matrix_vs_e3nn(dtype, rtol):
    R = e3.rand_matrix(N, dtype=torch.float64)
    for name in ["matrix_to_angles", "matrix_to_quaternion", "matrix_to_axis_angle"]:
        _vs_e3nn(name, R, dtype=dtype, tol=rtol)


def test_quaternion_vs_e3nn(dtype, rtol):
    q = e3.rand_quaternion(N, dtype=torch.float64)
    q2 = e3.rand_quaternion(N, dtype=torch.float64)
    for name in ["quaternion_to_matrix", "quaternion_to_axis_angle", "quaternion_to_angles", "inverse_quaternion"]:
        _vs_e3nn(name, q, dtype=dtype, tol=rtol)
    _vs_e3nn("compose_quaternion", q, q2, dtype=dtype, tol=rtol)
    _vs_e3nn("angles_to_quaternion", *e3.rand_angles(N, dtype=torch.float64), dtype=dtype, tol=rtol)


def test_axis_angle_vs_e3nn(dtype, rtol):
    axis, angle = e3.rand_axis_angle(N, dtype=torch.float64)
    axis = axis * 2.5  # not normalized
    for name in ["axis_angle_to_matrix", "axis_angle_to_quaternion", "axis_angle_to_angles"]:
        _vs_e3nn(name, axis, angle, dtype=dtype, tol=rtol)
    _vs_e3nn("angles_to_axis_angle", *e3.rand_angles(N, dtype=torch.float64), dtype=dtype, tol=rtol)
    axis2, angle2 = e3.rand_axis_angle(N, dtype=torch.float64)
    _vs_e3nn("compose_axis_angle", axis, angle, axis2, angle2, dtype=dtype, tol=rtol)


def test_angles_algebra_vs_e3nn(dtype, rtol):
    abc1 = e3.rand_angles(N, dtype=torch.float64)
    abc2 = e3.rand_angles(N, dtype=torch.float64)
    _vs_e3nn("compose_angles", *abc1, *abc2, dtype=dtype, tol=rtol)
    _vs_e3nn("inverse_angles", *abc1, dtype=dtype, tol=rtol)


def test_xyz_angles_vs_e3nn(dtype, rtol):
    x64 = torch.randn(N, 3, dtype=torch.float64) * 3
    _vs_e3nn("xyz_to_angles", x64, dtype=dtype, tol=rtol)
    a, b, _ = e3.rand_angles(N, dtype=torch.float64)
    _vs_e3nn("angles_to_xyz", a, b, dtype=dtype, tol=rtol)
    x = x64.to(dtype)
    a, b = a.to(dtype), b.to(dtype)
    # closed form: beta = acos(y/|x|), alpha = atan2(x, z)
    u = x / x.norm(dim=-1, keepdim=True)
    alpha, beta = o3.xyz_to_angles(x)
    _close(beta, torch.acos(u[:, 1]), 10 * rtol)
    _close(alpha, torch.atan2(u[:, 0], u[:, 2]), 10 * rtol)
    _close(o3.angles_to_xyz(alpha, beta), u, 10 * rtol)
    # angles_to_xyz(a, b) = R(a, b, 0) e_y
    ey = torch.tensor([0.0, 1.0, 0.0], dtype=dtype)
    _close(o3.angles_to_xyz(a, b), o3.angles_to_matrix(a, b, torch.zeros_like(a)) @ ey, rtol)


def test_xyz_to_angles_zero_vector_no_nan(dtype):
    x = torch.zeros(3, dtype=dtype, requires_grad=True)
    alpha, beta = o3.xyz_to_angles(x)
    assert torch.isfinite(alpha) and torch.isfinite(beta)
    (alpha + beta).backward()
    assert torch.isfinite(x.grad).all()


def test_constructors_same_stream_as_e3nn(dtype, rtol):
    for name in ["rand_angles", "rand_matrix", "rand_quaternion", "rand_axis_angle", "identity_angles", "identity_quaternion"]:
        torch.manual_seed(7)
        ours = getattr(o3, name)(3, 2, dtype=dtype)
        torch.manual_seed(7)
        ref = getattr(e3, name)(3, 2, dtype=dtype)
        _close(ours, ref, 10 * rtol)
    a, b, c = o3.rand_angles(4, requires_grad=True)
    assert a.requires_grad and b.requires_grad and c.requires_grad and a.is_leaf
    assert o3.rand_matrix(2, requires_grad=True).requires_grad
    assert o3.identity_quaternion(2, requires_grad=True).is_leaf
    assert o3.rand_matrix(2, 3).shape == (2, 3, 3, 3)
    assert o3.rand_matrix().shape == (3, 3)


def test_rand_matrix_is_rotation(dtype, tol):
    R = o3.rand_matrix(N, dtype=dtype)
    eye = torch.eye(3, dtype=dtype).expand(N, 3, 3)
    _close(R @ R.transpose(-1, -2), eye, 10 * tol)
    _close(torch.linalg.det(R), torch.ones(N, dtype=dtype), 10 * tol)


def test_rand_matrix_uniform():
    """Haar measure: E[R] = 0 and E[R_ij^2] = 1/3 (independent statistics)."""
    torch.set_default_dtype(torch.float64)
    R = o3.rand_matrix(10000)
    assert R.mean(0).abs().max() < 0.03
    assert ((R**2).mean(0) - 1 / 3).abs().max() < 0.02
    q = o3.rand_quaternion(10000)
    # uniform on S^3 up to sign: E[q_i^2] = 1/4
    assert ((q**2).mean(0) - 0.25).abs().max() < 0.02


def test_matrix_vs_scipy(dtype, rtol):
    """An independent oracle: scipy's quaternions are (x, y, z, w)."""
    q = o3.rand_quaternion(N, dtype=torch.float64)
    ref = torch.from_numpy(Rotation.from_quat(q[:, [1, 2, 3, 0]].numpy()).as_matrix())
    _close(o3.quaternion_to_matrix(q.to(dtype)), ref.to(dtype), rtol)
    axis, angle = o3.rand_axis_angle(N, dtype=torch.float64)
    ref = torch.from_numpy(Rotation.from_rotvec((axis * angle[:, None]).numpy()).as_matrix())
    _close(o3.axis_angle_to_matrix(axis.to(dtype), angle.to(dtype)), ref.to(dtype), rtol)


def test_round_trips(dtype, tol):
    R = o3.rand_matrix(N, dtype=dtype)
    t = 100 * tol
    _close(o3.angles_to_matrix(*o3.matrix_to_angles(R)), R, t)
    _close(o3.quaternion_to_matrix(o3.matrix_to_quaternion(R)), R, t)
    _close(o3.axis_angle_to_matrix(*o3.matrix_to_axis_angle(R)), R, t)
    q = o3.matrix_to_quaternion(R)
    assert (q[:, 0] >= 0).all()
    _close(o3.quaternion_to_matrix(o3.axis_angle_to_quaternion(*o3.quaternion_to_axis_angle(q))), R, t)
    a, b, c = o3.rand_angles(N, dtype=dtype)
    _close(o3.quaternion_to_matrix(o3.angles_to_quaternion(a, b, c)), o3.angles_to_matrix(a, b, c), t)
    _close(o3.axis_angle_to_matrix(*o3.angles_to_axis_angle(a, b, c)), o3.angles_to_matrix(a, b, c), t)
    _close(o3.angles_to_matrix(*o3.quaternion_to_angles(q)), R, t)


def test_matrix_to_quaternion_near_pi(dtype, tol):
    """Rotations by ~pi are where a trace-only formula fails."""
    axis = torch.randn(N, 3, dtype=dtype)
    angle = math.pi - torch.rand(N, dtype=dtype) * 1e-3
    R = o3.axis_angle_to_matrix(axis, angle)
    _close(o3.quaternion_to_matrix(o3.matrix_to_quaternion(R)), R, 100 * tol)


def test_compose_and_inverse(dtype, tol):
    t = 100 * tol
    a1, b1, c1 = o3.rand_angles(N, dtype=dtype)
    a2, b2, c2 = o3.rand_angles(N, dtype=dtype)
    R1, R2 = o3.angles_to_matrix(a1, b1, c1), o3.angles_to_matrix(a2, b2, c2)
    _close(o3.angles_to_matrix(*o3.compose_angles(a1, b1, c1, a2, b2, c2)), R1 @ R2, t)
    _close(o3.angles_to_matrix(*o3.inverse_angles(a1, b1, c1)), R1.transpose(-1, -2), t)
    q1, q2 = o3.angles_to_quaternion(a1, b1, c1), o3.angles_to_quaternion(a2, b2, c2)
    _close(o3.quaternion_to_matrix(o3.compose_quaternion(q1, q2)), R1 @ R2, t)
    _close(o3.compose_quaternion(q1, o3.inverse_quaternion(q1)), o3.identity_quaternion(N, dtype=dtype), t)
    ax1, an1 = o3.angles_to_axis_angle(a1, b1, c1)
    ax2, an2 = o3.angles_to_axis_angle(a2, b2, c2)
    _close(o3.axis_angle_to_matrix(*o3.compose_axis_angle(ax1, an1, ax2, an2)), R1 @ R2, t)
    # associativity of the Hamilton product
    q3 = o3.rand_quaternion(N, dtype=dtype)
    _close(
        o3.compose_quaternion(o3.compose_quaternion(q1, q2), q3),
        o3.compose_quaternion(q1, o3.compose_quaternion(q2, q3)),
        t,
    )
    # identities
    _close(o3.angles_to_matrix(*o3.identity_angles(4, dtype=dtype)), torch.eye(3, dtype=dtype).expand(4, 3, 3), 0)


def test_matrix_to_angles_rejects_improper(dtype):
    R = o3.rand_matrix(5, dtype=dtype)
    R[2] = -R[2]
    with pytest.raises(ValueError, match="det"):
        o3.matrix_to_angles(R)
    with pytest.raises(ValueError, match="det"):
        o3.matrix_to_angles(2 * torch.eye(3, dtype=dtype))
    with pytest.raises(ValueError, match="shape"):
        o3.matrix_to_angles(torch.eye(4, dtype=dtype))


def test_gradients_finite():
    R = o3.rand_matrix(10, dtype=torch.float64, requires_grad=True)
    a, b, c = o3.matrix_to_angles(R)
    (a.sum() + b.sum() + c.sum()).backward()
    assert torch.isfinite(R.grad).all()
    angles = o3.rand_angles(3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b, c: o3.angles_to_quaternion(a, b, c), angles)
    q = o3.rand_quaternion(3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(o3.quaternion_to_matrix, (q,))


def test_compile_fullgraph():
    torch.set_default_dtype(torch.float64)
    R = o3.rand_matrix(4)
    f = torch.compile(lambda R: o3.angles_to_matrix(*o3.matrix_to_angles(R)), fullgraph=True, backend="eager")
    _close(f(R), R, 1e-10)


def test_every_conversion(dtype, tol):
    """For each of the 12 conversions i -> j: matrix -> i -> j -> matrix returns the starting rotations."""
    names = ["angles", "matrix", "axis_angle", "quaternion"]

    def convert(x, i, j):
        if i == j:
            return x
        f = getattr(o3, f"{names[i]}_to_{names[j]}")
        return f(*x) if isinstance(x, tuple) else f(x)

    R = o3.rand_matrix(50, dtype=dtype)
    for i in range(4):
        for j in range(4):
            if i != j:
                back = convert(convert(convert(R, 1, i), i, j), j, 1)
                assert back.shape == R.shape
                assert (back - R).abs().max() < 100 * tol, (names[i], names[j])
