"""The attempt timeline as an SVG picture: ``python -m wsaconnect demo --svg FILE``.

This module owns the drawing only: one row per attempt (the remote address, a bar from its
start to its end coloured by its outcome, the outcome and how long it took), a time axis in
seconds and a line at the total. It is hand-written SVG text with no dependency, and it is
deterministic: the same bars give the same bytes (every number is formatted with a fixed
precision, nothing depends on the date, the machine or a font), so a picture can be checked
into a repository and compared with a fresh one (README.md's, in docs/).

What a run was, and where its bars come from, is :mod:`wsaconnect.cli`'s business.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Outcome classes: (legend label, fill colour). An outcome not listed is "failed".
STYLES: dict[str, tuple[str, str]] = {
    "connected": ("connected", "#2e7d32"),
    "refused": ("refused", "#ef6c00"),
    "timed-out": ("timed out", "#c62828"),
    "cancelled": ("cancelled", "#9e9e9e"),
    "failed": ("other error", "#6a1b9a"),
    "pending": ("pending", "#90caf9"),
}

_FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
_CHAR = 7.2  # the advance of a 12 px monospace character, near enough for layout
_TITLE_CHAR = 8.6  # the same at 14 px, bold
_PLOT = 360.0  # the width of the time axis
_ROW = 26.0
_BAR = 14.0
_MARGIN = 16.0
_TOP = 58.0  # the title and the axis labels above the first row


@dataclass(frozen=True)
class Bar:
    """One attempt to draw. Times are seconds from the start of the call; ``ended`` None is
    an attempt still pending when the call returned (drawn to the total)."""

    label: str
    started: float
    ended: float | None
    outcome: str


def outcome_class(outcome: str) -> str:
    """The key of :data:`STYLES` for an attempt's outcome (a Winsock error's name, or
    ``connected``, ``cancelled``, ``pending``)."""
    if outcome in ("connected", "cancelled", "pending"):
        return outcome
    return {"WSAECONNREFUSED": "refused", "WSAETIMEDOUT": "timed-out"}.get(outcome, "failed")


def _n(value: float) -> str:
    """A coordinate, with at most two decimals and no trailing zeros (deterministic)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _t(text: str) -> str:
    return html.escape(text, quote=True)


def axis_step(total: float) -> float:
    """A tick interval of 1, 2 or 5 times a power of ten giving at most six intervals."""
    raw = total / 6
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude  # not reached: 10 * magnitude >= raw always


def timeline(
    bars: Sequence[Bar], *, title: str, summary: str, total: float, subtitle: str = ""
) -> str:
    """The SVG document (text, ending in a newline) of ``bars`` on one axis.

    Args:
        bars: the attempts, top to bottom.
        title: the heading (what ran).
        subtitle: a line under it (on which scenario), or "" for none.
        summary: the line under the rows (how the call ended).
        total: how long the call took, in seconds: the axis reaches at least that far and a
            dashed line marks it.
    """
    end = max([total] + [b.ended for b in bars if b.ended is not None] + [0.0])
    step = axis_step(end if end > 0 else 0.001)
    ticks = max(1, math.ceil(end / step - 1e-9))
    axis_end = ticks * step
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    label_width = max([len(b.label) for b in bars] + [6]) * _CHAR + 12
    texts = [_outcome_text(b, total) for b in bars]
    outcome_width = max([len(t) for t in texts] + [12]) * _CHAR + 12
    x0 = _MARGIN + label_width
    width = max(
        x0 + _PLOT + 12 + outcome_width,
        _MARGIN + len(title) * _TITLE_CHAR,
        _MARGIN + len(subtitle) * _CHAR + 8,
    )
    width += _MARGIN
    top = _TOP + (18 if subtitle else 0)
    rows_end = top + _ROW * len(bars)
    height = rows_end + 64

    def x(seconds: float) -> float:
        return x0 + seconds / axis_end * _PLOT

    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{_n(width)}" height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" '
        'role="img" aria-labelledby="title">',
        f'<title id="title">{_t(title)}: {_t(summary)}</title>',
        f'<rect width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>',
        f'<g font-family="{_t(_FONT)}" font-size="12" fill="#212121">',
        f'<text x="{_n(_MARGIN)}" y="22" font-size="14" font-weight="bold">{_t(title)}</text>',
    ]
    if subtitle:
        out.append(f'<text x="{_n(_MARGIN)}" y="40" fill="#616161">{_t(subtitle)}</text>')
    # The axis: a light line per tick through the rows, its time above.
    for i in range(ticks + 1):
        at = x(i * step)
        seconds = f"{i * step:.{decimals}f}" + (" s" if i == ticks else "")
        out.append(
            f'<line x1="{_n(at)}" y1="{_n(top - 8)}" x2="{_n(at)}" y2="{_n(rows_end)}" '
            'stroke="#e0e0e0"/>'
        )
        out.append(f'<text x="{_n(at)}" y="{_n(top - 14)}" text-anchor="middle">{seconds}</text>')
    for row, (bar, text) in enumerate(zip(bars, texts, strict=True)):
        row_top = top + row * _ROW
        middle = row_top + _ROW / 2 + 4
        ended = total if bar.ended is None else bar.ended
        left, right = x(bar.started), x(ended)
        key = outcome_class(bar.outcome)
        tip = f"{bar.label}: {bar.outcome}, {bar.started:.3f} to {ended:.3f} s"
        out.append(f'<text x="{_n(_MARGIN)}" y="{_n(middle)}">{_t(bar.label)}</text>')
        out.append(
            f'<rect x="{_n(left)}" y="{_n(row_top + (_ROW - _BAR) / 2)}" '
            f'width="{_n(max(2.0, right - left))}" height="{_n(_BAR)}" '
            f'fill="{STYLES[key][1]}"><title>{_t(tip)}</title></rect>'
        )
        out.append(f'<text x="{_n(x0 + _PLOT + 12)}" y="{_n(middle)}">{_t(text)}</text>')
    # The total: a dashed line across the rows.
    at = x(total)
    out.append(
        f'<line x1="{_n(at)}" y1="{_n(top - 8)}" x2="{_n(at)}" y2="{_n(rows_end + 6)}" '
        'stroke="#212121" stroke-dasharray="4 3"/>'
    )
    out.append(f'<text x="{_n(_MARGIN)}" y="{_n(rows_end + 24)}">{_t(summary)}</text>')
    out.extend(_legend(rows_end + 48))
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _outcome_text(bar: Bar, total: float) -> str:
    ended = total if bar.ended is None else bar.ended
    return f"{bar.outcome} {ended - bar.started:.3f} s"


def _legend(y: float) -> list[str]:
    out = []
    left = _MARGIN
    for key in ("connected", "refused", "timed-out", "cancelled", "failed"):
        label, colour = STYLES[key]
        out.append(
            f'<rect x="{_n(left)}" y="{_n(y - 10)}" width="12" height="12" fill="{colour}"/>'
        )
        out.append(f'<text x="{_n(left + 18)}" y="{_n(y)}">{_t(label)}</text>')
        left += 18 + len(label) * _CHAR + 20
    return out
