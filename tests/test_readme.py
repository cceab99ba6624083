"""The README's first session runs and prints what it says."""

import doctest
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_session():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no python session"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for i, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"README[{i}]", str(README), 0))
    result = runner.summarize(verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_readme_has_exactly_the_two_setup_commands():
    text = README.read_text()
    setup = text[text.index("## Set-up"):text.index("## A first session")]
    commands = re.findall(r"```bash\n(.*?)\n```", setup, flags=re.S)
    assert len(commands) == 2
    assert commands[0].endswith("curienn") and "pytest" in commands[1]
    ci = (README.parent / ".ci" / "run").read_text()
    assert commands[1].split("&& ")[-1] in ci
