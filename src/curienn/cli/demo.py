"""``curienn demo``: the spherical harmonics of a vector, rotated and inverted,
checked against the Wigner-D matrices."""

from __future__ import annotations

from ._args import SEED_MAX, SH_LMAX, integer


def register(sub) -> None:
    p = sub.add_parser("demo", help="show equivariance of spherical harmonics on a random vector")
    p.add_argument("--lmax", type=integer(0, SH_LMAX), default=3, help=f"largest l, 0 to {SH_LMAX} (default 3)")
    p.add_argument("--seed", type=integer(0, SEED_MAX), default=0)
    p.set_defaults(func=run)


def run(args) -> int:
    import torch

    from curienn import o3

    torch.manual_seed(args.seed)
    torch.set_default_dtype(torch.float64)
    irreps = o3.Irreps.spherical_harmonics(args.lmax)
    x = torch.randn(3)
    R = -o3.rand_matrix()  # a rotation times the inversion: an improper element of O(3)
    D = irreps.D_from_matrix(R)
    y = o3.spherical_harmonics(irreps, x, normalize=True, normalization="component")
    y_rot = o3.spherical_harmonics(irreps, x @ R.T, normalize=True, normalization="component")
    err = (y_rot - D @ y).abs().max().item()

    print(f"curienn demo: spherical harmonics {irreps} ('component' normalization)")
    print(f"x           = {_fmt(x)}")
    print(f"g           = rotation x inversion, det = {torch.linalg.det(R).item():+.0f}")
    rows = [(str(mul_ir.ir), _fmt(y[sl]), _fmt(y_rot[sl])) for mul_ir, sl in zip(irreps, irreps.slices())]
    width = max(len(r[1]) for r in rows)
    print(f"{'irrep':>6}  {'Y(x)':<{width}}  Y(g x)")
    for ir, a, b in rows:
        print(f"{ir:>6}  {a:<{width}}  {b}")
    print(f"max |Y(g x) - D(g) Y(x)| = {err:.2e}")
    ok = err < 1e-10
    print("equivariance: OK" if ok else "equivariance: FAILED")
    return 0 if ok else 1


def _fmt(t) -> str:
    return "[" + ", ".join(f"{v:+.3f}" for v in t.tolist()) + "]"
