"""Text and Markdown of a :class:`~curienn.breaking.SearchReport`."""

from __future__ import annotations

__all__ = ["summary_text", "markdown_text"]


def _vec(v) -> str:
    return "(" + ", ".join(f"{x:+.4f}" for x in v) + ")"


def _match_line(m: dict) -> str:
    cell = "" if m["supercell"] is None else f"supercell {m['supercell']} of the parent ({m['n_cells']} cells), "
    return (f"match: {cell}rotated {m['rotation_deg']:.2f} deg, origin shift {_vec(m['origin_shift'])} A; largest "
            f"displacement {m['max_displacement']:.4f} A (allowed {m['allowed']:.3f} A), rms "
            f"{m['rms_displacement']:.4f} A")


def _symmetry_line(s: dict) -> str:
    need = (f"breaking required: yes ({s['lost']} of {s['of']} operations lost)" if s["required"]
            else "breaking required: no (the child keeps every symmetry of the parent)")
    line = f"symmetry: parent {s['parent']} -> child {s['child']}, kept {s['kept']}; {need}"
    if s["required"] and not s["displacements_break"]:
        line += "; the displacements alone break nothing: the strain does"
    if s["irreps"]:
        line += "; irreps " + ", ".join(s["irreps"])
    return line


def _modes_lines(title: str, d: dict, amplitudes: bool = True) -> list[str]:
    lines = [f"{title} ({d['group']}, {d['origin']}):"]
    if not d["modes"]:
        lines.append("  (none)")
    for r in d["modes"]:
        extra = f" {r['amplitude_parent_cell']:.5f}" if amplitudes else ""
        field = "" if r["field"] == "displacement" else f"{r['field']:<4} "
        lines.append(f"  {field}{r['label']:<12} {r['amplitude']:.5f}{extra}")
    return lines


def _strain_line(strain: dict) -> str:
    parts = [f"{c['o3']} {c['cdml'] or c['label']} {c['amplitude']:.4g}" for c in strain["components"]
             if c["amplitude"] > 1e-9]
    return "strain in irreps of " + strain["point_group"] + ": " + (", ".join(parts) if parts else "none")


def _floor_line(fl: dict) -> str:
    if fl["zero_loss"] == 0:
        return "Curie floor: the target is zero"
    line = (f"Curie floor without breaking: {fl['floor']:.4e} = {fl['ratio']:.2%} of the zero-output loss "
            f"({fl['loss']}, group {fl['group']})")
    if "model_only_loss" in fl:
        ratio = fl["model_only_over_floor"]
        line += (f"; the model alone reached {fl['model_only_loss']:.4e} = {ratio:.3f} x the floor "
                 f"({'reached' if fl['reached'] else 'NOT reached'})")
    return line


def _fit_line(res, fit: dict) -> str:
    f = res.fit
    if fit.get("note"):
        return f"fit: {fit['note']}"
    runs = fit["attempts"]
    seeds = ", ".join(f"seed {a['seed']}: {a['ratio']:.3%}" for a in runs) if len(runs) > 1 else ""
    return (f"fit: loss {f['loss']:.4e} = {f['ratio']:.4%} of the zero-output loss {f['zero_loss']:.4e} (seed "
            f"{fit['seed']}, {fit['steps']} steps; {'converged' if fit['converged'] else 'NOT converged'}, "
            f"threshold {fit['threshold']:.0%})" + (f"; runs: {seeds}" if seeds else ""))


def _tilt_line(t: dict) -> str:
    angles = ", ".join(f"{x['axis']} {x['angle_deg']:.2f} deg {x['kind']}" for x in t["tilts"] if x["kind"] != "none")
    return (f"tilts: Glazer {t['glazer']} = {t['irreps']} ({t['b_species']} at the origin; about x, y, z: "
            f"{t['glazer_axes']}, {angles or 'none'}); "
            f"applied pattern -> space group {t['space_group_of_applied_pattern']} ({t['space_group_symbol']}) "
            f"at symprec {t['symprec']:g}")


def summary_text(report) -> str:
    """The text ``curienn order-parameter`` prints."""
    interp, res = report.interpretation, report.result
    lines = [res.table(fit=False)]
    if "parent_group" in interp:
        lines.append(f"parent group {interp['parent_group']}:")
        for c in interp["components"]:
            lines.append(f"  {c['component']:<9} {c['value']:+.5f}  {c['parent_irrep']:<5} {c['meaning']}")
    if "match" in interp:
        lines.append(_match_line(interp["match"]))
        lines.append(_symmetry_line(interp["symmetry"]))
        lines += _modes_lines("target displacements in irreps, A_s and A_p (A)", interp["target_modes"])
        if interp["target_modes"]["strain"] is not None:
            lines.append(_strain_line(interp["target_modes"]["strain"]))
    if "order_parameter_modes" in interp:
        lines += _modes_lines("learned order parameter in irreps, amplitude per O(3) field",
                              interp["order_parameter_modes"], amplitudes=False)
    if "learned_symmetry" in interp:
        lines.append(f"symmetry of the input with the learned order parameter: {interp['learned_symmetry']}")
    if "tilts" in interp:
        lines.append(_tilt_line(interp["tilts"]))
    lines.append(_fit_line(res, interp["fit"]))
    if interp.get("floor"):
        lines.append(_floor_line(interp["floor"]))
    lines += [f"warning: {w}" for w in interp.get("warnings", [])]
    return "\n".join(lines)


def markdown_text(report) -> str:
    """The content of ``report.md``."""
    pr, res, interp, f = report.problem, report.result, report.interpretation, report.result.fit
    lines = [f"# Order-parameter search: {pr.title}", ""]
    lines.append(f"- candidate irreps: `{res.irreps}`; where: {pr.where}" + (f" (sites {pr.sites})" if pr.sites else ""))
    lines.append(f"- target: `{res.target_irreps}`, loss {f['loss_kind']}")
    lines.append("- " + _fit_line(res, interp["fit"]))
    if interp.get("floor"):
        lines.append("- " + _floor_line(interp["floor"]))
    for k in ("parent_group", "input_space_group", "target_space_group", "learned_symmetry"):
        if k in interp:
            lines.append(f"- {k.replace('_', ' ')}: {interp[k]}")
    lines.append(f"- {f['steps']} steps in {report.seconds:.1f} s")
    lines += [f"- **warning**: {w}" for w in interp.get("warnings", [])]
    if "match" in interp:
        lines += ["", "## Parent and child", "", "- " + _match_line(interp["match"]),
                  "- " + _symmetry_line(interp["symmetry"])]
        if interp["target_modes"]["strain"] is not None:
            lines.append("- " + _strain_line(interp["target_modes"]["strain"]))
        tm = interp["target_modes"]
        lines += ["", f"## Target displacements in irreps of {tm['group']} ({tm['origin']})", "",
                  "| irrep | k star | dim | A_s (A) | A_p (A) |", "|---|---|---|---|---|"]
        lines += [f"| {r['label']} | {r['star']} | {r['dimension']} | {r['amplitude']:.5f} | "
                  f"{r['amplitude_parent_cell']:.5f} |" for r in tm["modes"]]
    if "order_parameter_modes" in interp:
        om = interp["order_parameter_modes"]
        lines += ["", f"## Learned order parameter in irreps of {om['group']} ({om['origin']})", "",
                  "| O(3) field | irrep | k star | amplitude |", "|---|---|---|---|"]
        lines += [f"| `{r['field']}` | {r['label']} | {r['star']} | {r['amplitude']:.5f} |" for r in om["modes"]]
    lines += ["", "## Learned components", "", "| where | component | value | parent irrep | meaning |",
              "|---|---|---|---|---|"]
    for c in interp.get("components", []):
        lines.append(f"| {c.get('name', 'global')} | `{c['component']}` | {c['value']:+.5f} | "
                     f"{c.get('parent_irrep', '')} | {c['meaning']} |")
    if "tilts" in interp:
        t = interp["tilts"]
        lines += ["", "## Octahedral tilts", "", "- " + _tilt_line(t), "",
                  "| axis | in-phase (M3+) deg | anti-phase (R4+) deg |", "|---|---|---|"]
        lines += [f"| {x['axis']} | {x['in_phase_deg']:.3f} | {x['anti_phase_deg']:.3f} |" for x in t["tilts"]]
    return "\n".join(lines) + "\n"
