r"""An order-parameter problem: the input geometry, the target to reach, where the
order parameter lives and the search's settings -- and :func:`search`, which
solves it.

Build one from two structures (:meth:`OrderParameterProblem.from_structures`:
files in any format ASE reads, or ``ase.Atoms``), from the papers' square ->
rectangle task (:meth:`OrderParameterProblem.square_to_rectangle`, the main job),
or directly from arrays. The presets fill in the settings that suit each kind of
input (:data:`PRESETS`); every :class:`SearchConfig` field can be overridden by
keyword.

Two lmax are involved and set separately: ``encoding_lmax``, the degree of the
papers' spherical-harmonic projection of the displacements (the target has
irreps ``0e + 1o + ... `` up to it), and ``model_lmax``, the degree of the
network's hidden features and edge harmonics.

Example:
    >>> problem = OrderParameterProblem.square_to_rectangle(max_model_steps=3, joint_steps=2)
    >>> problem.target_irreps, problem.where, problem.config.loss
    ('1x0e+1x1o+1x2e+1x3o+1x4e+1x5o', 'global', 'mse')
    >>> round(problem.floor["ratio"], 4)  # the Curie floor: 21/36 of the zero-output loss
    0.5833
    >>> result = search(problem, progress=False)
    >>> result.fit["steps"]
    5
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

import numpy as np
import torch

from curienn.o3 import Irreps

from ._config import SearchConfig
from ._floor import curie_floor
from ._model import ModelOptions
from ._presets import RECTANGLE, SQUARE, SQUARE_MODEL, make_config, model_options
from ._result import OrderParameterResult
from ._pair_problem import pair_problem_fields
from ._search import OrderParameterSearch
from ._targets import encode_displacements

__all__ = ["OrderParameterProblem", "search"]

@dataclass
class OrderParameterProblem:
    """What to search: the input, the target, where the order parameter lives, how.

    Attributes:
        positions: ``(N, 3)`` input (parent) geometry.
        target: ``(N, D_out)`` per-point target with irreps ``target_irreps``.
        config: the search's :class:`SearchConfig` (candidate irreps, loss,
            penalties, schedule, :class:`ModelOptions`, seed).
        species: ``N`` labels or ``None``; cell, pbc: the lattice (rows) of a
            periodic input.
        where, sites, mask: where the order parameter lives (:func:`make_layout`).
        features, features_irreps: extra fixed per-point inputs.
        title: a name for reports.
        parent, child: the structures (``ase.Atoms``: the parent supercell in the
            parent's frame, atoms in the child's order; the child as given) when
            built from structures; displacements: ``(N, 3)`` child - parent in
            the parent's frame; supercell: the ``(3, 3)`` supercell of the parent.
        encoding, encoding_lmax: how the displacements became the target.
        floor: the Curie floor (:func:`curie_floor`) of the target.
        match, analysis: the :class:`~curienn.symmetry.StructureMatch` and the
            :class:`~curienn.symmetry.PairAnalysis` of a pair of structures;
            origin: where crystal irreps are labelled from; warnings: what the
            user should know before the search (e.g. an order parameter that
            cannot carry the breaking).
    """

    positions: np.ndarray
    target: np.ndarray
    target_irreps: str
    config: SearchConfig = field(default_factory=SearchConfig)
    species: Optional[list] = None
    cell: Optional[np.ndarray] = None
    pbc: Optional[np.ndarray] = None
    where: Union[str, Sequence[Sequence[int]]] = "global"
    sites: Any = None
    mask: Any = None
    features: Optional[np.ndarray] = None
    features_irreps: Optional[str] = None
    title: str = "order-parameter search"
    parent: Any = None
    child: Any = None
    displacements: Optional[np.ndarray] = None
    supercell: Optional[tuple] = None
    encoding: Optional[str] = None
    encoding_lmax: Optional[int] = None
    floor: Optional[dict] = None
    match: Any = None
    analysis: Any = None
    origin: Any = None
    warnings: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.positions = np.asarray(self.positions, dtype=np.float64)
        if self.positions.ndim != 2 or self.positions.shape[1] != 3:
            raise ValueError(f"positions must have shape (N, 3), got {self.positions.shape}")
        if isinstance(self.target, torch.Tensor):
            self.target = self.target.detach().cpu().numpy()
        self.target = np.asarray(self.target, dtype=np.float64)
        self.target_irreps = str(Irreps(self.target_irreps))
        dim = Irreps(self.target_irreps).dim
        if self.target.shape != (len(self.positions), dim):
            raise ValueError(f"target must have shape ({len(self.positions)}, {dim}) for irreps "
                             f"{self.target_irreps}, got {self.target.shape}")
        if isinstance(self.config, dict):
            self.config = SearchConfig(**self.config)
        if self.cell is not None:
            self.cell = np.asarray(self.cell, dtype=np.float64)

    @property
    def periodic(self) -> bool:
        """Whether the input is a crystal (a cell with some periodic axis)."""
        return self.cell is not None and (self.pbc is None or bool(np.any(self.pbc)))

    @property
    def out_lmax(self) -> Optional[int]:
        """The degree of the target's spherical-harmonic signals (projection encoding), else ``None``."""
        return self.encoding_lmax if self.encoding == "projection" else None

    def to_dict(self) -> dict:
        """JSON-ready description (no arrays but the sizes)."""
        return {"title": self.title, "num_points": len(self.positions), "target_irreps": self.target_irreps,
                "periodic": self.periodic, "where": self.where if isinstance(self.where, str) else
                [list(map(int, g)) for g in self.where], "sites": self.sites, "encoding": self.encoding,
                "encoding_lmax": self.encoding_lmax, "supercell": self.supercell,
                "config": self.config.to_dict()}

    @classmethod
    def square_to_rectangle(
        cls, *, encoding_lmax: int = 5, model_lmax: Optional[int] = None, max_radius: Optional[float] = None,
        encoding: str = "projection", where="global", sites=None, mask=None, model: Optional[ModelOptions] = None,
        **settings,
    ) -> "OrderParameterProblem":
        """The papers' square -> rectangle task (the main job ``curienn``): four
        corners in the plane perpendicular to y, the rectangle's displacements
        projected on spherical harmonics up to ``encoding_lmax``, one global order
        parameter; settings of ``PRESETS["square"]`` (``**settings`` override them)."""
        disp = RECTANGLE - SQUARE
        target, irreps = encode_displacements(disp, encoding, encoding_lmax, dtype=torch.float64)
        cfg = make_config("square", model_options(model or SQUARE_MODEL, model_lmax, max_radius), settings)
        return cls(SQUARE.copy(), target.numpy(), irreps, cfg, where=where, sites=sites, mask=mask,
                   title="square -> rectangle (embedded default)", displacements=disp, encoding=encoding,
                   encoding_lmax=encoding_lmax, floor=curie_floor(SQUARE, target.numpy(), irreps))

    @classmethod
    def from_structures(
        cls, parent, child, *, supercell=None, displacements=None, max_displacement: Optional[float] = None,
        max_det: int = 16, origin=None, format: Optional[str] = None, index: int = -1, encoding: Optional[str] = None,
        encoding_lmax: int = 5, model_lmax: Optional[int] = None, max_radius: Optional[float] = None,
        model: Optional[ModelOptions] = None, where="site", sites=None, mask=None, title: Optional[str] = None,
        symprec: float = 1e-3, tol: float = 1e-2, **settings,
    ) -> "OrderParameterProblem":
        """The order parameter that turns ``parent`` into ``child``
        (:mod:`curienn.breaking._pair_problem`).

        Args:
            parent, child: ``ase.Atoms`` or structure files (any format ASE reads;
                ``format`` and ``index`` as in :func:`curienn.io.read_structure`),
                both crystals or both molecules, the child in any atom order,
                orientation, origin and commensurate supercell of the parent.
            supercell: a check: the supercell the child must be (``"2x2x2"``, nine
                integers, a matrix: :func:`supercell_matrix`); default: found.
            displacements: ``(N, 3)`` child - parent when a structure matcher
                already paired the atoms: child atom ``i`` is atom ``i`` of the
                parent repeated by ``supercell`` (ASE's order).
            max_displacement: the largest displacement a mapping may have
                (default :func:`curienn.symmetry.default_max_displacement`);
                max_det: the largest number of parent cells in the child's cell.
            origin: where the crystal's irreps are labelled from (see
                :func:`curienn.symmetry.mode_decomposition`).
            symprec, tol: distance tolerances (A) of the crystal's space group
                (spglib) and of a molecule's point group.
            encoding: ``"projection"`` (default for finite inputs) or ``"vectors"``
                (default for crystals); ``encoding_lmax``: degree of the projection.
            model_lmax: degree of the network's hidden irreps and edge harmonics
                (default: ``min(5, encoding_lmax)`` for finite inputs, 2 for crystals);
                ``max_radius``: graph cutoff (default 1.05 x the diameter of a finite
                input, 3.0 for crystals); ``model``: a whole :class:`ModelOptions`.
            where, sites, mask: see :func:`make_layout` (default one order parameter
                per site); sites are numbered in the child's order.
            **settings: :class:`SearchConfig` fields over ``PRESETS["finite"]`` or
                ``PRESETS["periodic"]``.

        Raises ``ValueError`` when the pair cannot be matched (different
        compositions, no commensurate supercell, a displacement above
        ``max_displacement``, another supercell than ``supercell``).
        """
        return cls(**pair_problem_fields(
            parent, child, supercell=supercell, displacements=displacements, max_displacement=max_displacement,
            max_det=max_det, origin=origin, symprec=symprec, tol=tol, format=format, index=index, encoding=encoding,
            encoding_lmax=encoding_lmax, model_lmax=model_lmax, max_radius=max_radius, model=model, where=where,
            sites=sites, mask=mask, title=title, settings=settings))


def search(problem: OrderParameterProblem, **run_options) -> OrderParameterResult:
    """Solve ``problem``: :meth:`OrderParameterSearch.run` on it, with its keywords
    (``progress``, ``checkpoint``, ``resume``, ``checkpoint_every``, ``snapshot_every``,
    ``threads``, the stop ``callback``)."""
    return OrderParameterSearch.from_problem(problem).run(**run_options)
