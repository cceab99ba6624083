"""docs/: the architecture map matches the folders and the layers of the contract
test, and the generated API pages are current."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "curienn"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_architecture_map_lists_every_folder():
    text = (ROOT / "docs" / "architecture.md").read_text()
    folders = {str(p.relative_to(SRC)) for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("__")}
    listed = set(re.findall(r"\| `([a-z0-9_]+)/`", text))
    assert listed == folders, f"docs/architecture.md lists {sorted(listed)}, src/curienn has {sorted(folders)}"


def test_architecture_map_has_the_contract_layers():
    layers = _load(ROOT / "tests" / "test_architecture.py", "_arch").RANK
    text = (ROOT / "docs" / "architecture.md").read_text()
    for pkg, rank in layers.items():
        assert re.search(rf"\| `{pkg}/`[^|]*\| {rank} \|", text), f"{pkg} is not at layer {rank} in the map"


def test_api_pages_are_current():
    gen = _load(ROOT / "scripts" / "generate_api_docs.py", "_gen")
    for package in gen.PACKAGES:
        path = ROOT / "docs" / "api" / f"{package}.md"
        assert path.exists() and path.read_text() == gen.page(package), (
            f"{path.relative_to(ROOT)} is out of date: run python scripts/generate_api_docs.py")
        assert f"api/{package}.md" in (ROOT / "docs" / "architecture.md").read_text()
