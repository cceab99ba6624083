"""curienn.breaking: finding symmetry-breaking order parameters with Euclidean
neural networks (Smidt, Geiger & Miller, PRR 3, L012002 (2021)) as a tool.

The workflow -- problem, search, report -- is what the command line
(``curienn order-parameter``) and the examples use::

    from curienn import breaking, plot

    problem = breaking.OrderParameterProblem.from_structures(
        "parent.cif", "child.cif", supercell="2x2x2", sites="Ti")
    result = breaking.search(problem, checkpoint="out/checkpoint.pt", resume=True)
    report = breaking.interpret(problem, result)
    print(report.summary())
    report.write("out", figures=plot.breaking_figures)

* :class:`OrderParameterProblem` -- input geometry, target, where the order
  parameter lives and the :class:`SearchConfig` (with :class:`ModelOptions`);
  built from two structures, from the square -> rectangle preset
  (:meth:`~OrderParameterProblem.square_to_rectangle`) or from arrays.
* :func:`search` -> :class:`OrderParameterResult`: an equivariant network fed
  with fixed features plus a learnable order parameter (global, per site, per
  species, tied groups, masked components), the papers' schedule (model until
  the loss plateaus, then model and order parameter together), L1 and
  l-weighted proximal penalties, atomic checkpoints, resume, a stop callback
  (:class:`SearchInterrupted`). :class:`OrderParameterSearch` is the engine.
* :func:`interpret` -> :class:`SearchReport` (text, ``report.json``,
  ``report.md``, figures).
* Targets: :func:`encode_displacements` (the papers' rescaled spherical-harmonic
  projection, or plain ``1o`` vectors), :func:`structure_displacements`.
* Interpretation: :func:`parent_irreps`, :func:`geometric_meaning`,
  :func:`fourier_components`, :func:`fourier_by_irrep`, :func:`glazer_from_pseudovectors`,
  :func:`analyse_tilts`; :func:`curie_floor` (the best loss without breaking).
* Reproductions of the papers: :func:`square_rectangle_setup`,
  :func:`reproduce_rectangle_to_square`, :func:`reproduce_square_to_rectangle`,
  :func:`reproduce_fixed_breaking_input`, :func:`reproduce_learned_order_parameter`,
  :func:`reproduce_perovskite` (with :func:`perovskite_setup`, :func:`rotate_octahedra`);
  :func:`random_network_demo` (random networks keep their input's symmetry).
"""

from ._config import DEFAULT_IRREPS, SearchConfig
from ._model import ModelOptions, build_model, hidden_irreps, model_kwargs
from ._layout import OrderParameterLayout, make_layout
from ._result import OrderParameterResult
from ._search import OrderParameterSearch, SearchInterrupted, find_order_parameters
from ._targets import (
    ENCODINGS,
    encode_displacements,
    make_supercell,
    parse_supercell,
    structure_displacements,
    supercell_matrix,
)
from ._floor import curie_floor
from ._presets import PEROVSKITE_MODEL, PRESETS, RECTANGLE, SQUARE, SQUARE_MODEL
from ._problem import OrderParameterProblem, search
from ._interpret import (
    GEOMETRIC_MEANING,
    TiltAnalysis,
    fourier_by_irrep,
    fourier_components,
    geometric_meaning,
    glazer_from_pseudovectors,
    grid_coordinates,
    kpoint_name,
    parent_irreps,
)
from ._reproductions import (
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
from ._report import SearchReport, interpret
from ._demo import DEMO_SHAPES, CurieDemo, CurieDemoResult, random_network_demo
from ._tilts import octahedral_centre, tilt_analysis
from ._examples import (
    EXAMPLE_PAIRS,
    GLAZER_SYSTEMS,
    benzene_pair,
    cubic_perovskite,
    example_pair,
    ferroelectric_pair,
    glazer_pair,
    jahn_teller_pair,
    layered_pair,
    methane_pair,
    strain_pair,
)

__all__ = [
    # the workflow
    "OrderParameterProblem",
    "PRESETS",
    "search",
    "interpret",
    "SearchReport",
    "OrderParameterResult",
    "SearchInterrupted",
    # the engine and its settings
    "OrderParameterSearch",
    "find_order_parameters",
    "SearchConfig",
    "DEFAULT_IRREPS",
    "ModelOptions",
    "SQUARE_MODEL",
    "PEROVSKITE_MODEL",
    "build_model",
    "hidden_irreps",
    "model_kwargs",
    "OrderParameterLayout",
    "make_layout",
    # targets
    "ENCODINGS",
    "encode_displacements",
    "make_supercell",
    "parse_supercell",
    "supercell_matrix",
    "structure_displacements",
    # interpretation
    "GEOMETRIC_MEANING",
    "TiltAnalysis",
    "fourier_by_irrep",
    "fourier_components",
    "geometric_meaning",
    "glazer_from_pseudovectors",
    "grid_coordinates",
    "kpoint_name",
    "parent_irreps",
    "curie_floor",
    # reproductions
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
    "random_network_demo",
    # tilts of any cell
    "tilt_analysis",
    "octahedral_centre",
    # example pairs (generated by code)
    "EXAMPLE_PAIRS",
    "GLAZER_SYSTEMS",
    "example_pair",
    "cubic_perovskite",
    "glazer_pair",
    "ferroelectric_pair",
    "jahn_teller_pair",
    "layered_pair",
    "methane_pair",
    "benzene_pair",
    "strain_pair",
    "CurieDemo",
    "CurieDemoResult",
    "DEMO_SHAPES",
]
