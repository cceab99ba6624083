"""Tensor products and Linear: curienn against e3nn 0.6.0, same process, same inputs.

Run: ``python benchmarks/tensor_product.py [--batch 20000] [--repeat 5] [--threads 2]``.

Prints a table (best-of-N wall time, forward and forward+backward, achieved GFLOP/s,
construction time) and, last, one JSON line of speed ratios ``e3nn time / curienn time``.

FLOP counting ("useful" FLOPs of the sparse contraction, the same for both libraries):
for each path ``(l1, l2, l3)`` with multiplicities ``u, v, w`` and ``nnz`` non-zero
Clebsch-Gordan entries, the forward costs ``2 * nnz * u * v`` (forming
``T[u, v, k] = Σ C x y``) plus ``2 * u * v * w * (2 l3 + 1)`` (the ``uvw`` weight
contraction); a Linear block costs ``2 * u * w * (2l+1)``.  Forward+backward counts
three times the forward (gradients for both operands of every contraction).  The
reference is the GFLOP/s of a float32 ``torch.matmul`` of two square matrices in the
same run.
"""

from __future__ import annotations

import argparse
import json
import time

import torch


def best_of(fn, repeat: int) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def tp_flops(tp, batch: int) -> float:
    from curienn.o3 import wigner_3j_sparse as _wigner_3j_sparse

    total = 0
    for ins in tp.instructions:
        (u, ir1), (v, ir2), (w, ir3) = tp.irreps_in1[ins.i_in1], tp.irreps_in2[ins.i_in2], tp.irreps_out[ins.i_out]
        nnz = _wigner_3j_sparse(ir1.l, ir2.l, ir3.l)[1].numel()
        total += 2 * nnz * u * v + 2 * u * v * w * ir3.dim
    return float(total * batch)


def linear_flops(lin, batch: int) -> float:
    return float(sum(2 * lin.irreps_in[i.i_in].mul * lin.irreps_out[i.i_out].mul * lin.irreps_out[i.i_out].ir.dim
                     for i in lin.instructions if i.i_in >= 0) * batch)


def matmul_gflops(repeat: int, n: int = 2048) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    return 2 * n**3 / best_of(lambda: a @ b, repeat) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cases", default="1,2,3,4")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(0)

    import e3nn.o3 as e3

    import curienn.nn as cn
    from curienn.o3 import Irreps

    B, N = args.batch, args.repeat
    small = "16x0e+16x1o+16x2e"
    big = "32x0e+32x0o+32x1e+32x1o+32x2e+32x2o"
    cases = {
        "1": ("FCTP shared", "tp", (small, "0e+1o+2e", small), {}),
        "2": ("FCTP per-sample", "tp", (small, "0e+1o+2e", small), {"shared_weights": False}),
        "3": ("FCTP 32x l<=2 x l<=3", "tp", (big, "0e+1o+2e+3o", big), {}),
        "4": ("Linear 64x", "linear", ("64x0e+64x1o+64x2e", "64x0e+64x1o+64x2e"), {}),
    }
    mm = matmul_gflops(N)
    rows, ratios = [], {}
    for key in args.cases.split(","):
        name, kind, irreps, kw = cases[key]
        cls_ours = cn.FullyConnectedTensorProduct if kind == "tp" else cn.Linear
        cls_theirs = e3.FullyConnectedTensorProduct if kind == "tp" else e3.Linear
        t0 = time.perf_counter()
        ours = cls_ours(*irreps, **kw)
        t_ours_first = time.perf_counter() - t0
        t_ours_build = min(_timed(lambda: cls_ours(*irreps, **kw)) for _ in range(3))
        t0 = time.perf_counter()
        theirs = cls_theirs(*irreps, **kw)
        t_theirs_build = time.perf_counter() - t0
        if theirs.weight.numel():
            with torch.no_grad():
                ours.weight.copy_(theirs.weight)
        x = Irreps(irreps[0]).randn(B, -1).requires_grad_()
        inputs = [x]
        if kind == "tp":
            inputs.append(Irreps(irreps[1]).randn(B, -1).requires_grad_())
            flops = tp_flops(ours, B)
        else:
            flops = linear_flops(ours, B)
        if not kw.get("shared_weights", True):
            inputs.append(torch.randn(B, ours.weight_numel, requires_grad=True))

        with torch.no_grad():
            a, b = ours(*inputs), theirs(*inputs)
            err = ((a - b).abs().max() / b.abs().max()).item()
        def fwd(mod):
            with torch.no_grad():
                mod(*inputs)

        def fwd_bwd(mod):
            for t in inputs + list(mod.parameters()):
                t.grad = None
            out = mod(*inputs)
            out.backward(torch.ones_like(out))

        # alternate the two libraries so that both see the same machine load
        res = {}
        for mode, fn in (("fwd", fwd), ("fwdbwd", fwd_bwd)):
            fn(ours), fn(theirs)  # warm-up
            for _ in range(N):
                for lib, mod in (("curienn", ours), ("e3nn", theirs)):
                    t = time.perf_counter()
                    fn(mod)
                    dt = time.perf_counter() - t
                    res[lib, mode] = min(res.get((lib, mode), float("inf")), dt)
        for mode in ("fwd", "fwdbwd"):
            ratios[f"case{key}_{mode}"] = round(res["e3nn", mode] / res["curienn", mode], 2)
            mult = 1 if mode == "fwd" else 3
            rows.append((f"{key} {name}", mode, res["curienn", mode] * 1e3, res["e3nn", mode] * 1e3,
                         res["e3nn", mode] / res["curienn", mode], mult * flops / res["curienn", mode] / 1e9,
                         mult * flops / res["e3nn", mode] / 1e9))
        rows.append((f"{key} {name}", "build", t_ours_build * 1e3, t_theirs_build * 1e3,
                     t_theirs_build / t_ours_build, float("nan"), float("nan")))
        print(f"case {key}: max relative difference curienn vs e3nn = {err:.2e}; construction: curienn "
              f"{t_ours_first * 1e3:.1f} ms first, {t_ours_build * 1e3:.1f} ms cached; e3nn {t_theirs_build * 1e3:.0f} ms",
              flush=True)
        ratios[f"case{key}_build"] = round(t_theirs_build / t_ours_build, 1)
        ratios[f"case{key}_fwdbwd_pct_matmul"] = round(100 * 3 * flops / res["curienn", "fwdbwd"] / 1e9 / mm, 2)

    print(f"\nbatch {B}, float32, {args.threads} threads, best of {N}; matmul reference {mm:.1f} GFLOP/s")
    print(f"{'case':28s} {'what':7s} {'curienn ms':>11s} {'e3nn ms':>10s} {'speed-up':>9s} {'GF/s ours':>10s} "
          f"{'GF/s e3nn':>10s} {'% matmul':>9s}")
    for case, what, t1, t2, r, g1, g2 in rows:
        print(f"{case:28s} {what:7s} {t1:11.2f} {t2:10.2f} {r:9.2f} {g1:10.2f} {g2:10.2f} {100 * g1 / mm:9.2f}")
    ratios["matmul_gflops"] = round(mm, 1)
    print(json.dumps(ratios))


if __name__ == "__main__":
    main()
