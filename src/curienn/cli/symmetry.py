"""``curienn symmetry``: point groups, space groups and Curie's principle for
structure files (any format ASE reads).

    curienn symmetry show FILE            point group (finite) or space group (periodic)
    curienn symmetry check INPUT TARGET   Curie check + breaking irreps (--lmax 5)

Files are read with :func:`curienn.io.read_structure` (any ASE format).
``check`` matches TARGET onto INPUT first (any atom order, rotation, origin,
commensurate supercell: :func:`curienn.symmetry.match_structures`) and
compares them in the input's frame (:func:`curienn.symmetry.analyse_pair`,
the analysis ``curienn order-parameter`` reports); with ``--features`` the
two symmetries are compared as given (same frame and cell).
"""

from __future__ import annotations

import json

import curienn

from ._args import integer, irreps, real

#: the largest l of the breaking irreps (curienn.symmetry.breaking_irreps)
BREAKING_LMAX = 11


def register(sub) -> None:
    p = sub.add_parser("symmetry", help="point/space groups of structures and the Curie check")
    ss = p.add_subparsers(dest="symmetry_command", metavar="SUBCOMMAND")
    ss.required = True

    def common(q):
        q.add_argument("--tol", type=real(positive=True), default=1e-2,
                       help="distance tolerance for finite structures, in their units (default 0.01)")
        q.add_argument("--symprec", type=real(positive=True), default=1e-3,
                       help="spglib distance tolerance for crystals (default 0.001)")
        q.add_argument("--angle-tolerance", type=real(), default=-1.0,
                       help="spglib angle tolerance in degrees (default -1: automatic)")
        q.add_argument("--format", default=None, help="ASE format name (default: guessed from the file)")
        q.add_argument("--index", type=integer(), default=-1,
                       help="frame of a multi-frame file (negative: from the end; default: last)")
        q.add_argument("--json", action="store_true", help="print JSON instead of text")
        q.add_argument("--features", default=None, metavar="ARRAY",
                       help="per-atom array of the file (e.g. 'pseudovector' in extxyz) that "
                            "operations must also map; needs --irreps")
        q.add_argument("--irreps", type=irreps, default=None, help="irreps of --features, e.g. 1e (pseudovector)")

    show = ss.add_parser("show", help="the point group or space group of a structure file")
    show.add_argument("file")
    common(show)
    show.add_argument("--operations", action="store_true", help="list every operation")
    show.add_argument("--table", action="store_true", help="print the character table (finite structures)")
    show.set_defaults(func=run_show)

    check = ss.add_parser("check", help="can an equivariant map turn INPUT into TARGET? (Curie's principle)")
    check.add_argument("input")
    check.add_argument("target")
    check.add_argument("--lmax", type=integer(0, BREAKING_LMAX), default=5,
                       help=f"breaking irreps up to this l, 0 to {BREAKING_LMAX} (default 5)")
    check.add_argument("--max-displacement", type=real(positive=True), default=None, metavar="A",
                       help="refuse a mapping that moves an atom further (default: min(1 A, half the shortest "
                            "input bond))")
    check.add_argument("--origin", default=None, metavar="SPECIES",
                       help="label the crystal's irreps with this species' site at the origin (e.g. Ti)")
    common(check)
    check.set_defaults(func=run_check)


def _symmetry(atoms, path: str, args):
    """Point or space group of ``atoms``, decorated with ``--features`` if given."""
    if args.features is None:
        return curienn.symmetry.symmetry_of(atoms, tol=args.tol, symprec=args.symprec,
                                            angle_tolerance=args.angle_tolerance)
    if args.irreps is None:
        raise ValueError("--features needs --irreps (e.g. --irreps 1e)")
    if args.features not in atoms.arrays:
        have = sorted(k for k in atoms.arrays if k not in ("numbers", "positions"))
        raise ValueError(f"{path!r} has no per-atom array {args.features!r} (it has {have})")
    f = atoms.arrays[args.features].reshape(len(atoms), -1)
    tol = args.symprec if all(atoms.pbc) else args.tol
    return curienn.symmetry.symmetry_of_signals(atoms, f, args.irreps, tol=tol)


def run_show(args) -> int:
    atoms = curienn.io.read_structure(args.file, format=args.format, index=args.index)
    sym = _symmetry(atoms, args.file, args)
    if args.json:
        d = sym.to_dict()
        if not args.operations:
            for k in ("operations", "rotations", "translations", "operation_names"):
                d.pop(k, None)
        d["file"] = args.file
        d["formula"] = atoms.get_chemical_formula()
        print(json.dumps(d, indent=2, ensure_ascii=False))
        return 0
    print(f"{args.file}: {atoms.get_chemical_formula()} ({len(atoms)} atoms)")
    print(sym)
    if isinstance(sym, curienn.symmetry.SpaceGroup):
        pg = sym.point_group()
        print(f"point group of the crystal: {pg.name} ({sym.point_group_hm})")
    if args.operations:
        names = sym.describe()
        for k, n in enumerate(names):
            print(f"  {k:3d}  {n}")
    if args.table:
        if isinstance(sym, curienn.symmetry.SpaceGroup):
            print(curienn.symmetry.character_table(sym.point_group()))
        elif not sym.infinite:
            print(curienn.symmetry.character_table(sym))
    return 0


def run_check(args) -> int:
    a = curienn.io.read_structure(args.input, format=args.format, index=args.index)
    b = curienn.io.read_structure(args.target, format=args.format, index=args.index)
    if args.features is not None:  # decorated structures: compared as given (same frame and cell)
        rep = curienn.symmetry.curie_check(_symmetry(a, args.input, args), _symmetry(b, args.target, args),
                                           lmax=args.lmax)
    else:
        rep = curienn.symmetry.analyse_pair(a, b, lmax=args.lmax, tol=args.tol, symprec=args.symprec,
                                            max_displacement=args.max_displacement, origin=args.origin)
    if args.json:
        d = rep.to_dict()
        d["input_file"], d["target_file"] = args.input, args.target
        print(json.dumps(d, indent=2, ensure_ascii=False, default=float))
    else:
        print(f"input : {args.input} ({a.get_chemical_formula()})")
        print(f"target: {args.target} ({b.get_chemical_formula()})")
        print(rep)
    return 0
