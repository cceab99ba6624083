"""``curienn order-parameter``: find the symmetry-breaking order parameter that turns
an input structure into a target (Smidt, Geiger & Miller 2021) -- the main job.

    curienn order-parameter                      square -> rectangle (embedded default)
    curienn order-parameter --input PARENT --target CHILD [--supercell 2x2x2] [--sites Ti]

Files are anything ASE reads (CIF, extxyz, ...), with the same atoms in the same
order. Writes ``report.json``, ``report.md`` and PNG figures into ``--out``;
checkpoints there and resumes with ``--resume``.
"""

from __future__ import annotations

import json
import os
import sys
import time

DEFAULT_OUT = "order-parameter-out"


def register(sub) -> None:
    p = sub.add_parser(
        "order-parameter",
        help="learn the symmetry-breaking order parameter between two structures (the main job)",
        description=__doc__,
    )
    p.add_argument("--input", default=None, metavar="PARENT", help="input (higher-symmetry) structure file")
    p.add_argument("--target", default=None, metavar="CHILD", help="target (lower-symmetry) structure file")
    p.add_argument("--supercell", default=None, help="repeat the parent, e.g. 2x2x2, to match the child")
    p.add_argument("--sites", default=None, metavar="SYMBOL",
                   help="order parameters only on these species (e.g. Ti or Ti,O) or indices (default: all)")
    p.add_argument("--where", default=None, choices=("global", "site", "species"),
                   help="one global order parameter, one per site, or one per species "
                        "(default: global for the square, site for files)")
    p.add_argument("--irreps", default=None,
                   help="candidate order-parameter irreps (default 1e+1o+2e+2o+3e+3o+4e+4o+5e+5o; "
                        "0e+0o+1e+1o+2e+2o for periodic files)")
    p.add_argument("--lmax-penalty", type=float, default=None, metavar="W",
                   help="weight of the l-penalty W * l^2 * mean|p_l| (default 0 for the square, 1e-3 for files)")
    p.add_argument("--l1", type=float, default=1e-4, help="L1 weight on the order parameter (default 1e-4)")
    p.add_argument("--steps", type=int, default=None,
                   help="order-parameter steps after the model-only phase (default 60 square / 80 files)")
    p.add_argument("--model-steps", type=int, default=None,
                   help="at most this many model-only steps (stops earlier on a plateau; default 80 / 10)")
    p.add_argument("--encoding", default=None, choices=("projection", "vectors"),
                   help="target encoding (default: projection for finite, vectors for periodic)")
    p.add_argument("--lmax", type=int, default=5, help="lmax of the projection encoding (default 5)")
    p.add_argument("--loss", default=None, choices=("mse", "l1"), help="default: mse (finite), l1 (periodic)")
    p.add_argument("--max-radius", type=float, default=None, help="graph cutoff (default 3.0)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (default 1: the tensors are small and threads only add overhead)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default ./{DEFAULT_OUT})")
    p.add_argument("--resume", action="store_true", help="resume from OUT/checkpoint.pt")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.set_defaults(func=run)


def _read(path: str, what: str):
    from curienn.io._structures import read_structure

    if not os.path.isfile(path):
        raise FileNotFoundError(f"{what} file {path!r} does not exist")
    return read_structure(path)


def _setup_square(args) -> dict:
    from curienn.breaking._reproductions import SQUARE_MODEL, square_rectangle_setup

    s = square_rectangle_setup("square_to_rectangle", lmax=args.lmax)
    return {
        "kind": "square",
        "title": "square -> rectangle (embedded default)",
        "positions": s["positions"],
        "target": s["target"].numpy(),
        "target_irreps": s["target_irreps"],
        "species": None,
        "cell": None,
        "floor": s["floor"],
        "model": SQUARE_MODEL,
        "where": args.where or "global",
        "sites": None,
        "irreps": args.irreps or "1e+1o+2e+2o+3e+3o+4e+4o+5e+5o",
        "loss": args.loss or "mse",
        "l_penalty": 0.0 if args.lmax_penalty is None else args.lmax_penalty,
        "steps": 60 if args.steps is None else args.steps,
        "model_steps": 80 if args.model_steps is None else args.model_steps,
        "min_model_steps": 30,
        "lr_op": 2e-3,
        "alternate": False,
        "equivariant_penalty": False,
        "out_lmax": args.lmax,
    }


def _setup_files(args) -> dict:
    import numpy as np

    from curienn.breaking._model import ModelOptions
    from curienn.breaking._targets import encode_displacements, make_supercell, structure_displacements

    if args.input is None or args.target is None:
        raise ValueError("give both --input PARENT and --target CHILD (or neither, for the default square)")
    parent = make_supercell(_read(args.input, "input"), args.supercell)
    child = _read(args.target, "target")
    disp = structure_displacements(parent, child)
    periodic = bool(np.any(parent.pbc))
    encoding = args.encoding or ("vectors" if periodic else "projection")
    import torch

    target, irreps = encode_displacements(disp, encoding, args.lmax, dtype=torch.float64)
    species = parent.get_chemical_symbols()
    floor = None
    if not periodic:
        from curienn.breaking._floor import curie_floor

        floor = curie_floor(parent.positions, target.numpy(), irreps, species)
        pos = parent.positions
        diam = float(np.max(np.linalg.norm(pos[:, None] - pos[None], axis=-1))) if len(pos) > 1 else 1.0
        r = args.max_radius or 1.05 * diam
        model = ModelOptions(mul=4, hidden_lmax=min(5, args.lmax), edge_lmax=min(5, args.lmax), max_radius=r)
    else:
        from curienn.breaking._perovskite import PEROVSKITE_MODEL

        model = ModelOptions(**{**PEROVSKITE_MODEL.to_dict(), "max_radius": args.max_radius or 3.0})
    return {
        "kind": "files",
        "supercell": args.supercell,
        "title": f"{args.input} -> {args.target}",
        "parent": parent,
        "child": child,
        "displacements": disp,
        "positions": parent.positions,
        "target": target.numpy(),
        "target_irreps": irreps,
        "species": species,
        "cell": np.asarray(parent.cell[:]) if periodic else None,
        "floor": floor,
        "model": model,
        "where": args.where or "site",
        "sites": args.sites,
        "irreps": args.irreps or ("0e+0o+1e+1o+2e+2o" if periodic else "1e+1o+2e+2o+3e+3o+4e+4o+5e+5o"),
        "loss": args.loss or ("l1" if periodic else "mse"),
        "l_penalty": 1e-3 if args.lmax_penalty is None else args.lmax_penalty,
        "steps": 80 if args.steps is None else args.steps,
        "model_steps": 10 if args.model_steps is None else args.model_steps,
        "min_model_steps": 5,
        "lr_op": 5e-3 if periodic else 2e-3,
        "alternate": periodic,
        "equivariant_penalty": periodic,
        "out_lmax": args.lmax if encoding == "projection" else None,
    }


def _interpret(setup: dict, result, search) -> dict:
    """Parent irreps of the learned components, or the tilt analysis of a perovskite."""
    import numpy as np

    from curienn.breaking._interpret import geometric_meaning, parent_irreps

    out: dict = {}
    if setup["cell"] is None and result.layout.names == ["global"] and result.values.size:
        group = getattr(search, "parent_group", None)
        if group is None:
            from curienn.symmetry import point_group

            group = point_group(setup["positions"], setup["species"], tol=1e-4)
        out["parent_group"] = group.name
        out["components"] = parent_irreps(result.values[0], result.irreps, group)
    else:
        rows = []
        for c in result.components():
            rows.append({**c, "meaning": geometric_meaning(c["irrep"])})
        out["components"] = rows
    if setup["cell"] is not None and "1e" in result.irreps:
        sites = [i for i, g in enumerate(result.layout.group_of) if g >= 0]
        if len(sites) == 8:
            try:
                from curienn.breaking._perovskite import analyse_tilts

                a = analyse_tilts(result, setup["parent"], sites, target_displacements=setup["displacements"])
                out["tilts"] = {
                    "glazer": a["glazer"]["glazer"],
                    "irreps": a["glazer"]["irreps_label"],
                    "per_axis": a["glazer"]["tilts"],
                    "fourier": a["glazer"]["fourier"],
                    "omega": np.asarray(a["omega"]).tolist(),
                    "magnitude_spread": a["magnitude_spread"],
                    "irrep_norms": a["irrep_norms"],
                    "space_group_of_applied_pattern": a["space_group"],
                    "space_group_symbol": a["space_group_symbol"],
                    "b_positions": setup["parent"].positions[sites].tolist(),
                }
            except ValueError as exc:
                out["tilts_error"] = str(exc)
    if setup["cell"] is not None and result.values.size:
        from curienn.breaking._interpret import _grid_coordinates, fourier_by_irrep
        from curienn.breaking._targets import parse_supercell

        sites = [i for i, g in enumerate(result.layout.group_of) if g >= 0]
        reps = parse_supercell(setup.get("supercell") or (2, 2, 2))
        try:
            cell = np.asarray(setup["parent"].cell[:]) / np.asarray(reps)[:, None]
            grid = _grid_coordinates(setup["parent"].positions[sites], cell) % np.asarray(reps)
            out["fourier"] = {"supercell": list(reps),
                              "norms": fourier_by_irrep(result.site_values[sites], result.irreps, grid, reps)}
        except ValueError as exc:
            out["fourier_error"] = str(exc)
    if setup["cell"] is not None:
        from curienn.symmetry import space_group

        for key, at in (("input_space_group", setup["parent"]), ("target_space_group", setup["child"])):
            try:
                out[key] = space_group(at, symprec=1e-3).name
            except ValueError:
                pass
    return out


def _markdown(setup, result, interp, seconds) -> str:
    f = result.fit
    lines = [f"# Order-parameter search: {setup['title']}", ""]
    lines.append(f"- candidate irreps: `{result.irreps}`; where: {setup['where']}"
                 + (f" (sites {setup['sites']})" if setup.get("sites") else ""))
    lines.append(f"- target: `{result.target_irreps}`, loss {f['loss_kind']}")
    lines.append(f"- final loss **{f['loss']:.4e}** = {f['ratio']:.3%} of the zero-output loss {f['zero_loss']:.4e}")
    if f.get("model_only_loss") is not None:
        lines.append(f"- model alone (before the order parameter): {f['model_only_loss']:.4e}")
    if setup.get("floor"):
        fl = setup["floor"]
        lines.append(f"- Curie floor without breaking: {fl['floor']:.4e} ({fl['ratio']:.4f} of zero-output loss; group {fl['group']})")
    for k in ("parent_group", "input_space_group", "target_space_group"):
        if k in interp:
            lines.append(f"- {k.replace('_', ' ')}: {interp[k]}")
    lines.append(f"- {f['steps']} steps in {seconds:.1f} s")
    lines += ["", "## Learned components", "", "| where | component | value | parent irrep | meaning |",
              "|---|---|---|---|---|"]
    for c in interp.get("components", []):
        lines.append(f"| {c.get('name', 'global')} | `{c['component']}` | {c['value']:+.5f} | "
                     f"{c.get('parent_irrep', '')} | {c['meaning']} |")
    if "fourier" in interp:
        norms = interp["fourier"]["norms"]
        ks = sorted({k for v in norms.values() for k in v}, key="ΓXMR".find)
        lines += ["", f"## Fourier components over the {'x'.join(map(str, interp['fourier']['supercell']))} cell", "",
                  "| irrep | " + " | ".join(ks) + " |", "|---" * (len(ks) + 1) + "|"]
        for ir, v in norms.items():
            if max(v.values()) > 0:
                lines.append(f"| {ir} | " + " | ".join(f"{v.get(k, 0.0):.4f}" for k in ks) + " |")
    if "tilts" in interp:
        t = interp["tilts"]
        lines += ["", "## Octahedral tilts", "",
                  f"- Glazer symbol **{t['glazer']}**, irreps **{t['irreps']}** (B-site origin)",
                  f"- pseudovector magnitude spread over B sites: {t['magnitude_spread']:.2%}",
                  f"- the learned pattern applied to the parent: space group {t['space_group_of_applied_pattern']} "
                  f"({t['space_group_symbol']})", "",
                  "| k-point | k | F(k) (x, y, z) |", "|---|---|---|"]
        for fk in t["fourier"]:
            lines.append(f"| {fk['name']} | {tuple(fk['k'])} | " + ", ".join(f"{v:+.4f}" for v in fk["value"]) + " |")
    return "\n".join(lines) + "\n"


def _jsonable(x):
    import numpy as np

    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    return x


def run(args) -> int:
    t0 = time.perf_counter()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if (args.input is None) != (args.target is None):
        raise ValueError("give both --input PARENT and --target CHILD (or neither, for the default square)")
    if args.steps is not None and args.steps < 0:
        raise ValueError(f"--steps must be >= 0, got {args.steps}")
    if args.model_steps is not None and args.model_steps < 1:
        raise ValueError(f"--model-steps must be >= 1, got {args.model_steps}")
    setup = _setup_square(args) if args.input is None else _setup_files(args)

    from curienn.breaking._search import OrderParameterSearch, SearchConfig

    cfg = SearchConfig(
        irreps=setup["irreps"], loss=setup["loss"], l1=args.l1, l_penalty=setup["l_penalty"],
        lr_op=setup["lr_op"], min_model_steps=min(setup["min_model_steps"], setup["model_steps"]),
        max_model_steps=setup["model_steps"], joint_steps=setup["steps"], alternate=setup["alternate"],
        seed=args.seed, model=setup["model"], equivariant_penalty=setup["equivariant_penalty"],
    )
    search = OrderParameterSearch(
        setup["positions"], setup["target"], setup["target_irreps"], species=setup["species"],
        cell=setup["cell"], where=setup["where"], sites=setup["sites"], config=cfg,
    )
    os.makedirs(args.out, exist_ok=True)
    ckpt = os.path.join(args.out, "checkpoint.pt")
    if args.resume and not os.path.exists(ckpt):
        print(f"curienn order-parameter: no checkpoint at {ckpt}; starting afresh", file=sys.stderr)
    print(f"curienn order-parameter: {setup['title']}", file=sys.stderr)
    result = search.run(progress=not args.no_progress, checkpoint=ckpt, resume=args.resume)
    interp = _interpret(setup, result, search)
    seconds = time.perf_counter() - t0

    print(result.table())
    if "parent_group" in interp:
        print(f"parent group {interp['parent_group']}:")
        for c in interp["components"]:
            print(f"  {c['component']:<9} {c['value']:+.5f}  {c['parent_irrep']:<5} {c['meaning']}")
    if "fourier" in interp:
        for ir, v in interp["fourier"]["norms"].items():
            if max(v.values()) > 1e-6:
                print(f"Fourier |F(k)| of {ir}: " + ", ".join(f"{k} {x:.4f}" for k, x in v.items()))
    if "tilts" in interp:
        t = interp["tilts"]
        print(f"tilts: Glazer {t['glazer']} = {t['irreps']}; applied pattern -> space group "
              f"{t['space_group_of_applied_pattern']} ({t['space_group_symbol']})")
    if setup.get("floor"):
        fl = setup["floor"]
        print(f"Curie floor without breaking: {fl['floor']:.4e} (model alone reached "
              f"{result.fit['model_only_loss']:.4e})" if result.fit.get("model_only_loss") is not None else "")

    report = {
        "title": setup["title"],
        "args": {k: v for k, v in vars(args).items() if k != "func"},
        "result": result.to_dict(),
        "interpretation": interp,
        "floor": setup.get("floor"),
        "seconds": seconds,
    }
    from curienn import CONVENTIONS_VERSION

    report["conventions"] = CONVENTIONS_VERSION
    from curienn.io import atomic_write_text

    atomic_write_text(os.path.join(args.out, "report.json"), json.dumps(_jsonable(report), indent=1))
    atomic_write_text(os.path.join(args.out, "report.md"), _markdown(setup, result, interp, seconds))
    figures = []
    if not args.no_figures:
        from curienn.plot._breaking import plot_breaking_report

        tilts = None
        if "tilts" in interp:
            tilts = {"b_positions": interp["tilts"]["b_positions"], "omega": interp["tilts"]["omega"]}
        figures = plot_breaking_report(
            args.out, result, positions=setup["positions"],
            floor=(setup["floor"] or {}).get("floor"), out_lmax=setup.get("out_lmax"), tilts=tilts,
        )
    print(f"wrote {os.path.join(args.out, 'report.json')}, report.md"
          + (f" and {len(figures)} figures" if figures else "") + f" ({time.perf_counter() - t0:.1f} s)")
    return 0


