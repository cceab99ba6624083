"""e3nn code that catches e3nn's exception types keeps working through curienn.compat.e3nn.

Every case is a bad call run once with e3nn 0.6.0 (the oracle) and once with the compat
tree: where e3nn raises, curienn must raise an exception that *is an instance of e3nn's
type* (so ``except AssertionError`` / ``IndexError`` / ``RuntimeError`` still catches it)
and a ``ValueError`` (curienn's convention, with its own message). Where e3nn accepts the
call, curienn accepts it too or rejects it with a ``ValueError`` (stricter validation of
input that e3nn would turn into a wrong answer).

Then a porting test: an e3nn-style script that draws random instruction lists and skips
the invalid ones with ``except AssertionError`` runs unchanged on both libraries and
keeps the same tensor products, with the same numbers.
"""

import importlib
import random
import warnings

import pytest
import torch

import e3nn as e3nn_ref
import e3nn.io  # noqa: F401
import e3nn.math  # noqa: F401
import e3nn.nn  # noqa: F401
import e3nn.o3  # noqa: F401
import e3nn.o3.experimental  # noqa: F401
import e3nn.math.perm  # noqa: F401
import e3nn.util.test  # noqa: F401

import curienn.compat.e3nn as ours_e3nn
from curienn import o3 as curienn_o3
from curienn.nn import load_e3nn_state_dict


def _sub(e3nn, name):
    return importlib.import_module(e3nn.__name__ + "." + name)


def _cases():
    C = {}
    # --- o3 rotations
    C["matrix_to_angles_improper"] = lambda e: e.o3.matrix_to_angles(-torch.eye(3))
    C["matrix_to_axis_angle_improper"] = lambda e: e.o3.matrix_to_axis_angle(-torch.eye(3))
    # --- wigner
    C["wigner_3j_triangle"] = lambda e: e.o3.wigner_3j(1, 1, 3)
    C["wigner_3j_float"] = lambda e: e.o3.wigner_3j(1.0, 1, 1)
    # --- irreps
    C["irrep_bad_string"] = lambda e: e.o3.Irrep("1x")
    C["irrep_negative_l"] = lambda e: e.o3.Irrep(-1, 1)
    C["irrep_bad_parity"] = lambda e: e.o3.Irrep(1, 2)
    C["irrep_rmul_float"] = lambda e: 2.0 * e.o3.Irrep("1e")
    C["irreps_bad_string"] = lambda e: e.o3.Irreps("2x1k")
    C["irreps_negative_mul"] = lambda e: e.o3.Irreps("-1x1e")
    C["irreps_bad_item"] = lambda e: e.o3.Irreps([(1.5, "1e")])
    C["irreps_mul_irreps"] = lambda e: e.o3.Irreps("1e") * e.o3.Irreps("1e")
    C["irreps_lmax_empty"] = lambda e: e.o3.Irreps("").lmax
    C["irreps_filter_keep_drop"] = lambda e: e.o3.Irreps("1e").filter(keep="1e", drop="1e")
    C["irreps_randn_normalization"] = lambda e: e.o3.Irreps("1e").randn(2, -1, normalization="bad")
    C["irreps_slice_by_mul_int"] = lambda e: e.o3.Irreps("2x1e").slice_by_mul[0]
    C["irreps_slice_by_mul_step"] = lambda e: e.o3.Irreps("2x1e").slice_by_mul[0:2:2]
    # --- spherical harmonics
    C["sh_module_normalization"] = lambda e: e.o3.SphericalHarmonics([1], True, normalization="bad")
    C["sh_module_parity"] = lambda e: e.o3.SphericalHarmonics("1e", True, irreps_in="1o")
    C["sh_irreps_in_2e"] = lambda e: e.o3.SphericalHarmonics("1o", True, irreps_in="2e")
    # --- s2 grid
    C["to_s2_odd_res_beta"] = lambda e: e.o3.ToS2Grid(2, (7, 9))
    C["to_s2_small_res"] = lambda e: e.o3.ToS2Grid(5, (6, 11))
    C["to_s2_normalization"] = lambda e: e.o3.ToS2Grid(2, (6, 5), normalization="bad")
    C["from_s2_normalization"] = lambda e: e.o3.FromS2Grid((6, 5), 2, normalization="bad")
    C["s2_all_none"] = lambda e: e.o3.ToS2Grid(None, None)
    # --- tensor products
    C["tp_parity"] = lambda e: e.o3.TensorProduct("0o", "2o", "0o", [(0, 0, 0, "uvw", True)])
    C["tp_triangle"] = lambda e: e.o3.TensorProduct("1o", "1o", "3e", [(0, 0, 0, "uvw", True)])
    C["tp_mode"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(0, 0, 0, "xyz", True)])
    C["tp_index"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(1, 0, 0, "uvw", True)])
    C["tp_index_out"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(0, 0, 3, "uvw", True)])
    C["tp_uvu_mul"] = lambda e: e.o3.TensorProduct("2x1o", "1o", "3x0e", [(0, 0, 0, "uvu", True)])
    C["tp_uuu_mul"] = lambda e: e.o3.TensorProduct("2x1o", "3x1o", "2x0e", [(0, 0, 0, "uuu", False)])
    C["tp_uvw_noweight"] = lambda e: e.o3.TensorProduct("2x1o", "1o", "3x0e", [(0, 0, 0, "uvw", False)])
    C["tp_irrep_normalization"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(0, 0, 0, "uvw", True)], irrep_normalization="bad")
    C["tp_path_normalization"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(0, 0, 0, "uvw", True)], path_normalization="bad")
    C["tp_in1_var"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(0, 0, 0, "uvw", True)], in1_var=[1.0, 2.0])
    C["tp_out_var"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(0, 0, 0, "uvw", True)], out_var=[1.0, 2.0])
    C["tp_internal_not_shared"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(0, 0, 0, "uvw", True)], internal_weights=True, shared_weights=False)
    C["tp_short_instruction"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(0, 0, 0, "uvw")])
    C["tp_forward_no_weights"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(0, 0, 0, "uvw", True)], internal_weights=False)(torch.randn(3), torch.randn(3))
    C["tp_weight_view_no_weight"] = lambda e: e.o3.TensorProduct("1o", "1o", "0e", [(0, 0, 0, "uvw", False)]).weight_view_for_instruction(0)
    C["fctp_irrep_normalization"] = lambda e: e.o3.FullyConnectedTensorProduct("1o", "1o", "0e", irrep_normalization="bad")
    C["etp_num_irreps"] = lambda e: e.o3.ElementwiseTensorProduct("1o+1o", "1o")
    C["etp_filter"] = lambda e: e.o3.ElementwiseTensorProduct("1o", "1o", filter_ir_out=["bad"])
    C["ftp_filter"] = lambda e: e.o3.FullTensorProduct("1o", "1o", filter_ir_out=["bad"])
    C["tsq_irrep_normalization"] = lambda e: e.o3.TensorSquare("1o", irrep_normalization="bad")
    C["tsq_ambiguous"] = lambda e: e.o3.TensorSquare("1o", "0e", filter_ir_out=["0e"])
    C["tsq_filter"] = lambda e: e.o3.TensorSquare("1o", filter_ir_out=["bad"])
    # --- linear
    C["linear_index_in"] = lambda e: e.o3.Linear("1o", "1o", instructions=[(1, 0)])
    C["linear_index_out"] = lambda e: e.o3.Linear("1o", "1o", instructions=[(0, 1)])
    C["linear_mismatch"] = lambda e: e.o3.Linear("1o", "1e", instructions=[(0, 0)])
    C["linear_path_normalization"] = lambda e: e.o3.Linear("1o", "1o", path_normalization="bad")
    C["linear_biases_len"] = lambda e: e.o3.Linear("1o", "0e+1o", biases=[True])
    C["linear_bias_nonscalar"] = lambda e: e.o3.Linear("1o", "0e+1o", biases=[True, True])
    C["linear_internal_not_shared"] = lambda e: e.o3.Linear("1o", "1o", internal_weights=True, shared_weights=False)
    C["linear_forward_no_weights"] = lambda e: e.o3.Linear("1o", "1o", internal_weights=False, shared_weights=False)(torch.randn(2, 3))
    C["linear_forward_no_biases"] = lambda e: e.o3.Linear("0e", "0e", biases=True, internal_weights=False, shared_weights=False)(torch.randn(2, 1), torch.randn(2, 1))
    C["linear_weight_view_no_weights"] = lambda e: e.o3.Linear("1o", "1o", internal_weights=False, shared_weights=False).weight_view_for_instruction(0)
    C["linear_weight_views_no_weights"] = lambda e: list(e.o3.Linear("1o", "1o", internal_weights=False, shared_weights=False).weight_views())
    # --- RTP
    C["rtp_unexpected_kw"] = lambda e: e.o3.ReducedTensorProducts("ij", i="1o", k="1o")
    C["rtp_mismatch"] = lambda e: e.o3.ReducedTensorProducts("ij=ji", i="1o", j="1e")
    C["rtp_missing"] = lambda e: e.o3.ReducedTensorProducts("ij", i="1o")
    C["rtp_bad_formula"] = lambda e: e.o3.ReducedTensorProducts("ij=ik", i="1o")
    C["rtp_negative_first"] = lambda e: e.o3.ReducedTensorProducts("-ij=ji", i="1o")
    C["rtp_filter_out"] = lambda e: e.o3.ReducedTensorProducts("ij", i="1o", j="1o", filter_ir_out=["bad"])
    C["rtp_filter_mid"] = lambda e: e.o3.ReducedTensorProducts("ijk", i="1o", j="1o", k="1o", filter_ir_mid=["bad"])
    # --- nn
    C["extract_len"] = lambda e: e.nn.Extract("1o+0e", ["1o", "0e"], [(0,)])
    C["extract_len_ins"] = lambda e: e.nn.Extract("1o+0e", ["1o"], [(0, 1)])
    C["identity_mismatch"] = lambda e: e.nn.Identity("1o", "1e")
    C["gate_nonscalar_gates"] = lambda e: e.nn.Gate("0e", [torch.tanh], "1o", [torch.tanh], "1o")
    C["gate_nonscalar_scalars"] = lambda e: e.nn.Gate("1o", [torch.tanh], "0e", [torch.tanh], "1o")
    C["gate_num_mismatch"] = lambda e: e.nn.Gate("0e", [torch.tanh], "2x0e", [torch.tanh], "1o")
    C["batchnorm_reduce"] = lambda e: e.nn.BatchNorm("1o", reduce="min")
    C["batchnorm_reduce_type"] = lambda e: e.nn.BatchNorm("1o", reduce=1)
    C["batchnorm_normalization"] = lambda e: e.nn.BatchNorm("1o", normalization="bad")
    C["normact_eps_no_normalize"] = lambda e: e.nn.NormActivation("1o", torch.tanh, normalize=False, epsilon=0.1)
    C["normact_eps_negative"] = lambda e: e.nn.NormActivation("1o", torch.tanh, epsilon=-0.1)
    C["activation_len"] = lambda e: e.nn.Activation("0e+0e", [torch.tanh])
    C["activation_nonscalar"] = lambda e: e.nn.Activation("1o", [torch.tanh])
    C["activation_parity"] = lambda e: e.nn.Activation("0o", [torch.exp])
    C["sortcut"] = lambda e: _sub(e, "nn._gate")._Sortcut("1o", "1o+")  # fine: check no error path
    # --- math
    C["bessel_float_n"] = lambda e: e.math.bessel(torch.ones(2), 2.0)
    C["soft_one_hot_no_cutoff"] = lambda e: e.math.soft_one_hot_linspace(torch.ones(2), 0.0, 1.0, 3, "gaussian", None)
    C["soft_one_hot_basis"] = lambda e: e.math.soft_one_hot_linspace(torch.ones(2), 0.0, 1.0, 3, "bad", True)
    # --- io
    C["sphtensor_peaks_odd"] = lambda e: e.io.SphericalTensor(2, -1, -1).with_peaks_at(torch.randn(2, 3))
    C["sphtensor_peaks_shape"] = lambda e: e.io.SphericalTensor(2, 1, -1).with_peaks_at(torch.randn(2, 2))
    C["cartesian_bad_formula"] = lambda e: e.io.CartesianTensor("ij=ik")
    # --- models
    def net(e, **kw):
        gp = _sub(e, "nn.models.gate_points_2101")
        return gp.Network(irreps_in=kw.get("irreps_in"), irreps_hidden="2x0e+1o", irreps_out="0e",
                          irreps_node_attr=kw.get("irreps_node_attr"), irreps_edge_attr="0e+1o", layers=1,
                          max_radius=2.0, number_of_basis=3, radial_layers=1, radial_neurons=4,
                          num_neighbors=2.0, num_nodes=3.0)
    C["network_missing_x"] = lambda e: net(e, irreps_in="0e")({"pos": torch.randn(3, 3)})
    C["network_missing_z"] = lambda e: net(e, irreps_node_attr="2x0e")({"pos": torch.randn(3, 3)})
    # --- util.test
    C["random_irreps_n0"] = lambda e: _sub(e, "util.test").random_irreps(n=0)
    C["random_irreps_lmax"] = lambda e: _sub(e, "util.test").random_irreps(lmax=-1)
    C["tp_weight_view_unweighted"] = lambda e: e.o3.TensorProduct("1o", "1o", "1o", [(0, 0, 0, "uuu", False)]).weight_view_for_instruction(0)
    C["tp_weight_shape_shared"] = lambda e: e.o3.FullyConnectedTensorProduct("1o", "1o", "0e")(torch.randn(3), torch.randn(3), torch.randn(5))
    C["tp_weight_shape_batch"] = lambda e: e.o3.FullyConnectedTensorProduct("1o", "1o", "0e", shared_weights=False)(torch.randn(2, 3), torch.randn(2, 3), torch.randn(2, 5))
    C["tp_weight_no_batch"] = lambda e: e.o3.FullyConnectedTensorProduct("1o", "1o", "0e", shared_weights=False)(torch.randn(2, 3), torch.randn(2, 3), torch.randn(1))
    C["tp_x_shape"] = lambda e: e.o3.FullyConnectedTensorProduct("1o", "1o", "0e")(torch.randn(2, 4), torch.randn(2, 3))
    C["tp_batch_mismatch"] = lambda e: e.o3.FullyConnectedTensorProduct("1o", "1o", "0e")(torch.randn(2, 3), torch.randn(5, 3))
    C["linear_x_shape"] = lambda e: e.o3.Linear("1o", "1o")(torch.randn(2, 4))
    C["linear_weight_shape"] = lambda e: e.o3.Linear("1o", "1o")(torch.randn(2, 3), torch.randn(3))
    C["extract_index_range"] = lambda e: e.nn.Extract("1o+0e", ["1o"], [(5,)])
    C["extract_x_shape"] = lambda e: e.nn.Extract("1o+0e", ["1o"], [(0,)])(torch.randn(2, 7))
    C["gate_x_shape"] = lambda e: e.nn.Gate("0e", [torch.tanh], "0e", [torch.tanh], "1o")(torch.randn(2, 7))
    C["sh_x_shape"] = lambda e: e.o3.spherical_harmonics(1, torch.randn(2, 4), True)
    C["norm_x_shape"] = lambda e: e.o3.Norm("1o")(torch.randn(2, 4))
    C["fc_x_shape"] = lambda e: e.nn.FullyConnectedNet([3, 4])(torch.randn(2, 5))
    C["activation_x_shape"] = lambda e: e.nn.Activation("0e", [torch.tanh])(torch.randn(2, 5))
    C["batchnorm_x_shape"] = lambda e: e.nn.BatchNorm("1o")(torch.randn(2, 5))
    C["to_s2_x_shape"] = lambda e: e.o3.ToS2Grid(2, (6, 5))(torch.randn(2, 5))
    C["from_s2_x_shape"] = lambda e: e.o3.FromS2Grid((6, 5), 2)(torch.randn(2, 5, 5))
    C["rtp_x_shape"] = lambda e: e.o3.ReducedTensorProducts("ij", i="1o", j="1o")(torch.randn(3), torch.randn(4))
    C["irreps_D_shape"] = lambda e: e.o3.Irreps("1o").D_from_matrix(torch.randn(2, 2))
    C["cartesian_from_shape"] = lambda e: e.io.CartesianTensor("ij=ji").from_cartesian(torch.randn(2, 3, 4))
    C["dropout_p"] = lambda e: e.nn.Dropout("1o", p=2.0)
    C["normact_x_shape"] = lambda e: e.nn.NormActivation("1o", torch.tanh)(torch.randn(2, 4))
    # --- features added for the whole e3nn API
    C["so3grid_normalization"] = lambda e: e.o3.SO3Grid(2, 3, normalization="norm")
    C["s2act_mul"] = lambda e: e.nn.S2Activation("2x0e+1o", torch.tanh, 10)
    C["s2act_ls"] = lambda e: e.nn.S2Activation("0e+2e", torch.tanh, 10)
    C["s2act_parity"] = lambda e: e.nn.S2Activation("0e+1e+2o", torch.tanh, 10)
    C["s2act_act_parity"] = lambda e: e.nn.S2Activation("0o+1e", torch.exp, 10)
    C["s2act_x_shape"] = lambda e: e.nn.S2Activation("0e+1o", torch.tanh, 10)(torch.randn(2, 3))
    C["full_v2_normalization"] = lambda e: e.o3.experimental.FullTensorProductv2(
        e.o3.Irreps("1o"), e.o3.Irreps("1o"), irrep_normalization="none")
    C["elementwise_v2_num_irreps"] = lambda e: e.o3.experimental.ElementwiseTensorProductv2(
        e.o3.Irreps("2x1o"), e.o3.Irreps("1o"))
    C["perm_compose_sizes"] = lambda e: e.math.perm.compose((0, 1), (0, 1, 2))
    C["perm_compose_not_perm"] = lambda e: e.math.perm.compose((0, 0), (0, 1))
    C["germinate_negative_first"] = lambda e: e.math.germinate_formulas("-ij=ji")
    C["germinate_not_permutation"] = lambda e: e.math.germinate_formulas("ij=ik")
    C["reduce_permutation_missing_dim"] = lambda e: e.math.reduce_permutation(*e.math.germinate_formulas("ij"), i=2)
    C["reduce_permutation_dims_differ"] = lambda e: e.math.reduce_permutation(
        *e.math.germinate_formulas("ij=ji"), i=2, j=3)
    C["orthonormalize_dim"] = lambda e: e.math.orthonormalize(torch.randn(3))
    C["complete_basis_dim"] = lambda e: e.math.complete_basis(torch.randn(3))
    C["gate_points_2102_missing_x"] = lambda e: _sub(e, "nn.models.gate_points_2102").Network(
        irreps_in="0e", irreps_hidden="2x0e+1o", irreps_out="0e", irreps_node_attr=None, irreps_edge_attr="0e+1o",
        layers=1, max_radius=2.0, number_of_basis=3, radial_layers=1, radial_neurons=4, num_neighbors=2.0,
        num_nodes=3.0)({"pos": torch.randn(3, 3)})
    C["points_conv_no_path"] = lambda e: _sub(e, "nn.models.v2106.points_convolution").Convolution(
        "0o", "0e", "0e", "1o", [3, 8], 2.0)
    C["irfft_even_res"] = lambda e: e.o3.irfft(torch.randn(5), 8)
    C["find_peaks_batch"] = lambda e: e.io.SphericalTensor(2, 1, -1).find_peaks(torch.randn(2, 9))
    C["normalize2mom_not_callable"] = lambda e: e.math.normalize2mom(3.0)
    C["tensor_square_x_shape"] = lambda e: e.o3.TensorSquare("1o")(torch.randn(2, 4))
    C["fctp_right_y_shape"] = lambda e: e.o3.FullyConnectedTensorProduct("1o", "1o", "0e").right(torch.randn(2, 4))
    C["sh_module_l_negative"] = lambda e: e.o3.SphericalHarmonics([-1], True)
    C["soft_one_hot_number"] = lambda e: e.math.soft_one_hot_linspace(torch.ones(2), 0.0, 1.0, 0, "gaussian", True)
    return C


CASES = _cases()


def _run(lib, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            case(lib)
        except Exception as exc:  # noqa: BLE001 - the type is what is compared
            return exc
    return None


@pytest.mark.parametrize("name", sorted(CASES))
def test_exception_type_matches_e3nn(name):
    theirs = _run(e3nn_ref, CASES[name])
    ours = _run(ours_e3nn, CASES[name])
    if theirs is None:
        assert ours is None or isinstance(ours, ValueError), repr(ours)
        return
    assert ours is not None, f"e3nn raises {type(theirs).__name__}, curienn accepts the call"
    assert isinstance(ours, type(theirs)), f"e3nn raises {type(theirs).__name__}, curienn {type(ours).__mro__}"
    assert isinstance(ours, ValueError), type(ours).__mro__
    assert str(ours)


def test_error_classes():
    for cls, e3nn_type in [
        (curienn_o3.InvalidArgumentError, AssertionError),
        (curienn_o3.InstructionError, AssertionError),
        (curienn_o3.ConnectionModeError, KeyError),
        (curienn_o3.InvalidIndexError, IndexError),
        (curienn_o3.MissingWeightsError, RuntimeError),
        (curienn_o3.ShapeError, RuntimeError),
        (curienn_o3.FormulaError, RuntimeError),
        (curienn_o3.UnsupportedOperationError, NotImplementedError),
        (curienn_o3.InvalidTypeError, TypeError),
    ]:
        assert issubclass(cls, ValueError) and issubclass(cls, e3nn_type)
    # the message, not KeyError's quoted repr
    assert str(curienn_o3.ConnectionModeError("unknown mode 'x'")) == "unknown mode 'x'"


# --------------------------------------------------------------- the porting test

_IRREPS = ["2x0e", "0o", "2x1o", "1e", "2x1o+1e", "0e+3x1o", "2e+2x0o", "2x2o+1x1e"]
_MODES = ["uvw", "uvu", "uvv", "uuw", "uuu"]


def _random_tensor_products(e3nn, seed, n=40):
    """e3nn-style code: random instruction lists, the invalid ones skipped by
    ``except AssertionError`` (only e3nn names are used)."""
    o3 = e3nn.o3
    rng = random.Random(seed)
    kept = []
    for _ in range(n):
        in1, in2, out = (o3.Irreps(rng.choice(_IRREPS)) for _ in range(3))
        instructions = [
            (rng.randrange(len(in1)), rng.randrange(len(in2)), rng.randrange(len(out)),
             rng.choice(_MODES), rng.random() < 0.8)
            for _ in range(rng.randint(1, 3))
        ]
        try:
            tp = o3.TensorProduct(in1, in2, out, instructions)
        except AssertionError:
            continue
        kept.append(((str(in1), str(in2), str(out), instructions), tp))
    return kept


def _random_linears(e3nn, seed, n=30):
    """e3nn-style code: random (i_in, i_out) lists; a bad index is an ``IndexError``,
    a pair of different irreps a ``ValueError``."""
    o3 = e3nn.o3
    rng = random.Random(seed)
    kept = []
    for _ in range(n):
        irreps_in = o3.Irreps(rng.choice(_IRREPS))
        irreps_out = irreps_in if rng.random() < 0.7 else o3.Irreps(rng.choice(_IRREPS))
        instructions = [(rng.randrange(len(irreps_in) + 1), rng.randrange(len(irreps_out)))]
        try:
            lin = o3.Linear(irreps_in, irreps_out, instructions=instructions)
        except (IndexError, ValueError):
            continue
        kept.append(((str(irreps_in), str(irreps_out), instructions), lin))
    return kept


def test_porting_random_instruction_lists_runs_unchanged():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        theirs = _random_tensor_products(e3nn_ref, seed=7)
        ours = _random_tensor_products(ours_e3nn, seed=7)
        assert [k for k, _ in ours] == [k for k, _ in theirs]
        assert 5 <= len(ours) <= 35  # both valid and invalid lists were drawn
        g = torch.Generator().manual_seed(0)
        for (_, tp_t), (_, tp_o) in zip(theirs, ours):
            load_e3nn_state_dict(tp_o, tp_t.state_dict())
            x = torch.randn(4, tp_t.irreps_in1.dim, generator=g, dtype=torch.float64)
            y = torch.randn(4, tp_t.irreps_in2.dim, generator=g, dtype=torch.float64)
            torch.testing.assert_close(tp_o(x, y), tp_t(x, y), atol=1e-10, rtol=1e-10)

        theirs = _random_linears(e3nn_ref, seed=3)
        ours = _random_linears(ours_e3nn, seed=3)
        assert [k for k, _ in ours] == [k for k, _ in theirs]
        assert 3 <= len(ours) <= 27
        for (_, lin_t), (_, lin_o) in zip(theirs, ours):
            load_e3nn_state_dict(lin_o, lin_t.state_dict())
            x = torch.randn(4, lin_t.irreps_in.dim, generator=g, dtype=torch.float64)
            torch.testing.assert_close(lin_o(x), lin_t(x), atol=1e-10, rtol=1e-10)
    finally:
        torch.set_default_dtype(old)
