"""A work list counts all its rows and makes the items of only those it shows
(`portal.accounts.worklist.work_list_of`): the coordinator's lists run into the hundreds."""

from __future__ import annotations

from portal.accounts.worklist import SHOWN, WorkItem, work_list, work_list_of


def test_all_rows_are_counted_and_only_the_shown_are_made() -> None:
    made: list[int] = []

    def item(n: int) -> WorkItem:
        made.append(n)
        return WorkItem(f"Voorstel {n}", f"/v/{n}")

    rows = list(range(3 * SHOWN + 5))
    listed = work_list_of("k", "Titel", rows, item, "/alle")
    assert listed.count == len(rows)
    assert [i.title for i in listed.items] == [f"Voorstel {n}" for n in range(SHOWN)]
    assert made == list(range(SHOWN))
    assert listed.more_href == "/alle"
    # The same list as made eagerly.
    eager = work_list("k", "Titel", [item(n) for n in rows], "/alle")
    assert eager == listed


def test_a_short_list_makes_every_item() -> None:
    listed = work_list_of("k", "Titel", [1, 2], lambda n: WorkItem(str(n), None))
    assert listed.count == 2 and [i.title for i in listed.items] == ["1", "2"]
    assert work_list_of("k", "Titel", [], lambda n: WorkItem(str(n), None)).items == ()
