"""The whole schema: the domain's tables and the service's, on one metadata.

What the migrations and the schema tests compare with; importing it registers every table.
"""

from __future__ import annotations

from store import models
from store.service import models as service_models

METADATA = models.Base.metadata
TABLES: tuple[str, ...] = tuple(METADATA.tables)

__all__ = ["METADATA", "TABLES", "service_models"]
