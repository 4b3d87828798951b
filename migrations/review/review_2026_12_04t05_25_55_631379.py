"""The fixed columns c1–c4, r1, r3, r4 and their motivations become the review's `scores` and
`notes` by criterion code (proposals/criteria.py): copied first (raw steps run before the
columns are dropped), then dropped. Backwards the columns come back empty."""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-04T05:25:55:631379"
VERSION = "1.38.0"
DESCRIPTION = "Scores from their columns into the per-code scores and notes; the columns go"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="review", description=DESCRIPTION
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="c1",
        db_column_name="c1",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="c1_motivation",
        db_column_name="c1_motivation",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="c2",
        db_column_name="c2",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="c2_motivation",
        db_column_name="c2_motivation",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="c3",
        db_column_name="c3",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="c3_motivation",
        db_column_name="c3_motivation",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="c4",
        db_column_name="c4",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="c4_motivation",
        db_column_name="c4_motivation",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="r1",
        db_column_name="r1",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="r1_explanation",
        db_column_name="r1_explanation",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="r3",
        db_column_name="r3",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="r3_explanation",
        db_column_name="r3_explanation",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="r4",
        db_column_name="r4",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Review",
        tablename="review",
        column_name="r4_explanation",
        db_column_name="r4_explanation",
        schema=None,
    )


    async def copy_scores():
        engine = engine_finder()
        rows = await engine.run_querystring(
            QueryString(
                "SELECT id, c1, c2, c3, c4, c1_motivation, c2_motivation, c3_motivation, "
                "c4_motivation, r1, r3, r4, r1_explanation, r3_explanation, r4_explanation "
                "FROM review"
            )
        )
        for row in rows:
            scores, notes = {}, {}
            for code in ("c1", "c2", "c3", "c4"):
                if row[code] is not None:
                    scores[code.upper()] = int(row[code])
                if row[f"{code}_motivation"]:
                    notes[code.upper()] = row[f"{code}_motivation"]
            for code in ("r1", "r3", "r4"):
                if row[code]:
                    scores[code.upper()] = row[code]
                if row[f"{code}_explanation"]:
                    notes[code.upper()] = row[f"{code}_explanation"]
            await engine.run_querystring(
                QueryString(
                    "UPDATE review SET scores = {}, notes = {} WHERE id = {}",
                    json.dumps(scores),
                    json.dumps(notes),
                    row["id"],
                )
            )

    manager.add_raw(copy_scores)
    return manager
