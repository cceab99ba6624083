"""Atomic writes and checkpoints: every way a file can be wrong gives one clear CheckpointError."""

import os
import pickle

import pytest
import torch

from curienn import CONVENTIONS_VERSION
from curienn.io import CheckpointError, atomic_write, atomic_write_text, load_checkpoint, save_checkpoint


def test_round_trip_and_stamps(tmp_path):
    path = tmp_path / "sub" / "a.pt"
    save_checkpoint(path, {"w": torch.arange(3.0), "step": 7}, kind="demo")
    obj = load_checkpoint(path, kind="demo", required=("w", "step"))
    assert obj["step"] == 7 and torch.equal(obj["w"], torch.arange(3.0))
    assert obj["curienn_kind"] == "demo" and obj["conventions"] == CONVENTIONS_VERSION
    assert os.listdir(path.parent) == ["a.pt"]  # no temporary file left behind


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_checkpoint(tmp_path / "nope.pt", kind="demo")


@pytest.mark.parametrize("content", [b"", b"hello, I am a text file\n", b"PK\x03\x04truncated"])
def test_not_a_pytorch_archive(tmp_path, content):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="bad.pt.*not a curienn 'demo' file|bad.pt.*is empty"):
        load_checkpoint(path, kind="demo")


def test_truncated_checkpoint(tmp_path):
    path = tmp_path / "cut.pt"
    save_checkpoint(path, {"w": torch.randn(1000)}, kind="demo")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="cut.pt.*cannot be read as a PyTorch archive"):
        load_checkpoint(path, kind="demo")


def test_foreign_and_wrong_kind(tmp_path):
    foreign = tmp_path / "foreign.pt"
    torch.save({"state": torch.ones(2)}, foreign)
    with pytest.raises(CheckpointError, match="not a curienn 'demo' file"):
        load_checkpoint(foreign, kind="demo", required=("w",))
    torch.save(torch.ones(2), foreign)
    with pytest.raises(CheckpointError, match="holding a Tensor"):
        load_checkpoint(foreign, kind="demo")
    other = tmp_path / "other.pt"
    save_checkpoint(other, {"w": 1}, kind="argon-dataset")
    with pytest.raises(CheckpointError, match="'argon-dataset' file, not a 'demo'"):
        load_checkpoint(other, kind="demo")
    assert load_checkpoint(other, kind=("demo", "argon-dataset"))["w"] == 1


def test_pickle_payload_is_refused_without_running_it(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))

    path = tmp_path / "evil.pt"
    with open(path, "wb") as fh:
        pickle.dump({"x": Evil()}, fh)
    with pytest.raises(CheckpointError, match="evil.pt"):
        load_checkpoint(path, kind="demo")
    assert not (tmp_path / "pwned").exists()


def test_conventions_and_missing_keys(tmp_path):
    path = tmp_path / "c.pt"
    save_checkpoint(path, {"w": 1}, kind="demo")
    obj = torch.load(path, weights_only=True)
    obj["conventions"] = "someone-else"
    torch.save(obj, path)
    with pytest.raises(CheckpointError, match="conventions 'someone-else'"):
        load_checkpoint(path, kind="demo")
    save_checkpoint(path, {"w": 1}, kind="demo")
    with pytest.raises(CheckpointError, match=r"lacks \['step'\]"):
        load_checkpoint(path, kind="demo", required=("w", "step"))


def test_legacy_unstamped_checkpoint_with_the_required_keys(tmp_path):
    path = tmp_path / "old.pt"
    torch.save({"w": 1, "conventions": CONVENTIONS_VERSION}, path)
    assert load_checkpoint(path, kind="demo", required=("w",))["w"] == 1


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "r.json"
    atomic_write_text(path, "old")

    def fail(tmp):
        with open(tmp, "w") as fh:
            fh.write("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, fail)
    assert path.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["r.json"]


@pytest.mark.parametrize("content, says", [
    (b"hello, I am a text file\n", "it is a text file (it starts 'hello, I am a text file')"),
    ("4\nsquare\nH 0 0 0\n".encode(), "it is a text file (it starts '4')"),
    (b"PK\x03\x04truncated", "a zip archive whose end is missing"),
    (b"\x93NUMPY\x01\x00rest", "a NumPy .npy file"),
    (pickle.dumps({"a": 1}, protocol=4), "a Python pickle"),
    (bytes(range(7, 250)), "binary data in no format PyTorch reads"),
    (("é" * 200 + "x").encode(), "it is a text file"),  # 256 bytes may end inside a character
])
def test_an_unreadable_file_is_described_not_quoted(tmp_path, content, says):
    """torch's own messages (zip central directories, weights_only lectures, ': 101') stay out."""
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as exc:
        load_checkpoint(path, kind="demo")
    msg = str(exc.value)
    assert says in msg and "\n" not in msg
    assert "weights_only" not in msg and "miniz" not in msg
