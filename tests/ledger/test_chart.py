from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.books.chart import WIDTH, Bar, budget_chart

SVG = "{http://www.w3.org/2000/svg}"


def bars() -> list[Bar]:
    return [
        Bar("Proces", 20_000_000, 15_000_000, 12_000_000, 9_000_000),
        Bar("Thema's", 120_000_000, 80_000_000, 64_000_000, 50_000_000, floor_cents=10_000_000),
        Bar("Onvoorzien", 5_000_000, 0, 0, 0, floor_cents=5_000_000),
    ]


def parse(svg: str) -> ET.Element:
    # Our own output, not untrusted input: the standard library parser is fine here.
    return ET.fromstring(svg)  # noqa: S314


def groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-bar"]


def by_class(element: ET.Element, css: str) -> list[ET.Element]:
    return [child for child in element.iter() if child.get("class") == css]


def test_valid_accessible_svg() -> None:
    root = parse(budget_chart(bars(), "Budget 2022"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == str(WIDTH)
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "Budget 2022"
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    # The description gives every figure in Dutch.
    assert "Thema's: budget € 1.200.000,00, verplicht € 800.000,00" in desc.text
    assert "ondergrens € 100.000,00" in desc.text


def test_one_group_per_bar_in_order() -> None:
    root = parse(budget_chart(bars(), "Budget"))
    found = groups(root)
    assert len(found) == 3
    labels = [by_class(group, "chart-label")[0].text for group in found]
    assert labels == ["Proces", "Thema's", "Onvoorzien"]


def test_height_grows_with_bar_count() -> None:
    heights = [int(parse(budget_chart(bars()[:n], "B")).get("height", "0")) for n in (1, 2, 3)]
    assert heights[0] < heights[1] < heights[2]


def test_scaled_to_the_largest_budget() -> None:
    root = parse(budget_chart(bars(), "Budget"))
    widths = [int(by_class(group, "chart-budget")[0].get("width", "-1")) for group in groups(root)]
    assert widths[1] == max(widths) == WIDTH - 32
    assert widths[0] == round((WIDTH - 32) * 20 / 120)
    committed = int(by_class(groups(root)[1], "chart-committed")[0].get("width", "-1"))
    paid = int(by_class(groups(root)[1], "chart-paid")[0].get("width", "-1"))
    assert widths[1] > committed > paid > 0


def test_realised_marker_and_floor_tick_only_when_present() -> None:
    proces, themas, onvoorzien = groups(parse(budget_chart(bars(), "Budget")))
    assert by_class(proces, "chart-realised") and not by_class(proces, "chart-floor")
    assert by_class(themas, "chart-realised") and by_class(themas, "chart-floor")
    assert not by_class(onvoorzien, "chart-realised") and by_class(onvoorzien, "chart-floor")


def test_amounts_formatted_dutch() -> None:
    svg = budget_chart(bars(), "Budget")
    amounts = " ".join(element.text or "" for element in by_class(parse(svg), "chart-amounts"))
    assert "Budget € 1.200.000,00" in amounts
    assert "verplicht € 800.000,00" in amounts
    assert "betaald € 640.000,00" in amounts
    assert "Gerealiseerd € 500.000,00" in amounts
    assert "ondergrens € 100.000,00" in amounts


def test_labels_and_title_are_escaped() -> None:
    svg = budget_chart(
        [Bar("<script>alert(1)</script> & \"co\" 'x'", 100, 50, 25, 10)], "<b>Budget</b> & co"
    )
    assert "<script>" not in svg
    assert "<b>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<b>Budget</b> & co"  # type: ignore[union-attr]
    label = by_class(groups(root)[0], "chart-label")[0]
    assert label.text == "<script>alert(1)</script> & \"co\" 'x'"


def test_no_inline_styles_or_scripts() -> None:
    svg = budget_chart(bars(), "Budget")
    assert "style=" not in svg
    assert "<style" not in svg
    assert "<script" not in svg
    assert "on" + "load" not in svg


def test_legend_names_every_layer() -> None:
    root = parse(budget_chart(bars(), "Budget"))
    legend = by_class(root, "chart-legend")[0]
    names = [element.text for element in by_class(legend, "chart-legend-label")]
    assert names == ["Budget", "Verplicht", "Betaald", "Gerealiseerd", "Ondergrens"]


def test_zero_budgets_do_not_crash() -> None:
    root = parse(budget_chart([Bar("Leeg", 0, 0, 0, 0), Bar("Ook leeg", 0, 0, 0, 0)], "Nul"))
    for group in groups(root):
        for css in ("chart-budget", "chart-committed", "chart-paid"):
            assert by_class(group, css)[0].get("width") == "0"
    assert "€ 0,00" in ET.tostring(root, encoding="unicode")


def test_no_bars_at_all() -> None:
    root = parse(budget_chart([], "Niets"))
    assert groups(root) == []
    assert by_class(root, "chart-empty")[0].text == "Geen gegevens."


def test_figures_beyond_the_budget_stay_on_the_chart() -> None:
    root = parse(budget_chart([Bar("Over", 100, 150, 120, 200, floor_cents=300)], "B"))
    group = groups(root)[0]
    for css in ("chart-budget", "chart-committed", "chart-paid"):
        assert int(by_class(group, css)[0].get("width", "-1")) <= WIDTH - 32


def test_characters_xml_forbids_are_dropped() -> None:
    root = parse(budget_chart([Bar("a\x00b\x0bc\ufffe", 1, 1, 1, 1)], "t\x1bitel"))
    assert by_class(groups(root)[0], "chart-label")[0].text == "abc"
    assert root.find(f"{SVG}title").text == "titel"  # type: ignore[union-attr]


def test_refuse_unusable_chart_id() -> None:
    with pytest.raises(ValueError):
        budget_chart(bars(), "B", chart_id='x" onload="alert(1)')
    root = parse(budget_chart(bars(), "B", chart_id="chart-2022"))
    assert root.get("aria-labelledby") == "chart-2022-title"


bar_strategy = st.builds(
    Bar,
    label=st.text(max_size=40),
    budget_cents=st.integers(min_value=0, max_value=10**12),
    committed_cents=st.integers(min_value=0, max_value=10**12),
    paid_cents=st.integers(min_value=0, max_value=10**12),
    realised_cents=st.integers(min_value=0, max_value=10**12),
    floor_cents=st.integers(min_value=0, max_value=10**12),
)


@given(st.lists(bar_strategy, max_size=6), st.text(max_size=30))
def test_any_input_gives_well_formed_svg(chart_bars: list[Bar], title: str) -> None:
    root = parse(budget_chart(chart_bars, title))
    assert len(groups(root)) == len(chart_bars)
    for element in root.iter():
        width = element.get("width")
        if width is not None:
            assert 0 <= int(width) <= WIDTH
