"""The numerical conventions of curienn, fixed in one place.

See ``docs/conventions.md``. The fingerprint is written into every checkpoint
and checked when loading, so that a change of convention can never load
silently into a model trained under another one.
"""

#: Bump whenever a convention that changes numbers changes (axes, SH basis or
#: normalization, CG signs, path normalization, weight layout).
CONVENTIONS_VERSION = "curienn-1/e3nn-0.6.0"


def check_conventions(found: str, what: str = "checkpoint") -> None:
    """Raise ``ValueError`` when ``found`` differs from :data:`CONVENTIONS_VERSION`."""
    if found != CONVENTIONS_VERSION:
        raise ValueError(
            f"{what} was written under conventions {found!r}, but this curienn uses "
            f"{CONVENTIONS_VERSION!r}; its numbers would not mean the same thing"
        )
