"""An import as the API takes and answers it (issue 16)."""

from __future__ import annotations

from pydantic import Base64Bytes, BaseModel, ConfigDict, Field

from api.types import InputModel
from flows.imports import Action, Kind

FILENAME_PATTERN = r"(?i)^[^/\\]+\.(csv|xlsx)$"  # a name, no folders; the extension says how


class ImportCreate(InputModel):
    """A CSV or XLSX file, its bytes in base64 (a JSON body: the API takes only JSON)."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(
        min_length=5,
        max_length=200,
        pattern=FILENAME_PATTERN,
        description="The file's name, ending in .csv or .xlsx (it decides how it is read).",
    )
    content: Base64Bytes = Field(description="The file, base64-encoded.")


class ImportProblemPublic(BaseModel):
    row: int = Field(description="Row number as a spreadsheet program shows it (header: 1).")
    column: str = Field(description="The column's header as the file has it.")
    value: str = Field(description="The cell as text (empty: an empty cell).")
    reason: str


class ImportChangePublic(BaseModel):
    row: int
    id: str
    action: Action
    fields: list[str] = Field(description="The fields an update changes.")


class ImportReportPublic(BaseModel):
    """What the import did (or, in a dry run or with problems, would do)."""

    kind: Kind
    filename: str
    dry_run: bool
    written: bool = Field(description="Whether anything was written.")
    rows: int
    created: int
    updated: int
    unchanged: int
    changes: list[ImportChangePublic]
    problems: list[ImportProblemPublic]
