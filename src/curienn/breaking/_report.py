"""What a search found, in words: :func:`interpret` turns an
:class:`OrderParameterProblem` and its :class:`OrderParameterResult` into a
:class:`SearchReport` -- the parent-group irreps of a global order parameter
(finite inputs), or per-site components with their geometric meaning, the
Fourier components over the supercell and the octahedral tilts (Glazer symbol,
M3+ ⊕ R4+) of a crystal -- which prints as text, renders as Markdown and writes
``report.json``, ``report.md`` and figures (:meth:`SearchReport.write`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from curienn import CONVENTIONS_VERSION
from curienn.io import atomic_write_text
from curienn.symmetry import point_group, space_group

from ._interpret import fourier_by_irrep, geometric_meaning, grid_coordinates, parent_irreps
from ._perovskite import analyse_tilts
from ._problem import OrderParameterProblem
from ._result import OrderParameterResult

__all__ = ["SearchReport", "interpret"]


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    return x


def _tilts(problem: OrderParameterProblem, result: OrderParameterResult, sites: list) -> dict:
    a = analyse_tilts(result, problem.parent, sites, target_displacements=problem.displacements)
    return {
        "glazer": a["glazer"]["glazer"],
        "irreps": a["glazer"]["irreps_label"],
        "per_axis": a["glazer"]["tilts"],
        "fourier": a["glazer"]["fourier"],
        "omega": np.asarray(a["omega"]).tolist(),
        "magnitude_spread": a["magnitude_spread"],
        "irrep_norms": a["irrep_norms"],
        "space_group_of_applied_pattern": a["space_group"],
        "space_group_symbol": a["space_group_symbol"],
        "b_positions": problem.parent.positions[sites].tolist(),
    }


def interpret(problem: OrderParameterProblem, result: OrderParameterResult, *, seconds: Optional[float] = None,
              settings: Optional[dict] = None) -> "SearchReport":
    """Interpret ``result`` (see the module docstring); ``seconds`` (default the
    search's) and ``settings`` (e.g. the command line, recorded as ``"args"``)
    go into the report."""
    out: dict = {}
    crystal = problem.periodic and problem.parent is not None
    if not problem.periodic and result.layout.names == ["global"] and result.values.size:
        group = result.parent_group
        if group is None:
            group = point_group(problem.positions, problem.species, tol=1e-4)
        out["parent_group"] = group.name
        out["components"] = parent_irreps(result.values[0], result.irreps, group)
    else:
        out["components"] = [{**c, "meaning": geometric_meaning(c["irrep"])} for c in result.components()]
    sites = [i for i, g in enumerate(result.layout.group_of) if g >= 0]
    if crystal and "1e" in result.irreps and len(sites) == 8:
        try:
            out["tilts"] = _tilts(problem, result, sites)
        except ValueError as exc:
            out["tilts_error"] = str(exc)
    if crystal and result.values.size:
        reps = problem.supercell or (2, 2, 2)
        try:
            cell = np.asarray(problem.parent.cell[:]) / np.asarray(reps)[:, None]
            grid = grid_coordinates(problem.parent.positions[sites], cell) % np.asarray(reps)
            out["fourier"] = {"supercell": list(reps),
                              "norms": fourier_by_irrep(result.site_values[sites], result.irreps, grid, reps)}
        except ValueError as exc:
            out["fourier_error"] = str(exc)
    if crystal:
        for key, at in (("input_space_group", problem.parent), ("target_space_group", problem.child)):
            try:
                out[key] = space_group(at, symprec=1e-3).name
            except ValueError:
                pass
    return SearchReport(problem, result, out, result.seconds if seconds is None else seconds, dict(settings or {}))


@dataclass
class SearchReport:
    """A search and its interpretation (:func:`interpret`).

    ``interpretation``: ``components`` (one dict per learned component: value,
    O(3) irrep, parent irrep or meaning), and when they apply ``parent_group``,
    ``fourier`` (norms per irrep and k-point), ``tilts`` (Glazer symbol, irreps,
    the space group of the learned pattern applied to the parent),
    ``input_space_group`` / ``target_space_group``.
    """

    problem: OrderParameterProblem
    result: OrderParameterResult
    interpretation: dict
    seconds: float
    settings: dict = field(default_factory=dict)

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
        """The text the command line prints: the components, their parent irreps,
        the Fourier norms, the tilts and the Curie floor."""
        interp, fit = self.interpretation, self.result.fit
        lines = [self.result.table()]
        if "parent_group" in interp:
            lines.append(f"parent group {interp['parent_group']}:")
            for c in interp["components"]:
                lines.append(f"  {c['component']:<9} {c['value']:+.5f}  {c['parent_irrep']:<5} {c['meaning']}")
        for ir, v in interp.get("fourier", {}).get("norms", {}).items():
            if max(v.values()) > 1e-6:
                lines.append(f"Fourier |F(k)| of {ir}: " + ", ".join(f"{k} {x:.4f}" for k, x in v.items()))
        if "tilts" in interp:
            t = interp["tilts"]
            lines.append(f"tilts: Glazer {t['glazer']} = {t['irreps']}; applied pattern -> space group "
                         f"{t['space_group_of_applied_pattern']} ({t['space_group_symbol']})")
        if self.problem.floor:
            alone = fit.get("model_only_loss")
            lines.append(f"Curie floor without breaking: {self.problem.floor['floor']:.4e}"
                         + (f" (model alone reached {alone:.4e})" if alone is not None else ""))
        return "\n".join(lines)

    def markdown(self) -> str:
        """The content of ``report.md``."""
        pr, res, interp, f = self.problem, self.result, self.interpretation, self.result.fit
        lines = [f"# Order-parameter search: {pr.title}", ""]
        lines.append(f"- candidate irreps: `{res.irreps}`; where: {pr.where}"
                     + (f" (sites {pr.sites})" if pr.sites else ""))
        lines.append(f"- target: `{res.target_irreps}`, loss {f['loss_kind']}")
        lines.append(f"- final loss **{f['loss']:.4e}** = {f['ratio']:.3%} of the zero-output loss "
                     f"{f['zero_loss']:.4e}")
        if f.get("model_only_loss") is not None:
            lines.append(f"- model alone (before the order parameter): {f['model_only_loss']:.4e}")
        if pr.floor:
            fl = pr.floor
            lines.append(f"- Curie floor without breaking: {fl['floor']:.4e} ({fl['ratio']:.4f} of zero-output "
                         f"loss; group {fl['group']})")
        for k in ("parent_group", "input_space_group", "target_space_group"):
            if k in interp:
                lines.append(f"- {k.replace('_', ' ')}: {interp[k]}")
        lines.append(f"- {f['steps']} steps in {self.seconds:.1f} s")
        lines += ["", "## Learned components", "", "| where | component | value | parent irrep | meaning |",
                  "|---|---|---|---|---|"]
        for c in interp.get("components", []):
            lines.append(f"| {c.get('name', 'global')} | `{c['component']}` | {c['value']:+.5f} | "
                         f"{c.get('parent_irrep', '')} | {c['meaning']} |")
        if "fourier" in interp:
            norms = interp["fourier"]["norms"]
            ks = sorted({k for v in norms.values() for k in v}, key="ΓXMR".find)
            cell = "x".join(map(str, interp["fourier"]["supercell"]))
            lines += ["", f"## Fourier components over the {cell} cell", "",
                      "| irrep | " + " | ".join(ks) + " |", "|---" * (len(ks) + 1) + "|"]
            for ir, v in norms.items():
                if max(v.values()) > 0:
                    lines.append(f"| {ir} | " + " | ".join(f"{v.get(k, 0.0):.4f}" for k in ks) + " |")
        if "tilts" in interp:
            t = interp["tilts"]
            lines += ["", "## Octahedral tilts", "",
                      f"- Glazer symbol **{t['glazer']}**, irreps **{t['irreps']}** (B-site origin)",
                      f"- pseudovector magnitude spread over B sites: {t['magnitude_spread']:.2%}",
                      f"- the learned pattern applied to the parent: space group "
                      f"{t['space_group_of_applied_pattern']} ({t['space_group_symbol']})", "",
                      "| k-point | k | F(k) (x, y, z) |", "|---|---|---|"]
            for fk in t["fourier"]:
                lines.append(f"| {fk['name']} | {tuple(fk['k'])} | "
                             + ", ".join(f"{v:+.4f}" for v in fk["value"]) + " |")
        return "\n".join(lines) + "\n"

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
