"""curienn.compat.e3nn: e3nn code runs by changing one import and gives e3nn's numbers.

The same e3nn-style script (``_build`` / ``_apply``, written only against the
names of ``e3nn``) is run once with the real e3nn 0.6.0 and once with
``curienn.compat.e3nn``; the weights of the e3nn modules are copied into ours.
Then every module of the installed e3nn (walked with pkgutil, private ones included) must
import from the compat tree at the same path, with every public name of it, except the
TorchScript/code-generation names listed in ``curienn.compat.e3nn.UNSUPPORTED``.
"""

import ast
import importlib
import pkgutil
import subprocess
import sys
import types
import warnings

import pytest
import torch

import e3nn as e3nn_ref
import e3nn.io  # noqa: E402,F401  (sub-packages of the reference)
import e3nn.math  # noqa: E402,F401
import e3nn.nn  # noqa: E402,F401
import e3nn.nn.models.gate_points_2101  # noqa: E402,F401
import e3nn.o3  # noqa: E402,F401
import e3nn.util.test  # noqa: E402,F401
import e3nn.util.jit  # noqa: E402,F401

import curienn.compat.e3nn as ours_e3nn  # noqa: E402
from curienn.models import load_e3nn_network_state_dict  # noqa: E402
from curienn.nn import load_e3nn_state_dict  # noqa: E402



# ---------------------------------------------------------------- the e3nn-style script


def _build(e3nn):
    """Modules of a small e3nn program (only e3nn names are used)."""
    o3, nn = e3nn.o3, e3nn.nn
    gp = importlib.import_module(e3nn.__name__ + ".nn.models.gate_points_2101")
    mods = {
        "fctp": o3.FullyConnectedTensorProduct("2x0e+1o", "0e+1o", "3x0e+2x1o+1x2e"),
        "tp": o3.TensorProduct(
            "2x1o", "1o", "2x0e+2x1e",
            [(0, 0, 0, "uvw", True), (0, 0, 1, "uvu", True)],
            internal_weights=False, shared_weights=False,
        ),
        "linear": o3.Linear("2x0e+1o+2x2e", "3x0e+2x1o+2e"),
        "fc": nn.FullyConnectedNet([3, 8, 4], torch.nn.functional.silu),
        "bn": nn.BatchNorm("2x0e+1o"),
        "net": gp.Network(
            irreps_in=None, irreps_hidden="4x0e+2x0o+2x1o+2x1e", irreps_out="0e+1o+2e",
            irreps_node_attr=None, irreps_edge_attr=o3.Irreps.spherical_harmonics(2),
            layers=1, max_radius=2.5, number_of_basis=5, radial_layers=1, radial_neurons=8,
            num_neighbors=4.0, num_nodes=10.0, reduce_output=False,
        ),
    }
    return mods


def _apply(e3nn, mods, data):
    """Run the program; returns named output tensors."""
    o3, nn, math = e3nn.o3, e3nn.nn, e3nn.math
    out = {}
    irreps = o3.Irreps("2x0e+1o") + o3.Irreps("1x2e")
    out["irreps_dim"] = torch.tensor(float(irreps.dim + irreps.simplify().num_irreps + irreps.lmax))
    out["fctp"] = mods["fctp"](data["x2_0e_1o"], data["x0e_1o"])
    w = data["tp_w"][:, : mods["tp"].weight_numel]
    out["tp"] = mods["tp"](data["x2_1o"], data["x1o"], w)
    out["linear"] = mods["linear"](data["x_lin"])
    out["norm"] = o3.Norm("2x0e+1o+2x2e")(data["x_lin"])
    gate = nn.Gate("4x0e", [torch.nn.functional.silu], "2x0e", [torch.sigmoid], "2x1o")
    out["gate"] = gate(data["x_gate"])
    out["activation"] = nn.Activation("2x0e+0o", [torch.tanh, torch.tanh])(data["x_act"])
    out["norm_activation"] = nn.NormActivation("2x1o", torch.sigmoid)(data["x2_1o"])
    out["extract"] = torch.cat(nn.Extract("2x0e+1o", ["1o", "2x0e"], [(1,), (0,)])(data["x2_0e_1o"]), -1)
    out["fc"] = mods["fc"](data["x_fc"])
    out["bn"] = mods["bn"](data["x2_0e_1o"])
    out["sh"] = o3.spherical_harmonics("0e+1o+2e+3o", data["vec"], normalize=True, normalization="component")
    out["sh_module"] = o3.SphericalHarmonics([0, 1, 2], True, "norm")(data["vec"])
    a, b, c = data["angles"]
    out["wigner_D"] = o3.wigner_D(2, a, b, c)
    out["wigner_3j"] = o3.wigner_3j(1, 1, 2)
    R = o3.angles_to_matrix(a, b, c)
    out["D_from_matrix"] = irreps.D_from_matrix(R)
    out["xyz_to_angles"] = torch.stack(o3.xyz_to_angles(data["vec"]))
    out["soft_one_hot"] = math.soft_one_hot_linspace(data["r"], 0.0, 2.0, 6, basis="smooth_finite", cutoff=True)
    out["soft_unit_step"] = math.soft_unit_step(data["r"] - 1.0)
    out["bessel"] = math.bessel(data["r"], 5, 2.0)
    out["normalize2mom"] = math.normalize2mom(torch.tanh)(data["r"])
    to_grid = o3.ToS2Grid(3, (8, 9))
    grid = to_grid(data["x_sh3"])
    out["to_s2"] = grid
    out["from_s2"] = o3.FromS2Grid((8, 9), 3)(grid)
    out["net"] = mods["net"]({"pos": data["pos"]})
    ct = e3nn.io.CartesianTensor("ij=ji")
    out["cartesian"] = ct.from_cartesian(data["sym"])
    out["cartesian_back"] = ct.to_cartesian(out["cartesian"])
    return out


def _data():
    g = torch.Generator().manual_seed(0)

    def r(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    m = r(5, 3, 3)
    return {
        "x2_0e_1o": r(5, 5), "x0e_1o": r(5, 4), "tp_w": r(5, 64), "x2_1o": r(5, 6), "x1o": r(5, 3),
        "x_lin": r(5, 15), "x_gate": r(5, 12), "x_act": r(5, 3), "x_fc": r(5, 3),
        "vec": r(7, 3), "angles": r(3), "r": torch.linspace(0.05, 2.2, 11, dtype=torch.float64),
        "x_sh3": r(2, 16), "pos": r(10, 3), "sym": m + m.transpose(1, 2),
    }


def _copy_weights(theirs, ours):
    for key, module in theirs.items():
        if key == "net":
            load_e3nn_network_state_dict(ours[key], module.state_dict())
        else:
            load_e3nn_state_dict(ours[key], module.state_dict())


@pytest.fixture(scope="module")
def both_runs():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        torch.manual_seed(0)
        theirs = _build(e3nn_ref)
        torch.manual_seed(1)
        ours = _build(ours_e3nn)
        _copy_weights(theirs, ours)
        data = _data()
        ref = _apply(e3nn_ref, theirs, data)
        got = _apply(ours_e3nn, ours, data)
    finally:
        torch.set_default_dtype(old)
    return ref, got, ours


SCRIPT_OUTPUTS = [
    "irreps_dim", "fctp", "tp", "linear", "norm", "gate", "activation", "norm_activation",
    "extract", "fc", "bn", "sh", "sh_module", "wigner_D", "wigner_3j", "D_from_matrix",
    "xyz_to_angles", "soft_one_hot", "soft_unit_step", "bessel", "to_s2", "from_s2", "net",
]


@pytest.mark.parametrize("name", SCRIPT_OUTPUTS)
def test_script_equals_e3nn(both_runs, name):
    ref, got, _ = both_runs
    assert got[name].shape == ref[name].shape
    assert got[name].abs().max() > 0 or ref[name].abs().max() == 0
    torch.testing.assert_close(got[name], ref[name], atol=1e-10, rtol=1e-9)


def test_normalize2mom_close_to_e3nn(both_runs):
    # a Monte-Carlo estimate of the second moment: equal to a few digits
    ref, got, _ = both_runs
    torch.testing.assert_close(got["normalize2mom"], ref["normalize2mom"], atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("name", ["cartesian", "cartesian_back"])
def test_cartesian_tensor_equals_e3nn(both_runs, name):
    ref, got, _ = both_runs
    torch.testing.assert_close(got[name], ref[name], atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("formula, irreps", [("ij=ji", dict(i="1o")), ("ijk=-jik", dict(i="1o", k="1e"))])
def test_reduced_tensor_products_equal_e3nn(formula, irreps):
    ref = e3nn_ref.o3.ReducedTensorProducts(formula, **irreps)
    got = ours_e3nn.o3.ReducedTensorProducts(formula, **irreps)
    assert str(got.irreps_out) == str(ref.irreps_out)
    torch.testing.assert_close(got.change_of_basis, ref.change_of_basis.to(got.change_of_basis.dtype), atol=1e-6, rtol=0)


def test_script_objects_are_curienn(both_runs):
    _, _, ours = both_runs
    import curienn.models
    import curienn.nn

    assert isinstance(ours["net"], curienn.models.Network)
    assert isinstance(ours["fctp"], curienn.nn.FullyConnectedTensorProduct)
    assert ours_e3nn.o3.Irreps is importlib.import_module("curienn.o3").Irreps


def test_util_test_helpers():
    from curienn.compat.e3nn.util.test import assert_equivariant, assert_normalized, random_irreps

    tp = ours_e3nn.o3.FullyConnectedTensorProduct("2x0e+1o", "1o", "0e+2x1e")
    errors = assert_equivariant(tp)
    assert max(float(e) for e in errors.values()) < 1e-4
    assert isinstance(random_irreps(n=1, lmax=2, clean=True), ours_e3nn.o3.Irreps)
    assert all(ir.l <= 2 for _, ir in ours_e3nn.o3.Irreps(random_irreps(n=1, lmax=2)))
    assert_normalized(ours_e3nn.o3.Linear("4x0e+2x1o", "3x0e+1o"), n_weight=200, n_input=200, atol=0.4)


def test_float_tolerance_is_tensors_like_e3nn():
    from curienn.compat.e3nn.util.test import FLOAT_TOLERANCE

    for dtype in (torch.float32, torch.float64):
        ref = e3nn_ref.util.test.FLOAT_TOLERANCE[dtype]
        tol = FLOAT_TOLERANCE[dtype]
        assert isinstance(tol, torch.Tensor) and tol.dim() == 0 and tol.dtype == dtype
        assert torch.equal(tol, ref)
        assert torch.sqrt(tol) == torch.sqrt(ref)  # e3nn code does this


def test_float_tolerance_fixture_runs_tests_in_both_dtypes(tmp_path):
    # the e3nn test-suite pattern: a conftest imports the session-wide autouse fixture
    (tmp_path / "conftest.py").write_text("from curienn.compat.e3nn.util.test import float_tolerance  # noqa\n")
    (tmp_path / "test_port.py").write_text(
        "import torch\n"
        "def test_dtype(float_tolerance):\n"
        "    assert float_tolerance.dtype == torch.get_default_dtype()\n"
        "    assert float(torch.sqrt(float_tolerance)) > 0\n"
    )
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_assert_auto_jitable_runs_checks_shapes_and_returns_module():
    from curienn.compat.e3nn.util.test import assert_auto_jitable

    for module in [
        ours_e3nn.o3.Linear("2x0e+1o", "1o"),
        ours_e3nn.o3.Linear("2x0e+1o", "1o", f_in=3, f_out=2),  # inputs (batch, f_in, dim)
        ours_e3nn.o3.FullyConnectedTensorProduct("2x0e+1o", "1o", "1e"),  # two inputs
        ours_e3nn.nn.Gate("2x0e", [torch.tanh], "0e", [torch.sigmoid], "1o"),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no warning: e3nn test suites run with -W error
            assert assert_auto_jitable(module) is module
    # the gate-points Convolution takes six inputs (graph included): not called, returned
    gp = importlib.import_module("curienn.compat.e3nn.nn.models.gate_points_2101")
    conv = gp.Convolution("2x0e", "0e", "0e+1o", "0e+1o", 3, 1, 4, 2.0)
    assert assert_auto_jitable(conv) is conv

    class Broken(torch.nn.Module):
        irreps_in = ours_e3nn.o3.Irreps("1o")

        def forward(self, x):
            raise RuntimeError("broken module")

    with pytest.raises(RuntimeError, match="broken"):
        assert_auto_jitable(Broken())

    class NoShapeCheck(torch.nn.Module):
        irreps_in = ours_e3nn.o3.Irreps("1o")

        def forward(self, x):
            return x.sum(-1)

    with pytest.raises(AssertionError, match="accepted input 0"):
        assert_auto_jitable(NoShapeCheck())
    assert_auto_jitable(NoShapeCheck(), strict_shapes=False)


def test_assert_torch_compile_compiles_fullgraph():
    import functools

    from curienn.compat.e3nn.util.test import assert_torch_compile

    x = torch.randn(3, 5)
    before = ours_e3nn.get_optimization_defaults()
    compiled = assert_torch_compile("inductor", functools.partial(ours_e3nn.o3.Linear, "2x0e+1o", "0e+1o"), x)
    assert compiled(x).shape == (3, 4)
    assert ours_e3nn.get_optimization_defaults() == before

    class GraphBreak(torch.nn.Module):
        def forward(self, x):
            print("side effect")  # a graph break: fullgraph=True must refuse it
            return x

    with pytest.raises(Exception):
        assert_torch_compile("eager", GraphBreak, x)


def test_version_and_optimization_defaults():
    assert ours_e3nn.__version__ == e3nn_ref.__version__ == "0.6.0"
    import curienn

    assert ours_e3nn.curienn_version == curienn.__version__
    before = ours_e3nn.get_optimization_defaults()
    assert set(before) == set(e3nn_ref.get_optimization_defaults())
    try:
        ours_e3nn.set_optimization_defaults(specialized_code=False, jit_mode="script")
        got = ours_e3nn.get_optimization_defaults()
        assert got["specialized_code"] is False and got["jit_mode"] == "script"
        with pytest.raises(ValueError, match="no_such_option"):
            ours_e3nn.set_optimization_defaults(no_such_option=True)
        with pytest.raises(ValueError, match="jit_mode"):
            ours_e3nn.set_optimization_defaults(jit_mode="fast")
    finally:
        ours_e3nn.set_optimization_defaults(**before)
    assert ours_e3nn.get_optimization_defaults() == before


def test_compile_mode_and_switches_are_accepted():
    from curienn.compat.e3nn.util.jit import compile_mode, disable_e3nn_codegen, get_compile_mode

    @compile_mode("script")
    class M(torch.nn.Module):
        pass

    assert isinstance(M(), torch.nn.Module)
    assert get_compile_mode(M()) == "script"
    assert get_compile_mode(torch.nn.Linear(1, 1)) is None
    with pytest.raises(ValueError):
        compile_mode("fast")
    with pytest.raises(TypeError):
        compile_mode("trace")(lambda x: x)
    before = ours_e3nn.get_optimization_defaults()["jit_script_fx"]
    ours_e3nn.set_optimization_defaults(jit_script_fx=True)
    try:
        with disable_e3nn_codegen():
            assert ours_e3nn.get_optimization_defaults()["jit_script_fx"] is False
        assert ours_e3nn.get_optimization_defaults()["jit_script_fx"] is True
    finally:
        ours_e3nn.set_optimization_defaults(jit_script_fx=before)
    # the code-generation keywords of e3nn's modules are accepted
    ours_e3nn.o3.FullyConnectedTensorProduct("1o", "1o", "0e", compile_left_right=False, compile_right=True,
                                             _specialized_code=False, _optimize_einsums=False)
    ours_e3nn.o3.Linear("1o", "1o", _optimize_einsums=False)


def test_import_paths():
    from curienn.compat.e3nn.nn._gate import _Sortcut
    from curienn.compat.e3nn.o3 import Irreps, irrep
    from curienn.compat.e3nn.o3.irrep import Irrep, l1o
    import curienn.compat.e3nn.nn.models.gate_points_2101 as gp
    import curienn.compat.e3nn.o3.irrep as irrep_module
    import curienn.nn

    assert _Sortcut is curienn.nn.Sortcut
    assert irrep.l1o == Irreps("1o")[0][1] == l1o == Irrep("1o") == irrep_module.l2e.__class__("1o")
    assert gp.Network is importlib.import_module("curienn.models").Network
    assert ours_e3nn.nn.models.gate_points_2101 is gp


# ------------------------------------------------------------------- public surface

def _e3nn_modules():
    """Every module of the installed e3nn that imports (private ones included)."""
    names = ["e3nn"]
    for info in pkgutil.walk_packages(e3nn_ref.__path__, "e3nn."):
        try:
            importlib.import_module(info.name)
        except ImportError:  # v2103's point models need torch_scatter, v2203 MinkowskiEngine
            continue
        names.append(info.name)
    return names


E3NN_MODULES = _e3nn_modules()


def _public_names(modname):
    """Public names of an e3nn module: its ``__all__``, its sub-modules, and every name its
    source defines at top level or imports from e3nn (not incidental imports of torch,
    typing, ...)."""
    module = importlib.import_module(modname)
    names = {n if isinstance(n, str) else n.__name__ for n in getattr(module, "__all__", None) or []}
    tree = ast.parse(open(module.__file__).read())
    for node in tree.body:
        body = node.body if isinstance(node, ast.Try) else [node]
        for item in body:
            if isinstance(item, (ast.FunctionDef, ast.ClassDef)):
                names.add(item.name)
            elif isinstance(item, (ast.Assign, ast.AnnAssign)):
                targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            elif isinstance(item, ast.ImportFrom) and (item.level or (item.module or "").split(".")[0] == "e3nn"):
                names |= {a.asname or a.name for a in item.names}
    for name in dir(module):
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType) and obj.__name__.startswith(modname + "."):
            names.add(name)
    return {n for n in names if not n.startswith("_") and hasattr(module, n)}


def test_every_e3nn_module_is_walked():
    assert len(E3NN_MODULES) >= 60
    for name in ["e3nn.o3.irrep", "e3nn.math.perm", "e3nn.nn.models.gate_points_2102", "e3nn.nn.models.v2106",
                 "e3nn.o3.experimental", "e3nn.util.datatypes", "e3nn.o3._tensor_product._sub"]:
        assert name in E3NN_MODULES
    assert {"SO3Grid", "Legendre", "experimental", "irfft"} <= _public_names("e3nn.o3")


@pytest.mark.parametrize("modname", E3NN_MODULES)
def test_public_surface(modname):
    ours = importlib.import_module(modname.replace("e3nn", "curienn.compat.e3nn", 1))
    unsupported = set(ours_e3nn.UNSUPPORTED.get(modname, {}))
    theirs = _public_names(modname)
    missing = {n for n in theirs if not hasattr(ours, n)}
    assert missing <= unsupported, sorted(missing - unsupported)
    # what we say is unsupported really is an e3nn name, and really is absent
    assert unsupported <= theirs
    assert not {n for n in unsupported if hasattr(ours, n)}
    # what we claim exists, exists
    for name in getattr(ours, "__all__", []):
        assert hasattr(ours, name), name
    # e3nn's sub-modules are modules here too
    for name in theirs - unsupported:
        if isinstance(getattr(importlib.import_module(modname), name), types.ModuleType):
            assert isinstance(getattr(ours, name), types.ModuleType), name


def test_missing_modules_of_e3nn_that_need_extra_packages_exist_here():
    # e3nn's v2103 point models import torch_scatter/torch_cluster; ours need nothing
    for name in ["conv_points_in_out", "gate_points_message_passing", "gate_points_networks", "points_convolution"]:
        importlib.import_module(f"curienn.compat.e3nn.nn.models.v2103.{name}")


def test_unsupported_is_only_torchscript_and_codegen():
    for modname, names in ours_e3nn.UNSUPPORTED.items():
        assert modname in E3NN_MODULES
        for name, reason in names.items():
            assert "TorchScript" in reason or "code generation" in reason, (modname, name, reason)
    assert set(ours_e3nn.UNSUPPORTED["e3nn.util.jit"]) == {"compile", "script", "trace", "trace_module",
                                                           "get_tracing_inputs"}
    assert all(reason for reason in ours_e3nn.IGNORED_SWITCHES.values())
