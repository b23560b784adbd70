"""The timeline as an SVG picture (``--svg``): deterministic, exact, and README's copies in
docs/ in step with the code."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wsaconnect import svg
from wsaconnect.cli import demo_svg, main

DOCS = Path(__file__).resolve().parents[2] / "docs"
SVG = "{http://www.w3.org/2000/svg}"
REGENERATE = (
    "python -m wsaconnect demo --svg docs/timeline-bylist.svg && "
    "python -m wsaconnect demo --staggered --svg docs/timeline-staggered.svg"
)


@pytest.mark.parametrize(("name", "staggered"), [("bylist", False), ("staggered", True)])
def test_the_readme_pictures_are_the_code_s(name: str, staggered: bool) -> None:
    path = DOCS / f"timeline-{name}.svg"
    fresh = demo_svg(staggered=staggered)
    # read_text: a checkout that wrote CRLF line ends (git's autocrlf on Windows) still matches.
    on_disk = path.read_text(encoding="utf-8") if path.exists() else None
    assert on_disk == fresh, f"docs/{path.name} is out of date; regenerate with: {REGENERATE}"


@pytest.mark.parametrize("policy", [[], ["--staggered"]])
def test_demo_svg_writes_the_same_bytes_every_run(
    policy: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "1.svg", tmp_path / "2.svg"
    assert main(["demo", *policy, "--svg", str(first)]) == 0
    assert main(["demo", *policy, "--json", "--svg", str(second)]) == 0
    capsys.readouterr()
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().decode("utf-8") == demo_svg(staggered=bool(policy))
    assert b"\r\n" not in first.read_bytes()


def rows(text: str) -> list[tuple[str, float, float, str]]:
    """(label, x, width, fill) of every attempt's bar."""
    root = ET.fromstring(text)
    group = root.find(f"{SVG}g")
    assert group is not None
    found = []
    for rect in group.iter(f"{SVG}rect"):
        tip = rect.find(f"{SVG}title")
        if tip is not None and tip.text is not None:
            label = tip.text.split(": ")[0]
            found.append(
                (label, float(rect.get("x", 0)), float(rect.get("width", 0)), rect.get("fill", ""))
            )
    return found


def test_the_bylist_picture_has_a_row_per_attempt_coloured_by_outcome() -> None:
    text = demo_svg()
    bars = rows(text)
    assert [(label, fill) for label, _, _, fill in bars] == [
        ("[2001:db8::20]:443", svg.STYLES["timed-out"][1]),
        ("[2001:db8::21]:443", svg.STYLES["refused"][1]),
        ("[::ffff:192.0.2.20]:443", svg.STYLES["connected"][1]),
    ]
    # The axis runs to 25 s over 360 px: 14.4 px a second, from the same x for every bar.
    x0 = bars[0][1]
    assert bars[0][2] == pytest.approx(21.0 * 14.4, abs=0.01)
    assert bars[1][1] - x0 == pytest.approx(21.0 * 14.4, abs=0.01)
    assert bars[1][2] == pytest.approx(2.12 * 14.4, abs=0.01)
    assert bars[2][1] - x0 == pytest.approx(23.12 * 14.4, abs=0.01)
    assert "WSAETIMEDOUT 21.000 s" in text
    assert "WSAECONNREFUSED 2.120 s" in text
    assert "connected to [::ffff:192.0.2.20]:443 after 23.160 s" in text
    assert ">25 s</text>" in text  # the axis, in seconds


def test_the_staggered_picture_shows_the_loser_cancelled() -> None:
    text = demo_svg(staggered=True)
    bars = rows(text)
    assert [(label, fill) for label, _, _, fill in bars] == [
        ("[2001:db8::20]:443", svg.STYLES["cancelled"][1]),
        ("192.0.2.20:443", svg.STYLES["connected"][1]),
    ]
    # 0.30 s over 360 px: 1200 px a second.
    assert bars[0][2] == pytest.approx(0.29 * 1200, abs=0.01)
    assert bars[1][1] - bars[0][1] == pytest.approx(0.25 * 1200, abs=0.01)
    assert "cancelled 0.290 s" in text
    assert "connected to 192.0.2.20:443 after 0.290 s" in text
    assert ">0.30 s</text>" in text


def test_probe_svg_draws_a_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.svg"
    dead = ["--dead", "2001:db8::1", "--dead", "192.0.2.1"]
    argv = ["probe", "--sim", "--staggered", "--timeout", "5", *dead, "--svg", str(path)]
    assert main([*argv, "[2001:db8::1]:443", "192.0.2.1:443"]) == 1
    capsys.readouterr()
    text = path.read_text(encoding="utf-8")
    assert [fill for *_, fill in rows(text)] == [svg.STYLES["cancelled"][1]] * 2
    assert "failed: WSAETIMEDOUT after 5.000 s" in text


def test_a_picture_without_attempts_is_still_one() -> None:
    text = svg.timeline([], title="WSAConnectByList", summary="connected after 0.040 s", total=0.04)
    assert rows(text) == []
    assert "connected after 0.040 s" in text


def test_text_is_escaped() -> None:
    bars = [svg.Bar("<a&b>", 0.0, 1.0, "WSAEHOSTUNREACH")]
    text = svg.timeline(bars, title='"x" & <y>', summary="s", total=1.0)
    ET.fromstring(text)  # well-formed
    assert "&lt;a&amp;b&gt;" in text
    assert svg.STYLES["failed"][1] in text  # an error with no colour of its own


def test_a_pending_attempt_runs_to_the_total() -> None:
    text = svg.timeline([svg.Bar("x", 0.5, None, "pending")], title="t", summary="s", total=2.0)
    [(_, _, width, fill)] = rows(text)
    assert fill == svg.STYLES["pending"][1]
    assert width == pytest.approx(1.5 / 2.0 * 360)


@pytest.mark.parametrize(
    ("total", "step"),
    [(23.16, 5.0), (0.29, 0.05), (5.0, 1.0), (0.001, 0.0002), (84.04, 20.0), (1.0, 0.2)],
)
def test_axis_steps_are_1_2_5_times_a_power_of_ten(total: float, step: float) -> None:
    assert svg.axis_step(total) == pytest.approx(step)


@pytest.mark.parametrize(
    ("outcome", "key"),
    [
        ("connected", "connected"),
        ("WSAECONNREFUSED", "refused"),
        ("WSAETIMEDOUT", "timed-out"),
        ("cancelled", "cancelled"),
        ("WSAENETUNREACH", "failed"),
    ],
)
def test_outcome_classes(outcome: str, key: str) -> None:
    assert svg.outcome_class(outcome) == key
