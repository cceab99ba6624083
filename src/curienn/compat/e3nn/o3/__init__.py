"""``e3nn.o3`` over curienn: irreps, rotations, Wigner matrices, spherical harmonics (also of
the angles), tensor products, ``Linear``, ``Norm``, S2 and SO(3) grids and
``ReducedTensorProducts``.

Thin re-exports: the objects are :mod:`curienn.o3`'s, :mod:`curienn.nn`'s (tensor products,
``Linear``, ``Norm``, ``Instruction``) and :mod:`curienn.io`'s (grids,
``ReducedTensorProducts``). The sub-modules ``irrep`` and ``experimental`` are e3nn's.
"""

from __future__ import annotations

from curienn.io import (
    FromS2Grid,
    ReducedTensorProducts,
    SO3Grid,
    ToS2Grid,
    irfft,
    rfft,
    s2_grid,
    spherical_harmonics_s2_grid,
)
from curienn.nn import (
    ElementwiseTensorProduct,
    FullTensorProduct,
    FullTensorProductv2,
    FullyConnectedTensorProduct,
    Instruction,
    Linear,
    Norm,
    TensorProduct,
    TensorSquare,
)
from curienn.o3 import (
    Irrep,
    Irreps,
    Legendre,
    SphericalHarmonics,
    SphericalHarmonicsAlphaBeta,
    change_basis_real_to_complex,
    so3_generators,
    spherical_harmonics,
    spherical_harmonics_alpha,
    spherical_harmonics_alpha_beta,
    su2_generators,
    wigner_3j,
    wigner_D,
)

from . import experimental, irrep
from ._rotation import *  # noqa: F401,F403  (e3nn's rotation functions)

__all__ = [
    "rand_matrix", "identity_angles", "rand_angles", "compose_angles", "inverse_angles",
    "identity_quaternion", "rand_quaternion", "compose_quaternion", "inverse_quaternion",
    "rand_axis_angle", "compose_axis_angle", "matrix_x", "matrix_y", "matrix_z",
    "angles_to_matrix", "matrix_to_angles", "angles_to_quaternion", "matrix_to_quaternion",
    "axis_angle_to_quaternion", "quaternion_to_axis_angle", "matrix_to_axis_angle",
    "angles_to_axis_angle", "axis_angle_to_matrix", "quaternion_to_matrix",
    "quaternion_to_angles", "axis_angle_to_angles", "angles_to_xyz", "xyz_to_angles",
    "wigner_D", "wigner_3j", "change_basis_real_to_complex", "su2_generators", "so3_generators",
    "Irrep", "Irreps", "irrep",
    "Instruction", "TensorProduct", "FullyConnectedTensorProduct", "ElementwiseTensorProduct",
    "FullTensorProduct", "TensorSquare", "FullTensorProductv2", "experimental",
    "SphericalHarmonics", "spherical_harmonics", "SphericalHarmonicsAlphaBeta", "spherical_harmonics_alpha_beta",
    "spherical_harmonics_alpha", "Legendre",
    "s2_grid", "spherical_harmonics_s2_grid", "rfft", "irfft", "ToS2Grid", "FromS2Grid", "SO3Grid",
    "Linear", "Norm", "ReducedTensorProducts",
]
