"""Examples and commands write their files under an output folder, never into the
working directory, and those default folders are ignored by git (issue 14)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _writes_files(source: str) -> bool:
    return bool(re.search(r"savefig|\.png|path=|np\.save|torch\.save|open\([^)]*[\"']w", source))


def test_every_example_that_writes_files_has_an_out_folder_under_examples_out():
    writers = []
    for path in sorted(ROOT.glob("examples/*.py")):
        source = path.read_text()
        if not _writes_files(source):
            continue
        writers.append(path.name)
        m = re.search(r"add_argument\(\"--out\", default=\"([^\"]+)\"", source)
        assert m, f"{path.name} writes files but has no --out folder"
        assert m.group(1).startswith("examples_out/"), f"{path.name}: --out defaults to {m.group(1)!r}"
    assert {"curie_demo.py", "spherical_signals.py", "square_rectangle.py", "perovskite.py"} <= set(writers)


def test_default_output_folders_are_ignored_by_git():
    from curienn.cli.order_parameter import DEFAULT_OUT

    ignored = (ROOT / ".gitignore").read_text().split()
    for folder in (DEFAULT_OUT, "examples_out", "runs"):
        assert f"/{folder}/" in ignored, folder
