r"""The papers' square <-> rectangle experiments (Smidt, Geiger & Miller 2021; the
e3nn tutorial ``simple_tasks_and_symmetry``), as functions.

Geometry (in the plane perpendicular to e3nn's polar axis y, so that the labels
come out in the papers' form): the square :math:`(\pm 0.5, 0, \pm 0.5)` and the
rectangle :math:`(\pm 0.75, 0, \pm 0.25)`, corner by corner. The target is the
papers' rescaled spherical-harmonic projection (``lmax = 5``) of each corner's
displacement.

1. :func:`reproduce_rectangle_to_square` -- fits (the rectangle's corners have
   stabiliser :math:`\{E, \sigma\}`, which allows the displacement);
2. :func:`reproduce_square_to_rectangle` -- cannot fit: the loss plateaus at the
   Curie floor, 21/36 of the zero-output loss (:mod:`curienn.breaking._floor`); each
   corner's predicted signal has two opposite maxima;
3. :func:`reproduce_fixed_breaking_input` -- with a fixed :math:`Y_{2,2}`-type input
   (``2e m=2``) it fits;
4. :func:`reproduce_learned_order_parameter` -- the learned order parameter is
   ``2e m=2, 3e m=-2, 4e m=2, 5e m=-2`` (B1g of D4h); with an l-penalty or only
   ``1e+1o+2e+2o`` allowed, ``2e m=2`` alone.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch

from curienn.io import points_from_signal

from ._config import DEFAULT_IRREPS, SearchConfig
from ._floor import curie_floor
from ._problem import RECTANGLE, SQUARE, SQUARE_MODEL, OrderParameterProblem, search
from ._result import OrderParameterResult
from ._search import OrderParameterSearch
from ._targets import encode_displacements

__all__ = [
    "square_rectangle_setup",
    "count_signal_maxima",
    "reproduce_rectangle_to_square",
    "reproduce_square_to_rectangle",
    "reproduce_fixed_breaking_input",
    "reproduce_learned_order_parameter",
]

def square_rectangle_setup(direction: str = "square_to_rectangle", lmax: int = 5,
                           normalization: str = "integral", encoding: str = "projection") -> dict:
    """Input positions, target and its irreps, displacements and the Curie floor.

    ``direction``: ``"square_to_rectangle"`` or ``"rectangle_to_square"``.
    """
    if direction == "square_to_rectangle":
        start, end = SQUARE, RECTANGLE
    elif direction == "rectangle_to_square":
        start, end = RECTANGLE, SQUARE
    else:
        raise ValueError(f"direction must be 'square_to_rectangle' or 'rectangle_to_square', got {direction!r}")
    disp = end - start
    target, irreps = encode_displacements(disp, encoding, lmax, normalization, dtype=torch.float64)
    floor = curie_floor(start, target.numpy(), irreps)
    return {"positions": start.copy(), "target": target, "target_irreps": irreps,
            "displacements": disp, "floor": floor, "lmax": lmax, "normalization": normalization}


def count_signal_maxima(signal, lmax: int = 5, normalization: str = "integral", threshold: float = 0.5) -> int:
    """Number of maxima of a spherical-harmonic signal above ``threshold`` x the largest."""
    pts = points_from_signal(torch.as_tensor(np.asarray(signal), dtype=torch.float64), lmax,
                             normalization=normalization, threshold=threshold)
    return int(pts.shape[0])


def _config(**kw) -> SearchConfig:
    kw.setdefault("model", SQUARE_MODEL)
    return SearchConfig(**kw)


def reproduce_rectangle_to_square(steps: int = 60, seed: int = 0, progress: bool = False,
                                  normalization: str = "integral") -> tuple[OrderParameterResult, dict]:
    """Reproduction 1: fit rectangle -> square with the model alone.

    Returns ``(result, setup)``; ``result.fit["ratio"]`` is the final loss over the
    target's mean square (the papers reach about 1e-3 of it in 51 steps).
    """
    setup = square_rectangle_setup("rectangle_to_square", normalization=normalization)
    cfg = _config(irreps="", min_model_steps=steps, max_model_steps=steps, joint_steps=0, seed=seed)
    op_search = OrderParameterSearch(setup["positions"], setup["target"], setup["target_irreps"], config=cfg)
    return op_search.run(progress=progress), setup


def reproduce_square_to_rectangle(max_steps: int = 150, seed: int = 0, progress: bool = False,
                                  normalization: str = "integral") -> tuple[OrderParameterResult, dict]:
    """Reproduction 2: square -> rectangle without symmetry breaking.

    The model is trained until the loss stops improving (at most ``max_steps``).
    ``setup["floor"]`` is the exact Curie floor (21/36 of the zero-output loss);
    ``setup["maxima"]`` the number of maxima of each corner's predicted signal.
    """
    setup = square_rectangle_setup("square_to_rectangle", normalization=normalization)
    cfg = _config(irreps="", min_model_steps=40, max_model_steps=max_steps, patience=20,
                  plateau_tol=1e-4, joint_steps=0, seed=seed)
    op_search = OrderParameterSearch(setup["positions"], setup["target"], setup["target_irreps"], config=cfg)
    result = op_search.run(progress=progress)
    setup["maxima"] = [count_signal_maxima(s, setup["lmax"], normalization) for s in result.prediction]
    return result, setup


def reproduce_fixed_breaking_input(steps: int = 60, seed: int = 0, progress: bool = False,
                                   amplitude: float = 0.1) -> tuple[OrderParameterResult, dict]:
    """Reproduction 3: square -> rectangle with a fixed ``Y_{2,2}``-type input
    (``2e m=2`` = ``amplitude`` at every corner, B1g of D4h): it fits."""
    setup = square_rectangle_setup("square_to_rectangle")
    feat = np.zeros((4, 5))
    feat[:, 4] = amplitude  # 2e m=2 (component m = i - l, i = 4)
    cfg = _config(irreps="", min_model_steps=steps, max_model_steps=steps, joint_steps=0, seed=seed)
    op_search = OrderParameterSearch(setup["positions"], setup["target"], setup["target_irreps"],
                                  features=feat, features_irreps="2e", config=cfg)
    return op_search.run(progress=progress), setup


def reproduce_learned_order_parameter(
    irreps: str = DEFAULT_IRREPS,
    *,
    l_penalty: float = 0.0,
    l1: float = 1e-4,
    model_steps: int = 80,
    joint_steps: int = 60,
    seed: int = 0,
    progress: bool = False,
    checkpoint: Optional[str] = None,
    resume: bool = False,
) -> tuple[OrderParameterResult, dict]:
    """Reproduction 4: learn a global order parameter for square -> rectangle.

    Schedule: the model alone until the loss plateaus (at most ``model_steps``),
    then ``joint_steps`` steps of model and order parameter together (Adam
    1e-2 / 2e-3, proximal L1 ``l1`` and ``l_penalty`` x l^2). Expected non-zero
    components: ``2e m=2, 3e m=-2, 4e m=2, 5e m=-2`` with the default irreps,
    ``2e m=2`` alone with an l-penalty or with ``1e+1o+2e+2o``.
    """
    setup = square_rectangle_setup("square_to_rectangle")
    problem = OrderParameterProblem.square_to_rectangle(irreps=irreps, l1=l1, l_penalty=l_penalty,
                                                        max_model_steps=model_steps, joint_steps=joint_steps, seed=seed)
    result = search(problem, progress=progress, checkpoint=checkpoint, resume=resume)
    setup["parent_group"] = result.parent_group
    return result, setup
