"""A server-side SVG bar chart of budget, committed, paid and realised amounts.

No JavaScript and no inline styles (the Content-Security-Policy forbids `style=`): colours are
SVG presentation attributes, and every element carries a class name a stylesheet can target.
The chart is one accessible image (role="img" with a <title> and a Dutch <desc> listing every
figure), so a screen reader gets the numbers without the picture. The amounts are also printed
under each bar, so nothing depends on telling colours apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from portal.lib.money import format_euros

WIDTH = 720
PADDING = 16
PLOT_WIDTH = WIDTH - 2 * PADDING

TITLE_Y = 24
LEGEND_Y = 44  # top of the legend swatches
ROWS_Y = 76  # top of the first bar group
ROW_HEIGHT = 96
BOTTOM = 8

# Offsets inside one bar group.
LABEL_Y = 14
BAR_Y = 24
BAR_HEIGHT = 24
AMOUNTS_Y = BAR_Y + BAR_HEIGHT + 18
AMOUNTS_2_Y = AMOUNTS_Y + 17

# Colours (checked against WCAG 2.1 non-text contrast, 3:1 for graphics): the light budget bar has
# a dark outline (7.6:1 on white), committed is light blue with a dark-blue outline, paid is dark
# blue (4:1 on the committed blue), the realised marker is near-black and the floor tick red;
# both markers reach beyond the bar so they stand out on every fill. Text is near-black.
TEXT = "#111827"
BUDGET_FILL = "#f3f4f6"
BUDGET_STROKE = "#4b5563"
COMMITTED_FILL = "#60a5fa"
COMMITTED_STROKE = "#1e40af"
PAID_FILL = "#1e3a8a"
REALISED = "#111827"
FLOOR = "#b91c1c"

_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Characters XML 1.0 does not allow at all (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Bar:
    label: str
    budget_cents: int
    committed_cents: int
    paid_cents: int
    realised_cents: int
    floor_cents: int = 0


def budget_chart(bars: Sequence[Bar], title: str, *, chart_id: str = "budget-chart") -> str:
    """An accessible SVG bar chart, one group per bar, scaled to the largest amount.

    The largest amount is normally the largest budget; should another figure exceed it, the
    scale grows so that no bar runs off the chart.

    `chart_id` prefixes the ids of <title> and <desc>; give each chart on one page its own.
    """
    if not _CHART_ID.fullmatch(chart_id):
        raise ValueError(f"Not a usable id: {chart_id!r}")
    height = ROWS_Y + max(len(bars), 1) * ROW_HEIGHT + BOTTOM
    scale = max(
        (
            max(
                bar.budget_cents,
                bar.committed_cents,
                bar.paid_cents,
                bar.realised_cents,
                bar.floor_cents,
            )
            for bar in bars
        ),
        default=0,
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="budget-chart" role="img" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="system-ui, sans-serif" fill="{TEXT}">',
        f'<title id="{chart_id}-title">{_xml_text(title)}</title>',
        f'<desc id="{chart_id}-desc">{_xml_text(_summary(bars))}</desc>',
        _text(PADDING, TITLE_Y, title, "chart-heading", size=16, bold=True),
        _legend(),
    ]
    if not bars:
        parts.append(_text(PADDING, ROWS_Y + LABEL_Y, "Geen gegevens.", "chart-empty"))
    for index, bar in enumerate(bars):
        parts.append(_bar_group(bar, ROWS_Y + index * ROW_HEIGHT, scale))
    parts.append("</svg>")
    return "\n".join(parts)


def _bar_group(bar: Bar, top: int, scale: int) -> str:
    bar_top = top + BAR_Y
    bar_bottom = bar_top + BAR_HEIGHT
    parts = [
        '<g class="chart-bar">',
        f"<title>{_xml_text(_bar_summary(bar))}</title>",
        _text(PADDING, top + LABEL_Y, bar.label, "chart-label", bold=True),
        _rect(
            "chart-budget",
            bar_top,
            BAR_HEIGHT,
            _width(bar.budget_cents, scale),
            fill=BUDGET_FILL,
            stroke=BUDGET_STROKE,
        ),
        # Committed and paid sit inside the budget bar, each a little narrower, so the layers stay
        # apart even without colour.
        _rect(
            "chart-committed",
            bar_top + 3,
            BAR_HEIGHT - 6,
            _width(bar.committed_cents, scale),
            fill=COMMITTED_FILL,
            stroke=COMMITTED_STROKE,
        ),
        _rect(
            "chart-paid",
            bar_top + 7,
            BAR_HEIGHT - 14,
            _width(bar.paid_cents, scale),
            fill=PAID_FILL,
        ),
    ]
    if bar.realised_cents > 0:
        x = PADDING + _width(bar.realised_cents, scale)
        parts.append(
            f'<path class="chart-realised" d="M{x} {bar_top - 5}V{bar_bottom + 5}'
            f'M{x - 4} {bar_top - 5}h8" stroke="{REALISED}" stroke-width="3" fill="none"/>'
        )
    if bar.floor_cents > 0:
        x = PADDING + _width(bar.floor_cents, scale)
        parts.append(
            f'<line class="chart-floor" x1="{x}" y1="{bar_top - 6}" x2="{x}" y2="{bar_bottom + 6}" '
            f'stroke="{FLOOR}" stroke-width="2" stroke-dasharray="4 2"/>'
        )
    parts.append(
        _text(
            PADDING,
            top + AMOUNTS_Y,
            f"Budget {format_euros(bar.budget_cents)} · "
            f"verplicht {format_euros(bar.committed_cents)} · "
            f"betaald {format_euros(bar.paid_cents)}",
            "chart-amounts",
            size=12,
        )
    )
    second_line = f"Gerealiseerd {format_euros(bar.realised_cents)}"
    if bar.floor_cents > 0:
        second_line += f" · ondergrens {format_euros(bar.floor_cents)}"
    parts.append(_text(PADDING, top + AMOUNTS_2_Y, second_line, "chart-amounts", size=12))
    parts.append("</g>")
    return "\n".join(parts)


def _legend() -> str:
    y = LEGEND_Y
    mid = y + 7
    items = [
        f'<rect x="0" y="{y}" width="14" height="14" fill="{BUDGET_FILL}" '
        f'stroke="{BUDGET_STROKE}"/>',
        f'<rect x="0" y="{y}" width="14" height="14" fill="{COMMITTED_FILL}" '
        f'stroke="{COMMITTED_STROKE}"/>',
        f'<rect x="0" y="{y + 2}" width="14" height="10" fill="{PAID_FILL}"/>',
        f'<path d="M7 {y - 2}V{y + 16}M3 {y - 2}h8" stroke="{REALISED}" stroke-width="3" '
        f'fill="none"/>',
        f'<line x1="7" y1="{y - 2}" x2="7" y2="{y + 16}" stroke="{FLOOR}" stroke-width="2" '
        f'stroke-dasharray="4 2"/>',
    ]
    names = ["Budget", "Verplicht", "Betaald", "Gerealiseerd", "Ondergrens"]
    classes = ["budget", "committed", "paid", "realised", "floor"]
    parts = ['<g class="chart-legend">']
    for index, (swatch, name, css) in enumerate(zip(items, names, classes, strict=True)):
        x = PADDING + index * 136
        parts.append(f'<g class="chart-legend-{css}" transform="translate({x} 0)">')
        parts.append(swatch)
        parts.append(_text(20, mid + 5, name, "chart-legend-label", size=13))
        parts.append("</g>")
    parts.append("</g>")
    return "\n".join(parts)


def _width(cents: int, scale: int) -> int:
    """Pixels for an amount on a scale where `scale` fills the plot; whole pixels, rounded."""
    if scale <= 0 or cents <= 0:
        return 0
    return (min(cents, scale) * PLOT_WIDTH + scale // 2) // scale


def _rect(css: str, y: int, height: int, width: int, *, fill: str, stroke: str = "") -> str:
    outline = f' stroke="{stroke}"' if stroke and width else ""
    return (
        f'<rect class="{css}" x="{PADDING}" y="{y}" width="{width}" height="{height}" '
        f'fill="{fill}"{outline}/>'
    )


def _text(x: int, y: int, content: str, css: str, *, size: int = 13, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text class={quoteattr(css)} x="{x}" y="{y}" font-size="{size}"{weight}>'
        f"{_xml_text(content)}</text>"
    )


def _xml_text(text: str) -> str:
    """Text content safe inside an SVG element: escaped, and without characters XML forbids."""
    return escape(_NOT_XML.sub("", text))


def _bar_summary(bar: Bar) -> str:
    summary = (
        f"{bar.label}: budget {format_euros(bar.budget_cents)}, "
        f"verplicht {format_euros(bar.committed_cents)}, "
        f"betaald {format_euros(bar.paid_cents)}, "
        f"gerealiseerd {format_euros(bar.realised_cents)}"
    )
    if bar.floor_cents > 0:
        summary += f", ondergrens {format_euros(bar.floor_cents)}"
    return summary + "."


def _summary(bars: Sequence[Bar]) -> str:
    if not bars:
        return "Staafdiagram zonder gegevens."
    lines = " ".join(_bar_summary(bar) for bar in bars)
    return f"Staafdiagram van budget, verplicht, betaald en gerealiseerd bedrag per regel. {lines}"
