r"""Wigner D matrices, Lie algebra generators and real Clebsch-Gordan coefficients.

Conventions (identical numbers to e3nn 0.6.0):

* The real basis of the irrep ``l`` is indexed by ``m = -l..l``; for ``l = 1`` it
  is ``(x, y, z)``, and ``y`` is the polar axis.
* ``wigner_D(l, a, b, c) = exp(a X_y) exp(b X_x) exp(c X_y)`` with
  ``X = so3_generators(l)``, so ``wigner_D(1, a, b, c) = R_y(a) R_x(b) R_y(c)``.
* ``wigner_3j(l1, l2, l3)`` is the unique (up to sign) invariant tensor
  ``C[i, j, k]`` with ``sum D1[i,i'] D2[j,j'] D3[k,k'] C[i',j',k'] = C[i,j,k]``,
  of unit Frobenius norm, with e3nn's sign.
"""

from __future__ import annotations

import math
from fractions import Fraction

import torch

from ._w3j_exact import _check_triple, wigner_3j_sparse_exact
from ._w3j_table import table_dense, table_lookup

__all__ = [
    "su2_generators",
    "so3_generators",
    "change_basis_real_to_complex",
    "wigner_D",
    "wigner_3j",
    "wigner_3j_sparse",
]


def _complex_dtype(dtype: torch.dtype | None) -> torch.dtype:
    dtype = torch.get_default_dtype() if dtype is None else dtype
    if dtype.is_complex:
        return dtype
    return {torch.float64: torch.complex128, torch.float16: torch.complex32}.get(dtype, torch.complex64)


def _check_l(l: int, name: str = "l") -> None:
    if isinstance(l, bool) or not isinstance(l, int) or l < 0:
        raise ValueError(f"{name} must be a non-negative int, got {l!r}")


def _su2_parts(j: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Real and imaginary parts (float64) of ``su2_generators(j)``."""
    two_j = 2 * j
    if isinstance(j, bool) or not isinstance(j, (int, float, Fraction)) or two_j < 0 or two_j != int(two_j):
        raise ValueError(f"su2_generators: j must be a non-negative multiple of 1/2, got {j!r}")
    n = int(two_j) + 1
    jj = int(two_j) / 2
    m = torch.arange(n, dtype=torch.float64) - jj
    # raising[m+1, m] = sqrt(j(j+1) - m(m+1)) for m = -j .. j-1
    raising = torch.diag(torch.sqrt(jj * (jj + 1) - m[:-1] * (m[:-1] + 1)), -1)
    lowering = raising.T
    zero = torch.zeros(n, n, dtype=torch.float64)
    re = torch.stack([(lowering - raising) / 2, zero, zero])
    im = torch.stack([zero, torch.diag(m), (raising + lowering) / 2])
    return re, im


def su2_generators(j: float) -> torch.Tensor:
    r"""Generators of the spin-``j`` representation of SU(2), anti-Hermitian.

    In the basis ``|j, m>``, ``m = -j .. j`` (``2j + 1`` states, ``j`` integer or
    half-integer), with ladder operators
    ``J+ |m> = sqrt(j(j+1) - m(m+1)) |m+1>`` and ``J- = J+^T``::

        X_x = (J- - J+) / 2,   X_y = i diag(m),   X_z = i (J+ + J-) / 2

    so that ``[X_a, X_b] = eps_abc X_c`` (the polar axis ``y`` carries ``J_z``).

    Args:
        j: spin, a non-negative multiple of 1/2.

    Returns:
        complex tensor ``(3, 2j+1, 2j+1)`` in the complex dtype matching the
        default float dtype.
    """
    re, im = _su2_parts(j)
    return torch.complex(re, im).to(_complex_dtype(None))


def change_basis_real_to_complex(
    l: int, dtype: torch.dtype | None = None, device: torch.device | str | None = None
) -> torch.Tensor:
    r"""Change of basis ``Q`` from real to complex spherical harmonics, ``Y_complex = Q Y_real``.

    Rows are the complex ``m``, columns the real ``m``, both ``-l .. l``.
    ``Q = (-i)^l q`` where ``q`` is Wikipedia's real form:
    ``Y^m = (Y_{|m|} - i Y_{-|m|})/sqrt 2`` for ``m < 0``, ``Y^0 = Y_0`` and
    ``Y^m = (-1)^m (Y_m + i Y_{-m})/sqrt 2`` for ``m > 0``.  ``Q`` is unitary.

    Args:
        l: degree, ``l >= 0``.
        dtype: a float or complex dtype; the result is the matching complex dtype
            (float64 -> complex128, else complex64; default from the default dtype).
        device: device of the result.

    Returns:
        complex tensor ``(2l+1, 2l+1)``.
    """
    _check_l(l)
    re, im = _change_basis_parts(l)
    return torch.complex(re, im).to(dtype=_complex_dtype(dtype), device=device)


def _change_basis_parts(l: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Real and imaginary parts (float64) of ``change_basis_real_to_complex(l)``."""
    n = 2 * l + 1
    q = [[0j] * n for _ in range(n)]
    r = 1 / math.sqrt(2)
    q[l][l] = 1 + 0j
    for m in range(1, l + 1):
        q[l - m][l + m] = r + 0j  # m' = -m < 0: (Y_{|m|} - i Y_{-|m|}) / sqrt 2
        q[l - m][l - m] = -1j * r
        q[l + m][l + m] = (-1) ** m * r + 0j  # m > 0: (-1)^m (Y_m + i Y_{-m}) / sqrt 2
        q[l + m][l - m] = 1j * (-1) ** m * r
    phase = (-1j) ** l
    q = [[phase * z for z in row] for row in q]
    re = torch.tensor([[z.real for z in row] for row in q], dtype=torch.float64)
    im = torch.tensor([[z.imag for z in row] for row in q], dtype=torch.float64)
    return re, im


_SO3_GENERATORS: dict[int, torch.Tensor] = {}
_X_TO_Y: dict[int, torch.Tensor] = {}


def _so3_generators_f64(l: int) -> torch.Tensor:
    """``Re(Q^dagger X Q)`` in float64, cached, computed with real arithmetic only.

    With ``Q = A + iB`` and ``X = C + iE``:
    ``Re(Q^dagger X Q) = (A^T C + B^T E) A - (A^T E - B^T C) B``.
    """
    out = _SO3_GENERATORS.get(l)
    if out is None:
        a, b = _change_basis_parts(l)
        c, e = _su2_parts(l)
        p = a.T @ c + b.T @ e
        s = a.T @ e - b.T @ c
        out = _SO3_GENERATORS[l] = (p @ a - s @ b).contiguous()
    return out


def so3_generators(l: int) -> torch.Tensor:
    r"""Real generators of the irrep ``l`` of SO(3): ``X = Re(Q^dagger X_su2 Q)``.

    ``X[0], X[1], X[2]`` generate rotations about ``x, y, z``: ``exp(t X[a])`` is the
    Wigner matrix of the rotation by angle ``t`` about axis ``a``, and
    ``[X_a, X_b] = eps_abc X_c``.  For ``l = 1``, ``X[a] v = e_a x v``.

    Returns:
        ``(3, 2l+1, 2l+1)`` in the default dtype.
    """
    _check_l(l)
    return _so3_generators_f64(l).to(torch.get_default_dtype())


def _x_to_y_f64(l: int) -> torch.Tensor:
    """``J = exp(-pi/2 X_z)``: the rotation taking the y axis to the x axis, so
    ``exp(b X_x) = J exp(b X_y) J^T``.  Float64, cached."""
    out = _X_TO_Y.get(l)
    if out is None:
        out = _X_TO_Y[l] = torch.linalg.matrix_exp(-math.pi / 2 * _so3_generators_f64(l)[2]).contiguous()
    return out


def _cos_sin_m(angle: torch.Tensor, l: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``cos(m a)`` and ``sin(m a)`` for ``m = -l..l``: shapes ``(..., 2l+1)``."""
    m = torch.arange(-l, l + 1, dtype=angle.dtype, device=angle.device)
    ma = angle[..., None] * m
    return torch.cos(ma), torch.sin(ma)


# In the real basis exp(a X_y) has two nonzeros a row: exp(a X_y)[m, m] = cos(m a) and
# exp(a X_y)[m, -m] = -sin(m a) (the two coincide at m = 0).  So, without a matmul,
#   (exp(a X_y) M)[m, :] = cos(m a) M[m, :] - sin(m a) M[-m, :]
#   (M exp(a X_y))[:, k] = cos(m_k a) M[:, k] + sin(m_k a) M[:, -k]
def _rot_y_left(angle: torch.Tensor, mat: torch.Tensor, l: int) -> torch.Tensor:
    """``exp(angle X_y) @ mat``."""
    c, s = _cos_sin_m(angle, l)
    return c[..., :, None] * mat - s[..., :, None] * mat.flip(-2)


def _rot_y_right(mat: torch.Tensor, angle: torch.Tensor, l: int) -> torch.Tensor:
    """``mat @ exp(angle X_y)``."""
    c, s = _cos_sin_m(angle, l)
    return mat * c[..., None, :] + mat.flip(-1) * s[..., None, :]


def wigner_D(l: int, alpha: torch.Tensor, beta: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    r"""Wigner D matrix of the irrep ``l`` for the rotation ``R_y(alpha) R_x(beta) R_y(gamma)``.

    ``D = exp(alpha X_y) exp(beta X_x) exp(gamma X_y)``, ``X = so3_generators(l)``
    (``gamma`` acts first).  Evaluated as
    ``D = D_y(alpha) J D_y(beta) J^T D_y(gamma)`` with ``J = exp(-pi/2 X_z)`` cached
    per ``l`` and the cheap closed-form y rotations (cos/sin of ``m`` times the
    angle), i.e. one batched matmul instead of three matrix exponentials.

    Args:
        l: degree, ``l >= 0``.
        alpha, beta, gamma: angles (tensors or numbers), broadcast together and
            taken mod ``2 pi``.

    Returns:
        ``(..., 2l+1, 2l+1)`` in the promoted dtype of the angles (the default
        dtype for integer angles); ``wigner_D(1, ...)`` is the Cartesian matrix.
    """
    _check_l(l)
    alpha, beta, gamma = (torch.as_tensor(a) for a in (alpha, beta, gamma))
    dtype = torch.promote_types(torch.promote_types(alpha.dtype, beta.dtype), gamma.dtype)
    if not dtype.is_floating_point:
        dtype = torch.get_default_dtype()
    alpha, beta, gamma = torch.broadcast_tensors(alpha.to(dtype), beta.to(dtype), gamma.to(dtype))
    two_pi = 2 * math.pi
    alpha, beta, gamma = alpha % two_pi, beta % two_pi, gamma % two_pi
    j = _x_to_y_f64(l).to(dtype=dtype, device=alpha.device)
    # J D_y(beta) J^T
    mid = _rot_y_right(j, beta, l) @ j.T
    return _rot_y_right(_rot_y_left(alpha, mid, l), gamma, l)


_W3J_SPARSE: dict[tuple[int, int, int], tuple[torch.Tensor, torch.Tensor]] = {}
_W3J_DENSE: dict[tuple[int, int, int], torch.Tensor] = {}


def wigner_3j_sparse(l1: int, l2: int, l3: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Nonzero entries of ``wigner_3j(l1, l2, l3)``: ``(indices (nnz, 3) long, values (nnz,) float64)``.

    Cached; do not modify the returned tensors in place.  Served from the shipped
    table for ``l <= 8`` and computed exactly otherwise. Tensor-product kernels
    contract with these entries instead of the dense ``(2l1+1, 2l2+1, 2l3+1)`` array.

    Example:
        >>> idx, val = wigner_3j_sparse(1, 1, 0)
        >>> idx.tolist(), round(float(val[0] ** 2 * 3), 12)
        ([[0, 0, 0], [1, 1, 0], [2, 2, 0]], 1.0)
    """
    _check_triple(l1, l2, l3)
    key = (l1, l2, l3)
    out = _W3J_SPARSE.get(key)
    if out is None:
        out = table_lookup(l1, l2, l3)
        if out is None:
            idx, val = wigner_3j_sparse_exact(l1, l2, l3)
            out = (torch.tensor(idx, dtype=torch.long).reshape(-1, 3), torch.tensor(val, dtype=torch.float64))
        _W3J_SPARSE[key] = out
    return out


def _wigner_3j_dense_f64(l1: int, l2: int, l3: int) -> torch.Tensor:
    """Dense float64 ``wigner_3j``, cached (do not modify in place)."""
    key = (l1, l2, l3)
    out = _W3J_DENSE.get(key)
    if out is None:
        out = table_dense(l1, l2, l3)
        if out is None:
            indices, values = _wigner_3j_sparse(l1, l2, l3)
            out = torch.zeros(2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1, dtype=torch.float64)
            out[indices[:, 0], indices[:, 1], indices[:, 2]] = values
        _W3J_DENSE[key] = out
    return out


def wigner_3j(
    l1: int, l2: int, l3: int, dtype: torch.dtype | None = None, device: torch.device | str | None = None
) -> torch.Tensor:
    r"""Real Clebsch-Gordan coefficients ``C[i, j, k]`` coupling ``l1 x l2 -> l3``.

    ``C`` is invariant, ``C = (D1 x D2 x D3) C``, has ``||C||_F = 1``, and
    ``C.transpose(0, 1) = (-1)^(l1+l2+l3) wigner_3j(l2, l1, l3)``.  It is the exact
    complex Clebsch-Gordan tensor ``<l1 m1 l2 m2 | l3 m3>`` moved to the real basis
    with ``Q1``, ``Q2``, ``conj(Q3)`` (``Q = change_basis_real_to_complex``), real
    part, normalised: the same numbers and signs as e3nn 0.6.0.  Values come from
    exact arithmetic rounded once to float64 (shipped table for ``l <= 8``, exact
    computation beyond, both cached).

    Args:
        l1, l2, l3: degrees satisfying ``|l1 - l2| <= l3 <= l1 + l2``.
        dtype: result dtype (default dtype if None).
        device: result device.

    Returns:
        a fresh contiguous tensor ``(2l1+1, 2l2+1, 2l3+1)``.

    Raises:
        InvalidArgumentError: (a ``ValueError`` and an ``AssertionError``, as e3nn's) for a
            negative or non-int ``l`` or a violated triangle rule.
    """
    _check_triple(l1, l2, l3)
    dtype = torch.get_default_dtype() if dtype is None else dtype
    out = _wigner_3j_dense_f64(l1, l2, l3).to(dtype=dtype, device=device, copy=True)
    return out.contiguous()


_wigner_3j_sparse = wigner_3j_sparse  # the name used before it was public
