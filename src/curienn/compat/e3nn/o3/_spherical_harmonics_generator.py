"""``e3nn.o3._spherical_harmonics_generator``: e3nn's script that generates its spherical-
harmonics code with sympy. curienn computes the harmonics by a recurrence
(:func:`curienn.o3.spherical_harmonics`); there is nothing to generate."""

from curienn.compat.e3nn import o3

__all__ = [
    "o3",
]
