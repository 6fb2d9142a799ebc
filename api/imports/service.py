"""Imports: a file checked row by row and written whole, or only checked (a dry run)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.imports.schemas import (
    ImportChangePublic,
    ImportProblemPublic,
    ImportReportPublic,
)
from flows.imports import Action, ImportReport, Kind, import_file
from store.service import StoredUser


class ImportRefusedError(Exception):
    """A real import with problems: nothing was written (the router answers 422)."""

    def __init__(self, report: ImportReportPublic) -> None:
        self.report = report
        super().__init__(f"{len(report.problems)} problem(s)")


def public(report: ImportReport) -> ImportReportPublic:
    """The API's record of an import report."""
    return ImportReportPublic(
        kind=report.kind,
        filename=report.filename,
        dry_run=report.dry_run,
        written=report.written,
        rows=report.rows,
        created=report.count(Action.CREATE),
        updated=report.count(Action.UPDATE),
        unchanged=report.unchanged,
        changes=[
            ImportChangePublic(row=c.row, id=c.id, action=c.action, fields=list(c.fields))
            for c in report.changes
        ],
        problems=[
            ImportProblemPublic(row=p.row, column=p.column, value=p.value, reason=p.reason)
            for p in report.problems
        ],
    )


def create(
    session: Session,
    *,
    kind: Kind,
    filename: str,
    content: bytes,
    dry_run: bool,
    user: StoredUser,
) -> ImportReportPublic:
    """Import (or check) a file; a real import with problems raises :class:`ImportRefusedError`."""
    report = import_file(session, kind, content, filename=filename, by=user.name, dry_run=dry_run)
    answer = public(report)
    if report.problems and not dry_run:
        raise ImportRefusedError(answer)
    return answer
