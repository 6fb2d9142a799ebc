"""Importing a region's table: read, check every row, then write all of it or nothing.

One flow for the command line (``opvang import``), the API (``POST /v1/imports/{kind}``)
and the dashboard's upload. A dry run reports what would change and every problem, and
writes nothing; a real run writes only when there is no problem at all, and then every
creation and update is audited. Importing the same file twice changes nothing the second
time (issue 16).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from capacity.clock import local_date
from flows.imports.columns import Kind, column_for
from flows.imports.plan import Action, Change, plan
from flows.imports.rows import Problem, parse
from flows.spreadsheets import Table, read_table
from store import Repository, audit, upsert

RECORD_TYPE = {Kind.FACILITIES: "facility", Kind.CASES: "case", Kind.PLACEMENTS: "placement"}


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, or would do.

    Parameters
    ----------
    kind
        What was imported.
    filename
        The file's name (as given).
    dry_run
        Whether nothing was to be written.
    rows
        Data rows in the file.
    changes
        Each row that creates or updates a record.
    unchanged
        Rows whose record is stored as it is.
    problems
        Every problem found; when there is one, nothing was written.
    """

    kind: Kind
    filename: str
    dry_run: bool
    rows: int
    changes: tuple[Change, ...]
    unchanged: int
    problems: tuple[Problem, ...]

    @property
    def written(self) -> bool:
        """Whether the changes were written (not a dry run, and no problem)."""
        return not self.dry_run and not self.problems

    def count(self, action: Action) -> int:
        """Rows that create (or update) a record."""
        return sum(1 for c in self.changes if c.action == action)


def import_file(
    session: Session, kind: Kind, data: bytes, *, filename: str, by: str, dry_run: bool
) -> ImportReport:
    """Import a CSV or XLSX file (see :func:`import_table`).

    Raises
    ------
    InvalidInputError
        When the file cannot be read at all (not CSV or XLSX, not UTF-8, no header).
    """
    return import_table(
        session, kind, read_table(data, filename), filename=filename, by=by, dry_run=dry_run
    )


def import_table(
    session: Session, kind: Kind, table: Table, *, filename: str, by: str, dry_run: bool
) -> ImportReport:
    """Check every row of a table against the domain and the database; write it all when
    nothing is wrong and it is not a dry run.

    The caller owns the transaction: nothing is written when the report has a problem,
    so committing is always safe.

    Parameters
    ----------
    session
        The unit of work.
    kind
        What the table holds.
    table
        The table.
    filename
        Its name, for the report and the audit log.
    by
        Who imports (audited).
    dry_run
        Report only.

    Returns
    -------
    ImportReport
    """
    parsed, problems = parse(kind, table)
    headers = {}
    for text in table.header:
        column = column_for(kind, text)
        if column is not None:
            headers[column.field] = text
    today = local_date(datetime.now(UTC))
    planned = plan(session, kind, parsed, headers=headers, today=today)
    found = sorted([*problems, *planned.problems], key=lambda p: p.row)
    report = ImportReport(
        kind=kind,
        filename=filename,
        dry_run=dry_run,
        rows=len(table.rows),
        changes=planned.changes,
        unchanged=planned.unchanged,
        problems=tuple(found),
    )
    if not report.written:
        return report
    Repository(session).ensure_regions()
    for record in planned.records:
        upsert(session, record)
    for action in Action:
        ids = [c.id for c in planned.changes if c.action == action]
        audit.record_many(
            session,
            actor=by,
            action=f"import.{action}",
            record_type=RECORD_TYPE[kind],
            record_ids=ids,
            detail={"file": filename[:200]},
        )
    audit.record(
        session,
        actor=by,
        action="import.file",
        record_type="import",
        record_id=str(kind),
        detail={
            "file": filename[:200],
            "rows": report.rows,
            "created": report.count(Action.CREATE),
            "updated": report.count(Action.UPDATE),
            "unchanged": report.unchanged,
        },
    )
    return report
