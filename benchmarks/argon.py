"""Benchmark: Ma & Chan's unitary-equivariant network on 4-atom LJ argon.

Trains the recipe of ``docs/argon.md`` (``curienn.dynamics.TrainConfig()``'s
defaults) on the paper's dataset (100k configurations, 60/20/20, seeded) for
``--minutes`` of wall time, recording the test force RMSE (eV/Å) against wall
time, steps and samples at every validation; then runs the paper's MD (10
samples, 10 K, 1 fs, velocity Verlet, ``--md-steps``) against analytic LJ.

``--evaluate CHECKPOINT`` takes the main run from a saved ``curienn argon
train`` / ``--checkpoint`` file instead of training it: its best weights give the
test RMSE and the MD, and its curve is the validation RMSE recorded in the
checkpoint's history (the validation split, not the test split) against wall
time and steps; the dataset (``--configs``/``--seed``) must be the one it was
trained on.

``--compare-minutes M`` also trains, for ``M`` minutes each and on the same
split: the recipe, plain Adam (the former default: batch 256, learning rate
3e-3 -> 3e-5 exponentially, no warm-up), and curienn's E(3)-equivariant
point-convolution ``Network`` with forces as ``1o`` node outputs and as
``-dE/dr`` of a learned energy. With the recipe at two budgets the error's
exponent in wall time is measured, and the time to the paper's 0.00118 eV/Å
extrapolated from it.

Writes ``argon.json`` (everything, with the machine's load averages) and
``argon_curves.png`` (+ MD figures) into ``--out``; prints a table and a last
line of JSON. Examples::

    python benchmarks/argon.py --minutes 5 --md-steps 1000           # a short run
    python benchmarks/argon.py --minutes 60 --compare-minutes 10      # the issue #13 run
    python benchmarks/argon.py --minutes 60 --device cuda             # on a GPU
    python benchmarks/argon.py --evaluate model60.pt --compare-minutes 5 --out benchmarks/results/argon
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time

import torch

PAPER_TEST_RMSE = 0.00118
_PAIRS = torch.tensor([(i, j) for i in range(4) for j in range(4) if i != j])  # 12 ordered pairs


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _graph(pos: torch.Tensor) -> dict:
    """A batch of 4-atom configurations ``(B, 4, 3)`` as one fully connected graph dict."""
    b = pos.shape[0]
    pairs = _PAIRS.to(pos.device)
    base = (4 * torch.arange(b, device=pos.device)).repeat_interleave(len(pairs))
    src = base + pairs[:, 0].repeat(b)
    dst = base + pairs[:, 1].repeat(b)
    flat = pos.reshape(-1, 3)
    return {"pos": flat, "batch": torch.arange(b, device=pos.device).repeat_interleave(4), "edge_src": src,
            "edge_dst": dst, "edge_vec": flat[src] - flat[dst]}


def _network_forces(net, kind: str, pos: torch.Tensor, create_graph: bool) -> torch.Tensor:
    """Forces ``(B, 4, 3)`` in scaled units: ``1o`` outputs, or ``-dE/dpos``."""
    if kind == "1o":
        return net(_graph(pos)).reshape(pos.shape)
    pos = pos.detach().requires_grad_(True)
    energy = net(_graph(pos)).sum()
    (grad,) = torch.autograd.grad(energy, pos, create_graph=create_graph)
    return -grad


def _network_rmse(net, kind, pos, forces, y_scale, chunk=2000) -> float:
    sq, n = 0.0, 0
    for s in range(0, len(pos), chunk):
        f = _network_forces(net, kind, pos[s:s + chunk], create_graph=False).detach() * y_scale
        sq += float((f.double() - forces[s:s + chunk].double()).square().sum())
        n += f.numel()
    return math.sqrt(sq / n)


def train_network(data, kind: str, minutes: float, seed: int = 0, batch_size: int = 64, device: str = "cpu",
                  curve_every_s: float = 30.0, curve_subset: int = 2000) -> dict:
    """Issue #7's comparison model: curienn's E(3)-equivariant point-convolution ``Network``
    on the same split, forces as ``1o`` outputs (``kind="1o"``) or as ``-dE/dr`` of a
    learned energy (``kind="energy"``).

    Fully connected 4-atom graphs (all 12 ordered pairs, cut off smoothly at 20 Å),
    hidden ``8x0e+8x0o+4x1e+4x1o``, edge SH ``lmax = 2``, 2 gated layers, 10
    Gaussians, radial MLP [32]; Adam 3e-3 -> 3e-5 over ``minutes`` of wall time,
    batches of ``batch_size``, MSE on forces scaled by the dataset's force scale.
    The curve uses the first ``curve_subset`` test configurations every
    ``curve_every_s`` seconds (the -dE/dr forces are costly to evaluate); the final
    number uses the whole test split.
    """
    from curienn.models import Network

    ys = data.y_scale
    train_pos = data.positions[data.train].float().to(device)
    train_f = (data.forces[data.train] / ys).float().to(device)
    test_pos, test_f = data.positions[data.test].float().to(device), data.forces[data.test].to(device)
    torch.manual_seed(seed)
    net = Network(irreps_in=None, irreps_hidden="8x0e+8x0o+4x1e+4x1o",
                  irreps_out="1o" if kind == "1o" else "0e", irreps_node_attr=None,
                  irreps_edge_attr="0e+1o+2e", layers=2, max_radius=20.0, number_of_basis=10,
                  radial_layers=1, radial_neurons=32, num_neighbors=3.0, num_nodes=4.0,
                  reduce_output=(kind == "energy")).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    gen = torch.Generator().manual_seed(seed)
    budget, steps, curve, last = 60.0 * minutes, 0, [], -math.inf
    t0 = time.perf_counter()
    while True:
        el = time.perf_counter() - t0
        if el - last >= curve_every_s or el >= budget:
            curve.append((steps, round(el, 1),
                          _network_rmse(net, kind, test_pos[:curve_subset], test_f[:curve_subset], ys)))
            last = el
        if el >= budget:
            break
        for g in opt.param_groups:
            g["lr"] = 3e-3 * 1e-2 ** (el / budget)
        idx = torch.randint(len(train_pos), (batch_size,), generator=gen).to(device)
        loss = (_network_forces(net, kind, train_pos[idx], create_graph=True) - train_f[idx]).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
    seconds = time.perf_counter() - t0
    return dict(test_rmse=_network_rmse(net, kind, test_pos, test_f, ys), train_seconds=round(seconds, 1),
                steps=steps, samples=steps * batch_size, params=sum(p.numel() for p in net.parameters()),
                curve=curve, curve_note=f"curve on the first {curve_subset} test configurations")


def train_unitary(data, cfg, label: str, quiet: bool, checkpoint=None) -> tuple[dict, object]:
    """Train the unitary network with ``cfg``; the test RMSE at every validation."""
    from curienn.dynamics import force_rmse, train_argon

    test_pos, test_f = data.positions[data.test], data.forces[data.test]
    curve = []

    def record(rec, model):
        model.eval()
        curve.append((rec["step"], round(rec["seconds"], 1), force_rmse(model, test_pos, test_f),
                      rec["samples"], rec["val_rmse"], rec["batch_size"], rec["lr"]))
        model.train()

    load0 = _load()
    res = train_argon(data, cfg, progress=not quiet, callback=record, checkpoint=checkpoint, overwrite=True)
    out = dict(label=label, test_rmse=force_rmse(res.model, test_pos, test_f),
               best_val_rmse=min(h["val_rmse"] for h in res.history), steps=res.steps,
               samples=res.history[-1]["samples"], train_seconds=round(res.seconds, 1),
               stopped_early=res.stopped_early, params=sum(p.numel() for p in res.model.parameters()),
               load_before=load0, load_after=_load(),
               curve=[c[:3] for c in curve],
               curve_columns="step, seconds, test_rmse (+ samples, val_rmse, batch, lr in curve_full)",
               curve_full=curve)
    out["curve_exponent"] = curve_exponent(out["curve"])
    return out, res.model


def evaluate_checkpoint(data, path: str) -> tuple[dict, object]:
    """The main run's record from a saved argon training checkpoint: test RMSE of its
    best weights and its validation curve ``(step, seconds, val_rmse)`` from its history."""
    from curienn.dynamics import force_rmse, load_checkpoint, load_model

    ck = load_checkpoint(path)
    if ck.get("data_fingerprint") not in (None, data.fingerprint()):
        raise SystemExit(f"{path} was trained on another dataset ({ck.get('data_meta')}); "
                         f"use its --configs/--seed")
    model = load_model(path)
    hist = ck["history"]
    curve = [(h["step"], round(h["seconds"], 1), h["val_rmse"]) for h in hist]
    out = dict(label=f"recipe, {ck['seconds'] / 60:.0f} min (validation RMSE from {os.path.basename(path)})",
               test_rmse=force_rmse(model, data.positions[data.test], data.forces[data.test]),
               best_val_rmse=min(h["val_rmse"] for h in hist), steps=int(ck["step"]),
               samples=int(ck["samples"]), train_seconds=round(float(ck["seconds"]), 1),
               stopped_early=bool(ck.get("stopped_early")), params=sum(p.numel() for p in model.parameters()),
               checkpoint=path, config=ck["config"], curve=curve,
               curve_columns="step, seconds, val_rmse (the validation split, recorded during training)",
               curve_exponent=curve_exponent(curve))
    return out, model


def curve_exponent(curve, start: float = 0.1) -> dict:
    """Least-squares ``alpha`` of ``rmse ~ t^-alpha`` over the points of ``curve``
    (``(step, seconds, rmse)``) after the first ``start`` of its wall time, and the
    minutes to the paper's RMSE at that rate from the curve's best point; ``None``
    without two points at distinct times."""
    t_end = curve[-1][1]
    pts = [(math.log(t), math.log(r)) for _, t, r in curve if t >= start * t_end and t > 0 and r > 0]
    if len({x for x, _ in pts}) < 2:
        return None
    mx, my = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
    alpha = -sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
    best = min(r for _, _, r in curve)
    return dict(alpha=alpha, from_seconds=round(start * t_end, 1), points=len(pts),
                minutes_to_paper=t_end * (best / PAPER_TEST_RMSE) ** (1 / alpha) / 60 if alpha > 0 else None,
                note="fit within one run (its schedule shapes it); the budget exponent compares runs")


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=5.0, help="the recipe's wall-time budget (default 5)")
    p.add_argument("--compare-minutes", type=float, default=0.0,
                   help="also train recipe / plain Adam / Network 1o / Network -dE/dr this long each")
    p.add_argument("--configs", type=int, default=100_000, help="dataset size (default 100000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--md-steps", type=int, default=5000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--compile", action="store_true", help="torch.compile the training step")
    p.add_argument("--eval-every", type=int, default=None, help="validation interval (default: the recipe's)")
    p.add_argument("--out", default=os.path.join("benchmarks", "results"), help="folder for JSON and figures")
    p.add_argument("--checkpoint", default=None, help="also save the main run's checkpoint here (replaced)")
    p.add_argument("--evaluate", default=None, metavar="CHECKPOINT",
                   help="take the main run from this saved checkpoint instead of training it")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    from curienn.dynamics import TrainConfig, evaluate_argon, make_argon_dataset, resolve_device
    from curienn.plot import plot_md_report, plot_rmse_curves

    resolve_device(args.device)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.perf_counter()
    data = make_argon_dataset(args.configs, seed=args.seed)
    extra = dict(seed=args.seed, device=args.device, compile=args.compile)
    if args.eval_every:
        extra["eval_every"] = args.eval_every
    summary = dict(machine=dict(cpu_count=os.cpu_count(), threads=args.threads, torch=torch.__version__,
                                python=platform.python_version(), device=args.device, load_start=_load()),
                   paper_test_rmse=PAPER_TEST_RMSE, configs=args.configs)

    runs = {}
    if args.evaluate:
        main_run, model = evaluate_checkpoint(data, args.evaluate)
        summary["recipe_config"] = main_run.pop("config")
    else:
        main_run, model = train_unitary(data, TrainConfig(max_seconds=60 * args.minutes, **extra),
                                        f"recipe, {args.minutes:g} min", args.quiet, args.checkpoint)
        summary["recipe_config"] = TrainConfig(max_seconds=60 * args.minutes, **extra).__dict__
    runs["recipe"] = main_run
    md, ref, pred = evaluate_argon(model, data, args.md_steps, progress=not args.quiet)
    summary["md"] = md
    if ref is not None:
        figs = plot_md_report(args.out, ref, pred)
        for name in figs:  # keep the benchmark's figures apart from a report's
            os.replace(os.path.join(args.out, name), os.path.join(args.out, f"argon_md_{name}"))
        summary["md_figures"] = [f"argon_md_{name}" for name in figs]

    if args.compare_minutes > 0:
        m = args.compare_minutes
        runs["recipe_short"], _ = train_unitary(data, TrainConfig(max_seconds=60 * m, **extra),
                                                f"recipe, {m:g} min", args.quiet)
        adam = TrainConfig(max_seconds=60 * m, schedule="exponential", lr=3e-3, lr_final=3e-5, warmup=0.0,
                           batch_size=256, batch_size_final=None, patience=None, **extra)
        runs["adam"], _ = train_unitary(data, adam, f"plain Adam, {m:g} min", args.quiet)
        for kind in ("1o", "energy"):
            load0 = _load()
            r = train_network(data, kind, m, seed=args.seed, device=args.device)
            r.update(label=f"E(3) Network ({'1o forces' if kind == '1o' else '-dE/dr'}), {m:g} min",
                     load_before=load0, load_after=_load())
            runs[f"network_{kind}"] = r
        short, long_ = runs["recipe_short"], runs["recipe"]
        if long_["train_seconds"] > short["train_seconds"] * 1.5:
            alpha = math.log(short["test_rmse"] / long_["test_rmse"]) / math.log(
                long_["train_seconds"] / short["train_seconds"])
            summary["exponent"] = dict(
                alpha=alpha, note="test RMSE ~ t^-alpha between the recipe's two budgets (wall time)",
                minutes_to_paper=(long_["train_seconds"] * (long_["test_rmse"] / PAPER_TEST_RMSE) ** (1 / alpha) / 60
                                  if alpha > 0 else None))
    summary["runs"] = runs
    summary["machine"]["load_end"] = _load()
    summary["wall_seconds"] = round(time.perf_counter() - t0, 1)
    curves = {r["label"]: r["curve"] for r in runs.values()}
    plot_rmse_curves(curves, os.path.join(args.out, "argon_curves.png"), target=PAPER_TEST_RMSE)
    import matplotlib.pyplot as plt

    plt.close("all")

    print(f"\n{'run':<40} {'test RMSE eV/Å':>14} {'steps':>8} {'samples':>10} {'train s':>8} {'params':>7}")
    for r in runs.values():
        print(f"{r['label']:<40} {r['test_rmse']:>14.5f} {r['steps']:>8d} {r['samples']:>10d} "
              f"{r['train_seconds']:>8.0f} {r['params']:>7d}")
    print(f"{'paper (10M FIRE iterations)':<40} {PAPER_TEST_RMSE:>14.5f}")
    for key, unit in (("md_region_rmse", "eV/Å"), ("position_rmsd_1000", "Å"), ("position_rmsd_4000", "Å"),
                      ("energy_rmsd_1000", "eV"), ("energy_rmsd_4000", "eV")):
        if key in md:
            print(f"{key + ' (' + unit + ')':<40} {md[key]:>14.5g}")
    if "position_rmsd_per_sample_1000" in md:
        print(f"{'worst sample position RMSD @1000 (Å)':<40} {max(md['position_rmsd_per_sample_1000']):>14.5g}")
    if "energy_drift_per_sample" in md:
        print(f"{'worst sample energy drift (eV)':<40} {max(md['energy_drift_per_sample']):>14.5g}")
        print(f"{'reference (analytic) energy drift (eV)':<40} {md['reference_energy_drift']:>14.5g}")
    for name, e in (("budget", summary.get("exponent")), ("curve", main_run.get("curve_exponent"))):
        if e:
            print(f"{name} exponent alpha = {e['alpha']:.3f}; extrapolated minutes to {PAPER_TEST_RMSE}: "
                  f"{e['minutes_to_paper'] if e['minutes_to_paper'] is None else round(e['minutes_to_paper'])}")
    print(f"load averages: start {summary['machine']['load_start']}, end {summary['machine']['load_end']}")
    from curienn.io import atomic_write_text

    atomic_write_text(os.path.join(args.out, "argon.json"), json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"} | {
        "runs": {k: {kk: vv for kk, vv in v.items() if not kk.startswith("curve")} for k, v in runs.items()}}))
    return summary


if __name__ == "__main__":
    main()
