"""curienn.breaking: finding symmetry-breaking order parameters with Euclidean
neural networks (Smidt, Geiger & Miller, PRR 3, L012002 (2021)) as a tool.

* :class:`OrderParameterSearch` / :func:`find_order_parameters` -- the search:
  an equivariant network fed with fixed features plus a learnable order
  parameter (global, per site, per species, tied groups, masked components),
  the papers' schedule (model until the loss plateaus, then model and order
  parameter together), L1 and l-weighted penalties; returns an
  :class:`OrderParameterResult` (components with ``"2e m=2"`` labels, the
  fitted model, the loss history, the fit quality).
* Targets: :func:`encode_displacements` (the papers' rescaled spherical-harmonic
  projection, or plain ``1o`` vectors), :func:`structure_displacements`.
* Interpretation: :func:`parent_irreps`, :func:`geometric_meaning`,
  :func:`fourier_components`, :func:`fourier_by_irrep`, :func:`glazer_from_pseudovectors`,
  :func:`analyse_tilts`; :func:`curie_floor` (the best loss without breaking).
* Reproductions of the papers: :func:`square_rectangle_setup`,
  :func:`reproduce_rectangle_to_square`, :func:`reproduce_square_to_rectangle`,
  :func:`reproduce_fixed_breaking_input`, :func:`reproduce_learned_order_parameter`,
  :func:`reproduce_perovskite` (with :func:`perovskite_setup`, :func:`rotate_octahedra`).
"""

from ._layout import OrderParameterLayout, make_layout
from ._model import ModelOptions, build_model, hidden_irreps, model_kwargs
from ._search import (
    DEFAULT_IRREPS,
    OrderParameterResult,
    OrderParameterSearch,
    ProxAdam,
    SearchConfig,
    find_order_parameters,
)
from ._targets import (
    ENCODINGS,
    encode_displacements,
    make_supercell,
    parse_supercell,
    structure_displacements,
)
from ._interpret import (
    GEOMETRIC_MEANING,
    fourier_by_irrep,
    fourier_components,
    geometric_meaning,
    glazer_from_pseudovectors,
    kpoint_name,
    parent_irreps,
)
from ._floor import curie_floor
from ._reproductions import (
    RECTANGLE,
    SQUARE,
    count_signal_maxima,
    reproduce_fixed_breaking_input,
    reproduce_learned_order_parameter,
    reproduce_rectangle_to_square,
    reproduce_square_to_rectangle,
    square_rectangle_setup,
)
from ._perovskite import (
    analyse_tilts,
    perovskite_setup,
    pseudovectors_of,
    reproduce_perovskite,
    rotate_octahedra,
)

__all__ = [
    "OrderParameterLayout",
    "make_layout",
    "ModelOptions",
    "build_model",
    "hidden_irreps",
    "model_kwargs",
    "DEFAULT_IRREPS",
    "OrderParameterResult",
    "OrderParameterSearch",
    "ProxAdam",
    "SearchConfig",
    "find_order_parameters",
    "ENCODINGS",
    "encode_displacements",
    "make_supercell",
    "parse_supercell",
    "structure_displacements",
    "GEOMETRIC_MEANING",
    "fourier_by_irrep",
    "fourier_components",
    "geometric_meaning",
    "glazer_from_pseudovectors",
    "kpoint_name",
    "parent_irreps",
    "curie_floor",
    "SQUARE",
    "RECTANGLE",
    "square_rectangle_setup",
    "count_signal_maxima",
    "reproduce_rectangle_to_square",
    "reproduce_square_to_rectangle",
    "reproduce_fixed_breaking_input",
    "reproduce_learned_order_parameter",
    "perovskite_setup",
    "rotate_octahedra",
    "pseudovectors_of",
    "analyse_tilts",
    "reproduce_perovskite",
]
