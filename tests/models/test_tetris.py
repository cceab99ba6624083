"""The Tetris example: trained on one orientation, it classifies rotated, translated
and mirrored pieces perfectly, the two chiral pieces included."""

import importlib.util
from pathlib import Path

import torch

_PATH = Path(__file__).resolve().parents[2] / "examples" / "tetris.py"


def _load_example():
    spec = importlib.util.spec_from_file_location("curienn_example_tetris", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tetris_classifies_any_orientation_and_handedness():
    tetris = _load_example()
    model = tetris.make_model()
    tetris.train(model, steps=60)
    data, labels = tetris.tetris_data()
    with torch.no_grad():
        assert torch.equal(tetris.predict(model(data)), labels)
        test_data, test_labels = tetris.transformed_copies(copies=3)
        out = model(test_data)
    assert torch.equal(tetris.predict(out), test_labels)
    # the pseudoscalar output flips sign between the mirror-image pieces
    chiral = test_labels <= 1
    sign = torch.where(test_labels[chiral] == 0, 1.0, -1.0)
    assert (out[chiral, 0] * sign > 0).all()
