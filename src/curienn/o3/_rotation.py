r"""Parametrizations of rotations in three dimensions and conversions between them.

Four parametrizations of :math:`SO(3)` are used, with e3nn 0.6.0's conventions:

* **matrix** ``R`` of shape ``(..., 3, 3)``, acting on column vectors :math:`(x, y, z)`;
* **Euler angles** ``(alpha, beta, gamma)``, each of shape ``(...)``, in the
  Y-X-Y convention with :math:`y` as the polar axis:

  .. math:: R(\alpha, \beta, \gamma) = R_y(\alpha)\, R_x(\beta)\, R_y(\gamma),

  so :math:`\gamma` is applied first. The point :math:`R(\alpha, \beta, 0)\, e_y`
  has polar angle :math:`\beta` from the :math:`y` axis and azimuth :math:`\alpha`
  measured from :math:`z` towards :math:`x`;
* **quaternion** ``q = (w, x, y, z)`` of shape ``(..., 4)``, unit norm, composed
  with the Hamilton product; the rotation by :math:`\theta` about the unit axis
  :math:`n` is :math:`(\cos\frac\theta2, \sin\frac\theta2\, n)`;
* **axis-angle** ``(axis, angle)`` of shapes ``(..., 3)`` and ``(...)``; the axis
  need not be normalized.

Representations that are not unique are returned in a canonical form:
``matrix_to_angles`` gives :math:`\alpha, \gamma \in (-\pi, \pi]` and
:math:`\beta \in [0, \pi]`; ``matrix_to_quaternion`` gives :math:`w \ge 0`;
``matrix_to_axis_angle`` and ``angles_to_axis_angle`` give an angle in
:math:`[0, \pi]`. Random rotations are uniform (Haar) on :math:`SO(3)`.
"""

from __future__ import annotations

import math

import torch

from ._errors import InvalidArgumentError, ShapeError

__all__ = [
    "angles_to_axis_angle",
    "angles_to_matrix",
    "angles_to_quaternion",
    "angles_to_xyz",
    "axis_angle_to_angles",
    "axis_angle_to_matrix",
    "axis_angle_to_quaternion",
    "compose_angles",
    "compose_axis_angle",
    "compose_quaternion",
    "identity_angles",
    "identity_quaternion",
    "inverse_angles",
    "inverse_quaternion",
    "matrix_to_angles",
    "matrix_to_axis_angle",
    "matrix_to_quaternion",
    "matrix_x",
    "matrix_y",
    "matrix_z",
    "quaternion_to_angles",
    "quaternion_to_axis_angle",
    "quaternion_to_matrix",
    "rand_angles",
    "rand_axis_angle",
    "rand_matrix",
    "rand_quaternion",
    "xyz_to_angles",
]


def _t(x) -> torch.Tensor:
    """A tensor from ``x``; Python numbers take the default dtype."""
    if isinstance(x, torch.Tensor):
        return x
    return torch.as_tensor(x, dtype=torch.get_default_dtype())


def _normalize(x: torch.Tensor, eps: float = 1e-300) -> torch.Tensor:
    """``x / |x|`` along the last axis; the zero vector stays zero (no NaN)."""
    n = torch.linalg.vector_norm(x, dim=-1, keepdim=True)
    return x / n.clamp(min=torch.finfo(x.dtype).tiny)


# --------------------------------------------------------------------------- constructors


def rand_angles(*shape: int, requires_grad: bool = False, dtype=None, device=None):
    r"""Euler angles of rotations drawn uniformly (Haar measure) on :math:`SO(3)`.

    :math:`\alpha, \gamma \sim U[0, 2\pi)` and :math:`\beta = \arccos(2u - 1)`,
    :math:`u \sim U[0, 1)`, so that :math:`\cos\beta` is uniform.

    Returns:
        ``(alpha, beta, gamma)``, each of shape ``shape``.
    """
    alpha, gamma = 2 * math.pi * torch.rand(2, *shape, dtype=dtype, device=device)
    beta = torch.rand(shape, dtype=dtype, device=device).mul(2).sub(1).acos()
    alpha = alpha.detach().requires_grad_(requires_grad)
    beta = beta.detach().requires_grad_(requires_grad)
    gamma = gamma.detach().requires_grad_(requires_grad)
    return alpha, beta, gamma


def identity_angles(*shape: int, requires_grad: bool = False, dtype=None, device=None):
    """Euler angles ``(0, 0, 0)`` of the identity, each of shape ``shape``."""
    abc = torch.zeros(3, *shape, dtype=dtype, device=device)
    return tuple(x.detach().requires_grad_(requires_grad) for x in abc)


def rand_matrix(*shape: int, requires_grad: bool = False, dtype=None, device=None) -> torch.Tensor:
    """Uniformly random rotation matrices, shape ``(*shape, 3, 3)``."""
    R = angles_to_matrix(*rand_angles(*shape, dtype=dtype, device=device))
    return R.detach().requires_grad_(requires_grad)


def rand_quaternion(*shape: int, requires_grad: bool = False, dtype=None, device=None) -> torch.Tensor:
    """Uniformly random unit quaternions ``(w, x, y, z)``, shape ``(*shape, 4)``."""
    q = angles_to_quaternion(*rand_angles(*shape, dtype=dtype, device=device))
    return q.detach().requires_grad_(requires_grad)


def identity_quaternion(*shape: int, requires_grad: bool = False, dtype=None, device=None) -> torch.Tensor:
    """The quaternion ``(1, 0, 0, 0)``, shape ``(*shape, 4)``."""
    q = torch.zeros(*shape, 4, dtype=dtype, device=device)
    q[..., 0] = 1
    return q.requires_grad_(requires_grad)


def rand_axis_angle(*shape: int, requires_grad: bool = False, dtype=None, device=None):
    """Uniformly random rotations as ``(axis (*shape, 3), angle (*shape))``, angle in [0, pi]."""
    axis, angle = angles_to_axis_angle(*rand_angles(*shape, dtype=dtype, device=device))
    return axis.detach().requires_grad_(requires_grad), angle.detach().requires_grad_(requires_grad)


# --------------------------------------------------------------------------- elementary matrices


def _rot(angle, i: int, j: int) -> torch.Tensor:
    r"""Rotation acting as :math:`(\cos, -\sin; \sin, \cos)` in the plane of axes ``(i, j)``."""
    angle = _t(angle)
    c, s = angle.cos(), angle.sin()
    o, z = torch.ones_like(angle), torch.zeros_like(angle)
    rows = [[o, z, z], [z, o, z], [z, z, o]]
    rows[i][i], rows[i][j], rows[j][i], rows[j][j] = c, -s, s, c
    return torch.stack([torch.stack(r, dim=-1) for r in rows], dim=-2)


def matrix_x(angle: torch.Tensor) -> torch.Tensor:
    r"""Rotation by ``angle`` about the x axis, :math:`[[1,0,0],[0,c,-s],[0,s,c]]`; shape ``(..., 3, 3)``."""
    return _rot(angle, 1, 2)


def matrix_y(angle: torch.Tensor) -> torch.Tensor:
    r"""Rotation by ``angle`` about the y axis, :math:`[[c,0,s],[0,1,0],[-s,0,c]]`; shape ``(..., 3, 3)``."""
    return _rot(angle, 2, 0)


def matrix_z(angle: torch.Tensor) -> torch.Tensor:
    r"""Rotation by ``angle`` about the z axis, :math:`[[c,-s,0],[s,c,0],[0,0,1]]`; shape ``(..., 3, 3)``."""
    return _rot(angle, 0, 1)


# --------------------------------------------------------------------------- angles <-> matrix


def angles_to_matrix(alpha, beta, gamma) -> torch.Tensor:
    r""":math:`R_y(\alpha) R_x(\beta) R_y(\gamma)`; the angles broadcast, result ``(..., 3, 3)``."""
    alpha, beta, gamma = torch.broadcast_tensors(_t(alpha), _t(beta), _t(gamma))
    return matrix_y(alpha) @ matrix_x(beta) @ matrix_y(gamma)


def angles_to_xyz(alpha, beta) -> torch.Tensor:
    r"""The unit vector :math:`R(\alpha, \beta, 0)\, e_y = (\sin\beta\sin\alpha, \cos\beta, \sin\beta\cos\alpha)`.

    Returns:
        Tensor of shape ``(..., 3)`` (the angles broadcast).
    """
    alpha, beta = torch.broadcast_tensors(_t(alpha), _t(beta))
    sb = beta.sin()
    return torch.stack([sb * alpha.sin(), beta.cos(), sb * alpha.cos()], dim=-1)


def xyz_to_angles(xyz) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Angles :math:`(\alpha, \beta)` of the direction of ``xyz`` (shape ``(..., 3)``).

    The vector is normalized first, then :math:`\beta = \arccos y` and
    :math:`\alpha = \operatorname{atan2}(x, z)`, so ``angles_to_xyz(*xyz_to_angles(v))``
    is ``v / |v|``. The zero vector gives ``(0, pi/2)``, never NaN.
    """
    xyz = _normalize(_t(xyz))
    x, y, z = xyz.unbind(-1)
    beta = torch.acos(y.clamp(-1, 1))
    alpha = torch.atan2(x, z)
    return alpha, beta


def _check_det_one(R: torch.Tensor, what: str = "matrix_to_angles") -> None:
    if torch.compiler.is_compiling():
        return
    det = torch.linalg.det(R)
    # a rotation rounded through float32 has |det - 1| ~ 1e-7: accept that, reject anything
    # that is not a rotation (|det - 1| is then of order 1)
    tol = 1e-4 if R.dtype in (torch.float16, torch.bfloat16, torch.float32) else 1e-5
    if R.numel() > 0 and not bool(((det - 1).abs() <= tol).all()):
        bad = det.flatten()[((det - 1).abs() > tol).flatten()][0].item()
        raise InvalidArgumentError(
            f"{what} needs rotation matrices with det = +1, got det = {bad:.10g}; "
            "use Irreps.D_from_matrix for improper rotations"
        )


def matrix_to_angles(R) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""Euler angles of the rotation matrices ``R`` (shape ``(..., 3, 3)``).

    :math:`(\alpha, \beta)` are the angles of :math:`R e_y`; :math:`\gamma` is read
    from :math:`R_y(\gamma) = R(\alpha, \beta, 0)^\top R`.

    Raises:
        InvalidArgumentError: (a ``ValueError``; an ``AssertionError`` as in e3nn) if some
            ``det(R)`` is not +1.
    """
    R = _t(R)
    if R.shape[-2:] != (3, 3):
        raise ShapeError(f"matrix_to_angles expects (..., 3, 3) matrices, got shape {tuple(R.shape)}")
    _check_det_one(R)
    alpha, beta = xyz_to_angles(R[..., :, 1])
    Ry = angles_to_matrix(alpha, beta, torch.zeros_like(alpha)).transpose(-1, -2) @ R
    gamma = torch.atan2(Ry[..., 0, 2], Ry[..., 0, 0])
    return alpha, beta, gamma


# --------------------------------------------------------------------------- quaternions


def compose_quaternion(q1, q2) -> torch.Tensor:
    r"""Hamilton product :math:`q_1 q_2` (apply :math:`q_2` first); shapes ``(..., 4)`` broadcast."""
    q1, q2 = torch.broadcast_tensors(_t(q1), _t(q2))
    w1, x1, y1, z1 = q1.unbind(-1)
    w2, x2, y2, z2 = q2.unbind(-1)
    return torch.stack(
        [
            w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
            w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
            w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
        ],
        dim=-1,
    )


def inverse_quaternion(q) -> torch.Tensor:
    """Conjugate ``(w, -x, -y, -z)``: the inverse of a unit quaternion."""
    q = _t(q)
    return torch.cat([q[..., :1], -q[..., 1:]], dim=-1)


def axis_angle_to_quaternion(xyz, angle) -> torch.Tensor:
    r""":math:`(\cos\frac\theta2, \sin\frac\theta2\, \hat n)` with :math:`\hat n` = ``xyz`` normalized; ``(..., 4)``."""
    xyz, angle = torch.broadcast_tensors(_t(xyz), _t(angle)[..., None])
    xyz = _normalize(xyz)
    half = angle[..., :1] / 2
    return torch.cat([half.cos(), half.sin() * xyz], dim=-1)


def quaternion_to_axis_angle(q) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Axis (unit, ``(..., 3)``) and angle :math:`2\operatorname{atan2}(|v|, w) \in [0, 2\pi]`.

    The identity gives axis ``0`` and angle ``0``.
    """
    q = _t(q)
    v = q[..., 1:]
    angle = 2 * torch.atan2(torch.linalg.vector_norm(v, dim=-1), q[..., 0])
    return _normalize(v), angle


def quaternion_to_matrix(q) -> torch.Tensor:
    r"""Rotation matrix of the quaternion ``q`` (normalized first); shape ``(..., 3, 3)``.

    .. math:: R = (w^2 - |v|^2) I + 2 v v^\top + 2 w [v]_\times
    """
    q = _normalize(_t(q))
    w, x, y, z = q.unbind(-1)
    rows = [
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
        [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
        [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
    ]
    return torch.stack([torch.stack(r, dim=-1) for r in rows], dim=-2)


def matrix_to_quaternion(R) -> torch.Tensor:
    r"""Unit quaternion of the rotation matrix ``R``, with :math:`w \ge 0`; shape ``(..., 4)``.

    Each component is computed from the diagonal (:math:`4w^2 = 1 + \operatorname{tr} R`,
    :math:`4x^2 = 1 + R_{xx} - R_{yy} - R_{zz}`, ...) and the signs are fixed from
    the largest component with the off-diagonal sums, which is stable for all angles.

    Raises:
        InvalidArgumentError: if some ``det(R)`` is not +1 (as e3nn, which asserts it).
    """
    R = _t(R)
    if R.shape[-2:] != (3, 3):
        raise ShapeError(f"matrix_to_quaternion expects (..., 3, 3) matrices, got shape {tuple(R.shape)}")
    _check_det_one(R, "matrix_to_quaternion")
    m = R
    t = m[..., 0, 0] + m[..., 1, 1] + m[..., 2, 2]
    s01, s02, s12 = m[..., 0, 1] + m[..., 1, 0], m[..., 0, 2] + m[..., 2, 0], m[..., 1, 2] + m[..., 2, 1]
    a_x, a_y, a_z = m[..., 2, 1] - m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0], m[..., 1, 0] - m[..., 0, 1]
    d_w, d_x = 1 + t, 1 + 2 * m[..., 0, 0] - t
    d_y, d_z = 1 + 2 * m[..., 1, 1] - t, 1 + 2 * m[..., 2, 2] - t
    # candidate quaternions times 4 * (pivot component), one per choice of pivot
    cands = torch.stack(
        [
            torch.stack([d_w, a_x, a_y, a_z], -1),
            torch.stack([a_x, d_x, s01, s02], -1),
            torch.stack([a_y, s01, d_y, s12], -1),
            torch.stack([a_z, s02, s12, d_z], -1),
        ],
        dim=-2,
    )  # (..., 4 pivots, 4)
    best = torch.stack([d_w, d_x, d_y, d_z], -1).argmax(dim=-1)
    q = torch.gather(cands, -2, best[..., None, None].expand(*best.shape, 1, 4)).squeeze(-2)
    q = _normalize(q)
    return torch.where(q[..., :1] < 0, -q, q)


def matrix_to_axis_angle(R) -> tuple[torch.Tensor, torch.Tensor]:
    """Axis ``(..., 3)`` (unit) and angle in ``[0, pi]`` of the rotation matrices ``R``.

    Raises:
        InvalidArgumentError: if some ``det(R)`` is not +1 (as e3nn, which asserts it).
    """
    return quaternion_to_axis_angle(matrix_to_quaternion(R))


# --------------------------------------------------------------------------- axis-angle


def axis_angle_to_matrix(axis, angle) -> torch.Tensor:
    r"""Rodrigues' formula :math:`R = I + \sin\theta\, K + (1 - \cos\theta) K^2`, :math:`K = [\hat n]_\times`.

    ``axis`` ``(..., 3)`` is normalized first (a zero axis gives the identity);
    ``angle`` ``(...)``; result ``(..., 3, 3)``.
    """
    axis, angle = torch.broadcast_tensors(_t(axis), _t(angle)[..., None])
    n = _normalize(axis)
    angle = angle[..., 0]
    x, y, z = n.unbind(-1)
    zero = torch.zeros_like(x)
    K = torch.stack(
        [torch.stack([zero, -z, y], -1), torch.stack([z, zero, -x], -1), torch.stack([-y, x, zero], -1)], -2
    )
    eye = torch.eye(3, dtype=K.dtype, device=K.device)
    s, c = angle.sin()[..., None, None], angle.cos()[..., None, None]
    return eye + s * K + (1 - c) * (K @ K)


def axis_angle_to_angles(axis, angle):
    """Euler angles of the rotation ``(axis, angle)``."""
    return matrix_to_angles(axis_angle_to_matrix(axis, angle))


def angles_to_axis_angle(alpha, beta, gamma):
    """Axis (unit) and angle in ``[0, pi]`` of the Euler angles."""
    return matrix_to_axis_angle(angles_to_matrix(alpha, beta, gamma))


def compose_axis_angle(axis1, angle1, axis2, angle2):
    r"""Rotation :math:`(\hat n_1, \theta_1) \circ (\hat n_2, \theta_2)` (apply the second first).

    Computed with quaternions; the resulting angle lies in :math:`[0, 2\pi]`.
    """
    q = compose_quaternion(axis_angle_to_quaternion(axis1, angle1), axis_angle_to_quaternion(axis2, angle2))
    return quaternion_to_axis_angle(q)


# --------------------------------------------------------------------------- angles <-> quaternion


def angles_to_quaternion(alpha, beta, gamma) -> torch.Tensor:
    r"""Quaternion :math:`q_y(\alpha)\, q_x(\beta)\, q_y(\gamma)`, shape ``(..., 4)``.

    Here :math:`q_n(\theta) = (\cos\frac\theta2, \sin\frac\theta2 n)`.
    The sign is not canonicalized (``w`` may be negative).
    """
    alpha, beta, gamma = torch.broadcast_tensors(_t(alpha), _t(beta), _t(gamma))
    z = torch.zeros_like(alpha)
    qa = torch.stack([(alpha / 2).cos(), z, (alpha / 2).sin(), z], -1)
    qb = torch.stack([(beta / 2).cos(), (beta / 2).sin(), z, z], -1)
    qc = torch.stack([(gamma / 2).cos(), z, (gamma / 2).sin(), z], -1)
    return compose_quaternion(qa, compose_quaternion(qb, qc))


def quaternion_to_angles(q):
    """Euler angles of the quaternion ``q`` (``(..., 4)``)."""
    return matrix_to_angles(quaternion_to_matrix(q))


# --------------------------------------------------------------------------- angles algebra


def compose_angles(a1, b1, c1, a2, b2, c2):
    r"""Euler angles of :math:`R(a_1, b_1, c_1)\, R(a_2, b_2, c_2)` (apply the second first)."""
    return matrix_to_angles(angles_to_matrix(a1, b1, c1) @ angles_to_matrix(a2, b2, c2))


def inverse_angles(a, b, c):
    r"""Euler angles :math:`(-c, -b, -a)` of the inverse rotation."""
    return -_t(c), -_t(b), -_t(a)
