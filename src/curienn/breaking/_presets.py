"""The presets of the order-parameter search: the papers' square -> rectangle
task, finite structures (molecules, clusters) and periodic crystals -- the
:class:`SearchConfig` fields and the network (:class:`ModelOptions`) of each --
and how a problem's settings are put on top of them.

The finite and periodic presets are the tool's: an MSE fit normalised by the
zero-output loss, penalties and Adam steps that commute with the input's
symmetry (so a learned pattern keeps exactly the symmetry its gradient has:
two targets that differ by 1e-8 A give the same pattern), a joint phase that
stops once the loss is below 0.1% of the zero-output loss or stops improving,
and up to two restarts with the next seeds when the fit stays above 2%.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Optional

import numpy as np

from ._config import DEFAULT_IRREPS, SearchConfig
from ._model import ModelOptions

__all__ = ["PRESETS", "SQUARE", "RECTANGLE", "SQUARE_MODEL", "PEROVSKITE_MODEL", "make_config", "model_options"]

#: the square's corners, in the plane perpendicular to y (e3nn's polar axis)
SQUARE = np.array([[0.5, 0.0, 0.5], [0.5, 0.0, -0.5], [-0.5, 0.0, -0.5], [-0.5, 0.0, 0.5]])
#: the rectangle's corners (the square scaled by 1.5 along x and 0.5 along z)
RECTANGLE = SQUARE * np.array([1.5, 1.0, 0.5])

#: the square -> rectangle network: reaches the Curie floor to well within 1%,
#: small enough for the main job's time budget
SQUARE_MODEL = ModelOptions(mul=4, hidden_lmax=5, edge_lmax=5, layers=1, max_radius=3.0,
                            number_of_basis=3, radial_layers=1, radial_neurons=16)
#: the network for periodic cells (the 40-atom perovskite)
PEROVSKITE_MODEL = ModelOptions(mul=4, hidden_lmax=2, edge_lmax=2, layers=1, max_radius=3.0,
                                number_of_basis=6, radial_layers=1, radial_neurons=16)

#: The search settings (:class:`SearchConfig` fields) of each preset: the square
#: -> rectangle main job, finite structures (molecules, clusters) and periodic
#: crystals. ``min_model_steps`` is capped by ``max_model_steps``.
PRESETS = {
    "square": dict(irreps=DEFAULT_IRREPS, loss="mse", l_penalty=0.0, max_model_steps=80, min_model_steps=30,
                   joint_steps=60, lr_op=2e-3, alternate=False, equivariant_penalty=False),
    "finite": dict(irreps=DEFAULT_IRREPS, loss="mse", l_penalty=1e-3, max_model_steps=100, min_model_steps=10,
                   joint_steps=300, min_joint_steps=20, joint_patience=60, tol=1e-3, restarts=2,
                   lr_op=5e-3, alternate=False, equivariant_penalty=True, normalize_loss=True),
    "periodic": dict(irreps="0e+0o+1e+1o+2e+2o", loss="mse", l_penalty=1e-3, max_model_steps=10,
                     min_model_steps=5, joint_steps=300, min_joint_steps=20, joint_patience=60, tol=1e-3,
                     restarts=2, lr_op=5e-3, alternate=False, equivariant_penalty=True, normalize_loss=True),
}

_CONFIG_FIELDS = tuple(f.name for f in fields(SearchConfig))


def make_config(preset: str, model: ModelOptions, settings: dict) -> SearchConfig:
    """The preset's :class:`SearchConfig` with ``settings`` (``None`` = preset) on top."""
    unknown = sorted(set(settings) - set(_CONFIG_FIELDS))
    if unknown:
        raise ValueError(f"unknown search setting(s) {unknown}; the settings are {list(_CONFIG_FIELDS)}")
    kw = {**PRESETS[preset], "model": model}
    kw.update({k: v for k, v in settings.items() if v is not None})
    for low, high in (("min_model_steps", "max_model_steps"), ("min_joint_steps", "joint_steps")):
        if settings.get(low) is None and isinstance(kw[high], int):
            kw[low] = min(PRESETS[preset].get(low, 0), kw[high])
    return SearchConfig(**kw)


def model_options(base: ModelOptions, model_lmax: Optional[int], max_radius: Optional[float]) -> ModelOptions:
    """``base`` with the network's lmax (hidden irreps and edge harmonics) and cutoff, where given."""
    if model_lmax is not None and (isinstance(model_lmax, bool) or int(model_lmax) != model_lmax or model_lmax < 0):
        raise ValueError(f"model_lmax must be a non-negative integer, got {model_lmax!r}")
    if max_radius is not None and not max_radius > 0:
        raise ValueError(f"max_radius must be positive, got {max_radius!r}")
    lmax = {} if model_lmax is None else {"hidden_lmax": int(model_lmax), "edge_lmax": int(model_lmax)}
    return replace(base, **lmax, **({} if max_radius is None else {"max_radius": float(max_radius)}))
