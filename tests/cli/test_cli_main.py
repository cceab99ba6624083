"""The ``curienn`` entry point: --version, --help, the demo, and clean errors."""

import subprocess
import sys

import pytest

import curienn
from curienn.cli import MAIN_JOB, build_parser, main


def test_version_and_help(capsys):
    assert main(["--version"]) == 0  # main returns the status; it never exits
    out = capsys.readouterr().out
    assert curienn.__version__ in out and curienn.CONVENTIONS_VERSION in out
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "symmetry", "argon", "order-parameter"):
        assert command in out


def test_main_job_is_a_registered_command():
    parser = build_parser()
    assert parser.parse_args([MAIN_JOB.replace("_", "-")]).command


def test_demo_checks_equivariance(capsys):
    assert main(["demo", "--lmax", "4", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "equivariance: OK" in out and "4e" in out
    err = float(out.split("max |Y(g x) - D(g) Y(x)| = ")[1].split()[0])
    assert err < 1e-10


def test_console_script_module_runs():
    proc = subprocess.run([sys.executable, "-m", "curienn.cli", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and curienn.__version__ in proc.stdout
