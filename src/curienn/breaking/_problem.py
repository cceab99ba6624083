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

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Optional, Sequence, Union

import numpy as np
import torch

from curienn.io import read_structure
from curienn.o3 import Irreps

from ._config import DEFAULT_IRREPS, SearchConfig
from ._floor import curie_floor
from ._model import ModelOptions
from ._result import OrderParameterResult
from ._search import OrderParameterSearch
from ._targets import ENCODINGS, encode_displacements, make_supercell, parse_supercell, structure_displacements

__all__ = ["PRESETS", "SQUARE", "RECTANGLE", "SQUARE_MODEL", "PEROVSKITE_MODEL", "OrderParameterProblem", "search"]

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
    "finite": dict(irreps=DEFAULT_IRREPS, loss="mse", l_penalty=1e-3, max_model_steps=10, min_model_steps=5,
                   joint_steps=80, lr_op=2e-3, alternate=False, equivariant_penalty=False),
    "periodic": dict(irreps="0e+0o+1e+1o+2e+2o", loss="l1", l_penalty=1e-3, max_model_steps=10,
                     min_model_steps=5, joint_steps=80, lr_op=5e-3, alternate=True, equivariant_penalty=True),
}

_CONFIG_FIELDS = tuple(f.name for f in fields(SearchConfig))


def _config(preset: str, model: ModelOptions, settings: dict) -> SearchConfig:
    """The preset's :class:`SearchConfig` with ``settings`` (``None`` = preset) on top."""
    unknown = sorted(set(settings) - set(_CONFIG_FIELDS))
    if unknown:
        raise ValueError(f"unknown search setting(s) {unknown}; the settings are {list(_CONFIG_FIELDS)}")
    kw = {**PRESETS[preset], "model": model}
    kw.update({k: v for k, v in settings.items() if v is not None})
    if settings.get("min_model_steps") is None and isinstance(kw["max_model_steps"], int):
        kw["min_model_steps"] = min(PRESETS[preset]["min_model_steps"], kw["max_model_steps"])
    return SearchConfig(**kw)


def _model(base: ModelOptions, model_lmax: Optional[int], max_radius: Optional[float]) -> ModelOptions:
    if model_lmax is not None and (isinstance(model_lmax, bool) or int(model_lmax) != model_lmax or model_lmax < 0):
        raise ValueError(f"model_lmax must be a non-negative integer, got {model_lmax!r}")
    if max_radius is not None and not max_radius > 0:
        raise ValueError(f"max_radius must be positive, got {max_radius!r}")
    lmax = {} if model_lmax is None else {"hidden_lmax": int(model_lmax), "edge_lmax": int(model_lmax)}
    return replace(base, **lmax, **({} if max_radius is None else {"max_radius": float(max_radius)}))


def _structure(x, what: str, format: Optional[str], index: int):
    if isinstance(x, (str, os.PathLike)):
        return read_structure(x, format=format, index=index), os.fspath(x)
    if not (hasattr(x, "get_positions") and hasattr(x, "get_chemical_symbols")):
        raise ValueError(f"{what} must be a structure file or an ase.Atoms, got {type(x).__name__}")
    return x, x.get_chemical_formula()


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
        parent, child: the structures (``ase.Atoms``, the parent after
            ``supercell``) when built from structures; displacements: ``(N, 3)``
            child - parent; supercell: the repetition applied to the parent.
        encoding, encoding_lmax: how the displacements became the target.
        floor: the Curie floor (:func:`curie_floor`) of a finite input.
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
        cfg = _config("square", _model(model or SQUARE_MODEL, model_lmax, max_radius), settings)
        return cls(SQUARE.copy(), target.numpy(), irreps, cfg, where=where, sites=sites, mask=mask,
                   title="square -> rectangle (embedded default)", displacements=disp, encoding=encoding,
                   encoding_lmax=encoding_lmax, floor=curie_floor(SQUARE, target.numpy(), irreps))

    @classmethod
    def from_structures(
        cls, parent, child, *, supercell=None, displacements=None, format: Optional[str] = None, index: int = -1,
        encoding: Optional[str] = None, encoding_lmax: int = 5, model_lmax: Optional[int] = None,
        max_radius: Optional[float] = None, model: Optional[ModelOptions] = None, where="site", sites=None,
        mask=None, title: Optional[str] = None, **settings,
    ) -> "OrderParameterProblem":
        """The order parameter that turns ``parent`` into ``child``.

        Args:
            parent, child: ``ase.Atoms`` or structure files (any format ASE reads;
                ``format`` and ``index`` as in :func:`curienn.io.read_structure`)
                with the same atoms in the same order once ``supercell`` is applied
                to the parent.
            supercell: repeat the parent, e.g. ``"2x2x2"`` (:func:`parse_supercell`).
            displacements: ``(N, 3)`` child - parent, when a structure matcher
                already paired the atoms (default :func:`structure_displacements`).
            encoding: ``"projection"`` (default for finite inputs) or ``"vectors"``
                (default for crystals); ``encoding_lmax``: degree of the projection.
            model_lmax: degree of the network's hidden irreps and edge harmonics
                (default: ``min(5, encoding_lmax)`` for finite inputs, 2 for crystals);
                ``max_radius``: graph cutoff (default 1.05 x the diameter of a finite
                input, 3.0 for crystals); ``model``: a whole :class:`ModelOptions`.
            where, sites, mask: see :func:`make_layout` (default one order parameter
                per site).
            **settings: :class:`SearchConfig` fields over ``PRESETS["finite"]`` or
                ``PRESETS["periodic"]``.
        """
        parent, pname = _structure(parent, "parent", format, index)
        child, cname = _structure(child, "child", format, index)
        reps = parse_supercell(supercell)
        parent = make_supercell(parent, reps)
        if displacements is None:
            displacements = structure_displacements(parent, child)
        disp = np.asarray(displacements, dtype=np.float64)
        if disp.shape != (len(parent), 3):
            raise ValueError(f"displacements must have shape ({len(parent)}, 3), got {disp.shape}")
        periodic = bool(np.any(parent.pbc))
        encoding = encoding or ("vectors" if periodic else "projection")
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
        target, irreps = encode_displacements(disp, encoding, encoding_lmax, dtype=torch.float64)
        species = parent.get_chemical_symbols()
        pos = parent.positions
        if periodic:
            base, preset, floor = model or PEROVSKITE_MODEL, "periodic", None
        else:
            lmax = min(5, encoding_lmax)
            diam = float(np.max(np.linalg.norm(pos[:, None] - pos[None], axis=-1))) if len(pos) > 1 else 1.0
            base = model or replace(SQUARE_MODEL, hidden_lmax=lmax, edge_lmax=lmax, max_radius=1.05 * diam)
            preset, floor = "finite", curie_floor(pos, target.numpy(), irreps, species)
        cfg = _config(preset, _model(base, model_lmax, max_radius), settings)
        return cls(pos.copy(), target.numpy(), irreps, cfg, species=species,
                   cell=np.asarray(parent.cell[:]) if periodic else None,
                   pbc=np.asarray(parent.pbc, dtype=bool) if periodic else None, where=where, sites=sites,
                   mask=mask, title=title or f"{pname} -> {cname}", parent=parent, child=child,
                   displacements=disp, supercell=None if supercell is None else reps, encoding=encoding,
                   encoding_lmax=encoding_lmax, floor=floor)


def search(problem: OrderParameterProblem, **run_options) -> OrderParameterResult:
    """Solve ``problem``: :meth:`OrderParameterSearch.run` on it, with its keywords
    (``progress``, ``checkpoint``, ``resume``, ``checkpoint_every``, ``snapshot_every``,
    ``threads``, the stop ``callback``)."""
    return OrderParameterSearch.from_problem(problem).run(**run_options)
