"""A finished test's application is freed (the suite's memory stays flat)."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from tests.conftest import forget_fastapi_caches


def test_an_application_no_longer_used_is_freed(tmp_path: Path) -> None:
    app = create_app(ApiSettings(database_url=f"sqlite:///{tmp_path / 'opvang.db'}"))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/docs").status_code == 200
    gone = weakref.ref(app)
    del app, client
    forget_fastapi_caches()
    gc.collect()
    assert gone() is None, [type(r).__name__ for r in gc.get_referrers(gone())]
