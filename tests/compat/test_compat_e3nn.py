"""curienn.compat.e3nn: e3nn code runs by changing one import and gives e3nn's numbers.

The same e3nn-style script (``_build`` / ``_apply``, written only against the
names of ``e3nn``) is run once with the real e3nn 0.6.0 and once with
``curienn.compat.e3nn``; the weights of the e3nn modules are copied into ours.
Then every public name of the main e3nn modules must exist in the compat tree,
except those listed in ``curienn.compat.e3nn.UNSUPPORTED``.
"""

import importlib
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


def test_assert_auto_jitable_warns_and_runs():
    from curienn.compat.e3nn.util.test import assert_auto_jitable

    lin = ours_e3nn.o3.Linear("2x0e+1o", "1o")
    with pytest.warns(UserWarning, match="TorchScript"):
        assert assert_auto_jitable(lin) is lin

    class Broken(torch.nn.Module):
        irreps_in = ours_e3nn.o3.Irreps("1o")

        def forward(self, x):
            raise RuntimeError("broken module")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="broken"):
            assert_auto_jitable(Broken())


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


def test_compile_mode_is_a_noop():
    from curienn.compat.e3nn.util.jit import compile_mode

    @compile_mode("script")
    class M(torch.nn.Module):
        pass

    assert isinstance(M(), torch.nn.Module)
    with pytest.raises(ValueError):
        compile_mode("fast")
    with pytest.raises(TypeError):
        compile_mode("trace")(lambda x: x)


def test_import_paths():
    from curienn.compat.e3nn.nn._gate import _Sortcut
    from curienn.compat.e3nn.o3 import Irreps, irrep
    import curienn.compat.e3nn.nn.models.gate_points_2101 as gp
    import curienn.nn._gate

    assert _Sortcut is curienn.nn._gate._Sortcut
    assert irrep.l1o == Irreps("1o")[0][1]
    assert gp.Network is importlib.import_module("curienn.models").Network
    assert ours_e3nn.nn.models.gate_points_2101 is gp


# ------------------------------------------------------------------- public surface

COMPARED_MODULES = [
    "e3nn", "e3nn.o3", "e3nn.nn", "e3nn.nn._gate", "e3nn.nn.models",
    "e3nn.nn.models.gate_points_2101", "e3nn.io", "e3nn.math", "e3nn.util",
    "e3nn.util.test", "e3nn.util.jit",
]
# nothing is pending any more: every name e3nn has is either provided or UNSUPPORTED
PENDING: dict = {}


def _public_names(modname):
    """Names e3nn defines in a module: its ``__all__``, its own sub-modules, objects
    defined in e3nn, and UPPER_CASE constants (not incidental imports like torch)."""
    module = importlib.import_module(modname)
    names = set(getattr(module, "__all__", None) or [])
    for name in dir(module):
        if name.startswith("__") or (name.startswith("_") and name != "_Sortcut"):
            continue
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            if obj.__name__.startswith(modname + "."):
                names.add(name)
        elif (getattr(obj, "__module__", None) or "").startswith("e3nn") or name.isupper():
            names.add(name)
    return names


@pytest.mark.parametrize("modname", COMPARED_MODULES)
def test_public_surface(modname):
    importlib.import_module(modname)
    ours = importlib.import_module(modname.replace("e3nn", "curienn.compat.e3nn", 1))
    unsupported = set(ours_e3nn.UNSUPPORTED.get(modname, {}))
    theirs = _public_names(modname)
    missing = {n for n in theirs if not hasattr(ours, n)}
    assert missing <= unsupported | PENDING.get(modname, set()), sorted(missing - unsupported)
    # what we say is unsupported really is an e3nn name, and really is absent
    assert unsupported <= set(dir(importlib.import_module(modname)))
    assert not {n for n in unsupported if hasattr(ours, n)}
    # what we claim exists, exists
    for name in getattr(ours, "__all__", []):
        assert hasattr(ours, name), name
        assert name in dir(ours), name


def test_unsupported_is_documented():
    for modname, names in ours_e3nn.UNSUPPORTED.items():
        assert modname in COMPARED_MODULES
        for name, reason in names.items():
            assert isinstance(reason, str) and reason
