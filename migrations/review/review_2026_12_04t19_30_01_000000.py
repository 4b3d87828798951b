"""Indexes for the counts of reviews and the reviewer's answered questions.

Reviews are counted per proposal and state (the coordinator's start page: of the proposal's
current version; the rounds overview: per round). With only the index on proposal, each of the
thousands of reviews was read from its row; (proposal, version, state) answers both from the
index alone (rounds overview 9 → 3 ms of SQL in the bench data set). The reviewer's start page
lists the questions they asked that have been answered; without an index on asked_by it walked
every question of the network's proposals (4 ms → 0,02 ms).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T19:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes review (proposal, version, state) and question (asked_by, answered_at)"

INDEXES = {
    "review_proposal_version_state": "review (proposal, version, state)",
    "question_asked_by": "question (asked_by, answered_at)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="review", description=DESCRIPTION)

    async def create_indexes():
        for name, on in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {on}")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
