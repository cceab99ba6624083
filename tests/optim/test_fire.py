"""Tests of curienn.optim.FIRE."""

import math

import pytest
import torch

from curienn.optim import FIRE



def _reference_fire(x, grad, steps, mass, dt, dt_max, n_min, f_inc, f_dec, a0, f_a):
    """The paper's Appendix A, literally, on plain Python lists."""
    v = [0.0] * len(x)
    a, n = a0, 0
    traj = []
    for _ in range(steps):
        F = [-g for g in grad(x)]
        x = [xi + vi * dt for xi, vi in zip(x, v)]
        v = [vi + Fi / mass * dt for vi, Fi in zip(v, F)]
        P = sum(Fi * vi for Fi, vi in zip(F, v))
        n += 1
        vn = math.sqrt(sum(vi * vi for vi in v))
        fn = math.sqrt(sum(Fi * Fi for Fi in F))
        v = [(1 - a) * vi + a * vn * Fi / fn for vi, Fi in zip(v, F)]
        if P > 0 and n > n_min:
            dt = min(dt * f_inc, dt_max)
            a *= f_a
        if P <= 0:
            dt *= f_dec
            v = [0.0] * len(x)
            a, n = a0, 0
        traj.append((list(x), dt))
    return traj


def _run_fire(x0, loss_fn, steps, **kw):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = FIRE([x], **kw)
    traj = []

    def closure():
        opt.zero_grad()
        loss = loss_fn(x)
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
        traj.append((x.detach().clone(), opt.dt))
    return x, opt, traj


def test_hand_computed_1d_quadratic():
    """L = x^2/2 from x = 1 with m = 0.1, dt = 0.1, N_min = 1 (worked by hand)."""
    kw = dict(mass=0.1, dt=0.1, dt_max=1.0, n_min=1, f_inc=1.1, f_dec=0.5,
              alpha_start=0.1, f_alpha=0.99)
    _, opt, traj = _run_fire([1.0], lambda x: 0.5 * (x * x).sum(), 6, **kw)
    # step: x_new, dt after the step
    #  1: x=1 (v was 0), v=-1, P>0, N=1 (not > N_min)      -> dt 0.1
    #  2: x=1-0.1=0.9, v=-2, N=2                              -> dt 0.11
    #  3: x=0.9-2*0.11=0.68, v=-2-0.9*1.1=-2.99               -> dt 0.121
    #  4: x=0.68-2.99*0.121=0.31821, v=-3.8128                -> dt 0.1331
    #  5: x=0.31821-3.8128*0.1331=-0.18927368, v=-4.23633751  -> dt 0.14641
    #  6: x=-0.18927368-4.23633751*0.14641=-0.80951584..., F=+0.189 and v<0: P<0
    #     -> v=0, dt=0.14641/2, alpha reset
    expected_x = [1.0, 0.9, 0.68, 0.31821, -0.18927368, -0.18927368 - 4.23633751 * 0.14641]
    expected_dt = [0.1, 0.11, 0.121, 0.1331, 0.14641, 0.073205]
    for (x, dt), ex, edt in zip(traj, expected_x, expected_dt):
        assert x.item() == pytest.approx(ex, abs=1e-8)
        assert dt == pytest.approx(edt, abs=1e-12)
    assert opt.alpha == 0.1 and opt.n_positive == 0
    assert opt.state[opt.param_groups[0]["params"][0]]["velocity"].abs().max() == 0


def test_matches_reference_on_anisotropic_quadratic():
    k = [1.0, 4.0, 9.0]
    kw = dict(mass=0.5, dt=0.05, dt_max=0.3, n_min=2, f_inc=1.1, f_dec=0.5,
              alpha_start=0.1, f_alpha=0.99)
    ref = _reference_fire([1.0, -1.0, 0.5], lambda x: [ki * xi for ki, xi in zip(k, x)], 60,
                          mass=0.5, dt=0.05, dt_max=0.3, n_min=2, f_inc=1.1, f_dec=0.5,
                          a0=0.1, f_a=0.99)
    kt = torch.tensor(k, dtype=torch.float64)
    _, _, traj = _run_fire([1.0, -1.0, 0.5], lambda x: 0.5 * (kt * x * x).sum(), 60, **kw)
    resets = sum(1 for (_, d1), (_, d2) in zip(ref, ref[1:]) if d2 < d1)
    assert resets >= 1  # the trajectory exercises the P <= 0 branch
    for (x, dt), (rx, rdt) in zip(traj, ref):
        assert torch.allclose(x, torch.tensor(rx, dtype=torch.float64), atol=1e-12)
        assert dt == pytest.approx(rdt, rel=1e-12)


def test_minimises_rosenbrock():
    def rosen(x):
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2

    # from the classic start (loss 24.2) through the curved valley; FIRE's velocity
    # resets (P <= 0) make the last digits slow, so the bar is 'well inside the basin'
    x, _, traj = _run_fire([-1.2, 1.0], rosen, 3000, mass=1.0, dt=1e-3, dt_max=2e-2)
    losses = [rosen(xi).item() for xi, _ in traj[::500]]
    assert losses[-1] < losses[0] / 100
    assert rosen(x).item() < 2e-2  # 24.2 at the start
    assert torch.allclose(x.detach(), torch.ones(2, dtype=torch.float64), atol=0.2)
    assert x[0].item() > 0.8 and rosen(x).item() < losses[len(losses) // 2]


def test_trains_a_small_network_and_state_dict_roundtrip():
    torch.set_default_dtype(torch.float64)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    X = torch.randn(64, 2)
    Y = X[:, :1] * X[:, 1:]
    opt = FIRE(net.parameters(), mass=0.1, dt=1e-2, dt_max=0.1)

    def closure():
        opt.zero_grad()
        loss = (net(X) - Y).square().mean()
        loss.backward()
        return loss

    first = closure().item()
    for _ in range(200):
        opt.step(closure)
    assert closure().item() < 0.5 * first
    state = opt.state_dict()
    opt2 = FIRE(net.parameters())
    opt2.load_state_dict(state)
    assert opt2.dt == opt.dt and opt2.alpha == opt.alpha


def test_complex_parameters():
    z = torch.tensor([1.0 + 2.0j, -1.0j], dtype=torch.complex128, requires_grad=True)
    opt = FIRE([z], mass=1.0, dt=0.05, dt_max=0.2)
    for _ in range(300):
        opt.zero_grad()
        (z.abs() ** 2).sum().backward()
        opt.step()
    assert z.abs().max() < 1e-4


def test_max_step_caps_the_move():
    x = torch.tensor([100.0], dtype=torch.float64, requires_grad=True)
    opt = FIRE([x], mass=1.0, dt=0.5, dt_max=1.0, max_step=0.01)
    for _ in range(3):
        old = x.detach().clone()
        opt.zero_grad()
        (0.5 * x * x).sum().backward()
        opt.step()
        assert (x.detach() - old).abs().item() <= 0.01 + 1e-12


def test_bad_parameters_raise():
    p = [torch.zeros(1, requires_grad=True)]
    with pytest.raises(ValueError, match="mass=0"):
        FIRE(p, mass=0)
    with pytest.raises(ValueError, match="f_dec=1.5"):
        FIRE(p, f_dec=1.5)
    with pytest.raises(ValueError, match="single parameter group"):
        FIRE([{"params": p}, {"params": [torch.zeros(1, requires_grad=True)]}])
