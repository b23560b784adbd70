"""The README stays true: its state diagram is the one the state table generates."""

from __future__ import annotations

from pathlib import Path

from wsasim._state import diagram

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_state_diagram_is_generated_from_the_table() -> None:
    assert diagram() in README.read_text(encoding="utf-8")


def test_readme_opens_with_the_demo_and_test_commands() -> None:
    head = README.read_text(encoding="utf-8").splitlines()[:6]
    commands = [line for line in head if "pip install" in line]
    assert "python -m wsaconnect demo" in commands[0]
    assert "python -m pytest" in commands[1]


def test_readme_simulator_example_runs_as_written() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = text.split("```python\n")[1:]
    example = next(b.split("```")[0] for b in blocks if b.startswith("import wsasim"))
    exec(compile(example, "README.md", "exec"), {})  # its asserts are the test


def test_readme_testing_code_you_already_have_runs_as_written() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Testing code you already have")[1]
    example = section.split("```python\n")[1].split("```")[0]
    exec(compile(example, "README.md", "exec"), {})  # its asserts are the test


def test_readme_asyncio_on_the_virtual_clock_runs_as_written() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## asyncio on the virtual clock")[1]
    example = section.split("```python\n")[1].split("```")[0]
    exec(compile(example, "README.md", "exec"), {})  # its asserts are the test
