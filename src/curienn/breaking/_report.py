"""What a search found, in words: :func:`interpret` turns an
:class:`OrderParameterProblem` and its :class:`OrderParameterResult` into a
:class:`SearchReport`, which prints as text, renders as Markdown and writes
``report.json``, ``report.md`` and figures (:meth:`SearchReport.write`).

For a pair of structures the interpretation holds what a user of
ISODISTORT/AMPLIMODES expects and what the network found, side by side:

* ``match``: the supercell, rotation, origin shift, atom mapping and the
  largest displacement (:func:`curienn.symmetry.match_structures`);
* ``symmetry``: the parent's group, the child's, what the distortion keeps and
  whether breaking is required, with the irreps of the distortion -- the
  analysis ``curienn symmetry check`` prints (:func:`curienn.symmetry.analyse_pair`);
* ``target_modes``: the displacements (and the strain) in irreps of the parent's
  space group over the k-points the supercell holds, labels and origin stated
  (a molecule: its point group);
* ``order_parameter_modes``: the learned per-site order parameter, one field per
  O(3) irrep (``1e`` pseudovectors, ``2e`` quadrupoles, ...), in the same irreps;
  ``learned_symmetry``: the symmetry of the input carrying it;
* ``tilts``: for a perovskite, the Glazer symbol, M3+/R4+, the tilt angles and
  the space group of the applied pattern (:func:`tilt_analysis`);
* ``floor`` and ``fit``: the exact Curie floor, how close the model alone came
  to it, the final loss ratio, the runs (seeds) and whether the fit converged;
* ``warnings``.

A global order parameter on a finite input (the papers' square) is read in
irreps of the parent point group (``parent_group``, ``components``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from curienn import CONVENTIONS_VERSION
from curienn.io import atomic_write_text
from curienn.o3 import Irreps
from curienn.symmetry import mode_decomposition, point_group, representation_matrices

from ._interpret import geometric_meaning, parent_irreps
from ._problem import OrderParameterProblem
from ._report_text import markdown_text, summary_text
from ._result import OrderParameterResult
from ._tilts import tilt_analysis

__all__ = ["SearchReport", "interpret"]

#: learned components below this fraction of the largest are not listed as irreps
_THRESHOLD = 0.05


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer, np.bool_)):
        return x.item()
    return x


def _mode_rows(dec, field: Optional[str] = None, threshold: float = 1e-6) -> list[dict]:
    rows = [m for m in dec.modes if (field is None or m.field == field)]
    top = max([m.amplitude for m in rows] + [0.0])
    return [{"field": m.field, "type": m.field_type, "label": m.label, "star": m.star, "dimension": m.dimension,
             "amplitude": m.amplitude, "amplitude_parent_cell": m.amplitude_parent_cell}
            for m in sorted(rows, key=lambda m: -m.amplitude) if m.amplitude > max(threshold, 1e-12 * top)]


def _match_dict(match) -> dict:
    angle = float(np.degrees(np.arccos(np.clip((np.trace(match.rotation) - 1) / 2, -1, 1))))
    return {"supercell": None if match.supercell is None else match.supercell.tolist(), "n_cells": match.n_cells,
            "rotation_deg": angle, "origin_shift": match.origin_shift.tolist(),
            "max_displacement": match.max_displacement, "rms_displacement": match.rms_displacement,
            "allowed": match.tolerance, "mapping": [[int(a), int(j), t.tolist()] for a, (j, t) in
                                                    enumerate(zip(match.parent_index, match.translations))]}


def _symmetry_dict(a) -> dict:
    c = a.curie
    return {"parent": c.input_symmetry.name, "child": c.target_symmetry.name, "kept": a.kept_name,
            "required": a.required, "displacements_break": a.displacements_break, "lost": len(c.lost),
            "of": len(a.rotations), "irreps": a.irreps(),
            "breaking": [] if c.breaking is None else c.breaking.labels()}


def _learned_fields(result: OrderParameterResult) -> dict:
    fields, off = {}, 0
    for mul, ir in Irreps(result.irreps):
        d = mul * ir.dim
        name = str(ir) if mul == 1 else f"{mul}x{ir}"
        block = result.site_values[:, off:off + d]
        if np.abs(block).max(initial=0.0) > 0:
            fields[name] = (block, name)
        off += d
    return fields


def _learned(problem: OrderParameterProblem, result: OrderParameterResult, out: dict) -> None:
    fields = _learned_fields(result)
    if not fields:
        return
    dec = mode_decomposition(problem.match, fields=fields, include_displacements=False, frame="parent",
                             origin=problem.origin, symprec=problem.analysis.tol)
    top = max(m.amplitude for m in dec.modes)
    out["order_parameter_modes"] = {"group": dec.space_group, "origin": dec.origin,
                                    "modes": _mode_rows(dec, threshold=_THRESHOLD * top)}
    v, irreps = result.site_values, result.irreps
    sites = problem.analysis.sites  # the parent's group on the problem's sites (tiled if needed)
    kept = sites.kept(v, representation_matrices(irreps, sites.rotations), 1e-4 * float(np.abs(v).max()))
    out["learned_symmetry"] = sites.name_of(kept)


def interpret(problem: OrderParameterProblem, result: OrderParameterResult, *, seconds: Optional[float] = None,
              settings: Optional[dict] = None) -> "SearchReport":
    """Interpret ``result`` (see the module docstring); ``seconds`` (default the
    search's) and ``settings`` (e.g. the command line, recorded as ``"args"``)
    go into the report."""
    out: dict = {"warnings": list(problem.warnings)}
    if not problem.periodic and result.layout.names == ["global"] and result.values.size:
        group = result.parent_group
        if group is None:
            group = point_group(problem.positions, problem.species, tol=1e-4)
        out["parent_group"] = group.name
        out["components"] = parent_irreps(result.values[0], result.irreps, group)
    else:
        out["components"] = [{**c, "meaning": geometric_meaning(c["irrep"])} for c in result.components()]
    a = problem.analysis
    if a is not None:
        out["match"] = _match_dict(problem.match)
        out["symmetry"] = _symmetry_dict(a)
        out["target_modes"] = {"group": a.modes.space_group, "origin": a.modes.origin,
                               "modes": _mode_rows(a.modes, "displacement"),
                               "strain": None if a.modes.strain is None else a.modes.strain.to_dict()}
        _learned(problem, result, out)
        tilts = tilt_analysis(problem, result)
        if tilts is not None:
            out["tilts"] = tilts
        if problem.periodic:
            out["input_space_group"] = a.curie.input_symmetry.name
            out["target_space_group"] = a.curie.target_symmetry.name
    out["floor"] = _floor(problem, result)
    out["fit"] = _fit(result, out["warnings"])
    if a is not None and a.displacements_break and not result.components():
        out["warnings"].append("the target needs a symmetry-breaking order parameter, but the search learned none "
                               "(see the fit and the warnings above)")
    return SearchReport(problem, result, out, result.seconds if seconds is None else seconds, dict(settings or {}))


def _floor(problem: OrderParameterProblem, result: OrderParameterResult) -> Optional[dict]:
    fl = problem.floor
    if not fl:
        return None
    out = dict(fl)
    out.pop("stabilisers", None)
    alone = result.fit.get("model_only_loss")
    if alone is not None and fl["loss"] == result.fit["loss_kind"]:
        out["model_only_loss"] = alone
        out["model_only_over_floor"] = alone / fl["floor"] if fl["floor"] > 0 else (0.0 if alone == 0 else np.inf)
        out["reached"] = bool(alone <= 1.02 * fl["floor"] + 1e-12 * fl["zero_loss"])
    out["breaking_required"] = bool(fl["floor"] > 1e-9 * fl["zero_loss"]) if fl["zero_loss"] > 0 else False
    return out


def _fit(result: OrderParameterResult, warnings: list) -> dict:
    f, cfg = result.fit, result.config
    fit = {"ratio": f["ratio"], "converged": f.get("converged"), "threshold": cfg.good_ratio,
           "attempts": f.get("attempts", []), "seed": f.get("seed", cfg.seed), "steps": f["steps"]}
    if f.get("note"):
        fit["note"] = f["note"]
    if f["zero_loss"] > 0 and f["ratio"] > cfg.good_ratio:
        runs = len(fit["attempts"]) or 1
        warnings.append(f"the fit stayed at {f['ratio']:.2%} of the zero-output loss (above {cfg.good_ratio:.0%}) "
                        f"after {runs} run(s): the learned order parameter may be incomplete; try more --steps or "
                        "other candidate irreps")
    return fit


@dataclass
class SearchReport:
    """A search and its interpretation (:func:`interpret`; the keys of
    ``interpretation`` are listed in the module docstring)."""

    problem: OrderParameterProblem
    result: OrderParameterResult
    interpretation: dict
    seconds: float
    settings: dict = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return list(self.interpretation.get("warnings", []))

    def to_dict(self) -> dict:
        """The content of ``report.json``."""
        return _jsonable({
            "title": self.problem.title,
            "args": self.settings,
            "problem": self.problem.to_dict(),
            "result": self.result.to_dict(),
            "interpretation": self.interpretation,
            "floor": self.problem.floor,
            "seconds": self.seconds,
            "conventions": CONVENTIONS_VERSION,
        })

    def summary(self) -> str:
        """The text the command line prints."""
        return summary_text(self)

    def markdown(self) -> str:
        """The content of ``report.md``."""
        return markdown_text(self)

    def write(self, outdir: str, *, figures: Optional[Callable[["SearchReport", str], list]] = None) -> list[str]:
        """Write ``report.json`` and ``report.md`` into ``outdir`` (created if
        needed; each file atomically), then the figures drawn by
        ``figures(report, outdir)`` -- e.g. :func:`curienn.plot.breaking_figures`
        (the plotting layer sits above this one, so it is passed in). Returns the
        paths written."""
        os.makedirs(outdir, exist_ok=True)
        paths = [os.path.join(outdir, "report.json"), os.path.join(outdir, "report.md")]
        atomic_write_text(paths[0], json.dumps(self.to_dict(), indent=1))
        atomic_write_text(paths[1], self.markdown())
        if figures is not None:
            paths += list(figures(self, outdir))
        return paths
