"""The dashboard under test: a small world with signed-up users, and a live demo server.

``small world`` (:func:`seed`), as in ``tests/api``: ``ws-amsterdam`` (women's shelter of
HVO-Querido in Amsterdam, 4 beds, 1 taken, last report 2 free an hour ago) and
``cosm-leeuwarden`` (COSM of Fier, 6 beds); cases ``C-2026-0001`` .. ``0004`` waiting,
``0005`` placed; run 1 proposes ``0001`` and ``0002`` at ``ws-amsterdam`` from today.
Every user of :data:`USERS` has the password :data:`PASSWORD` and a bearer token.

The browser tests (``test_browser.py``) run against :func:`live_server`: uvicorn in a
thread on 127.0.0.1 (a free port) over an SQLite file with the national demo dataset and
the demo users of ``opvang serve --demo``.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text as sa_text

from api.app import create_app
from api.auth.passwords import hash_password
from api.auth.tokens import hash_token, new_token
from api.cli.serve import load_demo
from api.settings import ApiSettings
from api.web.demo_users import demo_logins
from capacity import (
    CaseStatus,
)
from capacity.clock import local_date
from store import (
    DecisionRepository,
    ProposalDraft,
    Repository,
    RunRecord,
    ensure_database,
    make_engine,
    session_scope,
)
from store.service import UserRepository
from tests.seed_world import small_dataset

PASSWORD = "correct horse battery staple"  # every test user's password
USERS = {
    "coordinator": ("intake_coordinator", None, None),
    "policymaker": ("policymaker", None, None),
    "reporter-hvo": ("region_reporter", "hvo-querido", None),  # owns ws-amsterdam
    "reporter-fier": ("region_reporter", "fier", None),  # owns cosm-leeuwarden
    "admin": ("admin", None, None),
}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class World:
    url: str
    tokens: dict[str, str]
    proposal_ids: tuple[int, ...]

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def _run(session: Any, drafts: list[ProposalDraft], now: datetime) -> tuple[int, ...]:
    record = RunRecord(
        created_by="seed",
        as_of=now,
        inputs_hash="0" * 64,
        rulebook_version="national-v1",
        rulebook_hash="0" * 64,
        parameters={"time_limit": 1.0, "seed": 0},
        status="optimal",
        objective=0.0,
        bound=0.0,
        gap=0.0,
        method="seed",
        build_seconds=0.0,
        solve_seconds=0.0,
        cases=len(drafts),
    )
    _, proposals = DecisionRepository(session).add_run(
        record, drafts, case_ids=[d.case_id for d in drafts]
    )
    return tuple(p.id for p in proposals)


def seed(url: str) -> World:
    """The small world (module docstring) in an empty database."""
    now = datetime.now(UTC)
    today = local_date(now)
    password_hash = hash_password(PASSWORD)  # one hash for all: scrypt is slow on purpose
    tokens = {}
    engine = ensure_database(url)
    try:
        with session_scope(engine, immediate=True) as session:
            Repository(session).save_dataset(small_dataset(now))
            users = UserRepository(session)
            for name, (role, provider, region) in USERS.items():
                user = users.add_user(
                    name=name,
                    role=role,
                    provider_id=provider,
                    region_id=region,
                    password_hash=password_hash,
                )
                tokens[name] = new_token()
                users.add_token(user_id=user.id, token_hash=hash_token(tokens[name]))
            drafts = [
                ProposalDraft(c, "ws-amsterdam", 1, today, "Meets: all criteria.", ("women",))
                for c in ("C-2026-0001", "C-2026-0002")
            ]
            proposal_ids = _run(session, drafts, now)
    finally:
        engine.dispose()
    return World(url, tokens, proposal_ids)


@pytest.fixture(scope="session")
def template_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The small world in an SQLite file, made once and copied for each test."""
    return seed(f"sqlite:///{tmp_path_factory.mktemp('web-template') / 'opvang.db'}")


@pytest.fixture
def world(database_url: str, template_world: World) -> World:
    """The small world on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""
    if database_url.startswith("sqlite:///"):
        target = Path(database_url.removeprefix("sqlite:///"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(template_world.url.removeprefix("sqlite:///")), target)
        return World(database_url, template_world.tokens, template_world.proposal_ids)
    return seed(database_url)


@pytest.fixture
def app(world: World) -> FastAPI:
    return create_app(ApiSettings(database_url=world.url))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A browser-like client: cookies kept, redirects not followed (tests look at them)."""
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture
def quick_world(template_world: World, tmp_path: Path) -> World:
    """The small world on SQLite only, for tests of what does not depend on the database."""
    target = tmp_path / "quick" / "opvang.db"
    target.parent.mkdir()
    shutil.copyfile(Path(template_world.url.removeprefix("sqlite:///")), target)
    return World(f"sqlite:///{target}", template_world.tokens, template_world.proposal_ids)


@pytest.fixture
def quick_app(quick_world: World) -> FastAPI:
    return create_app(ApiSettings(database_url=quick_world.url))


@pytest.fixture
def quick_client(quick_app: FastAPI) -> Iterator[TestClient]:
    """:func:`client` on :func:`quick_world`."""
    with TestClient(quick_app, follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    """The CSRF token written into a page's forms."""
    found = CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    answer = client.post(
        "/login", data={"username": name, "password": password, "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(_any_form_page(client))


def _any_form_page(client: TestClient) -> str:
    """A signed-in page (every one has the sign-out form, with the session's token)."""
    start = client.get("/")
    assert start.status_code == 303, start.text
    return client.get(start.headers["location"]).text


class PageFacts(HTMLParser):
    """What the accessibility checks look at in a page's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.h1 = 0
        self.fields: list[str] = []  # ids of the fields a person fills in
        self.unnamed: list[str] = []  # such fields without an id (no label can name them)
        self.labels: set[str] = set()  # ids named by <label for=...>
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        elif tag in ("input", "select", "textarea"):
            if a.get("type") in ("hidden", "submit", "button", "reset", "image"):
                return
            if a.get("id"):
                self.fields.append(a["id"] or "")
            else:
                self.unnamed.append(a.get("name") or tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def accessibility_problems(html: str) -> list[str]:
    """A title, exactly one h1, and a <label> for every field."""
    facts = PageFacts()
    facts.feed(html)
    problems = []
    if not facts.title.strip():
        problems.append("no <title>")
    if facts.h1 != 1:
        problems.append(f"{facts.h1} <h1> elements")
    problems += [f"field {name!r} has no id for a label" for name in facts.unnamed]
    problems += [f"field #{i} has no <label>" for i in facts.fields if i not in facts.labels]
    return problems


def execute(url: str, statement: str) -> None:
    """Run one SQL statement on the world's database, as a row was stored by hand or by an
    older version."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa_text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def web() -> Any:
    """The helpers above, for test files (test files are not a package)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        csrf_of=csrf_of,
        sign_in=sign_in,
        accessibility_problems=accessibility_problems,
        PASSWORD=PASSWORD,
        USERS=USERS,
        seed=seed,
        execute=execute,
    )


# -- the live server and the browser -------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    url: str
    passwords: dict[str, str]  # of the demo users, by name
    case_id: str  # a waiting case of the demo


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``opvang serve --demo`` in a thread: the demo dataset, the demo users, a free port."""
    import uvicorn

    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'opvang.db'}"
    engine = ensure_database(url)
    try:
        load_demo(engine, now=datetime.now(UTC))
        passwords = {login.name: login.password for login in demo_logins(engine)}
        with session_scope(engine) as session:
            case_id = Repository(session).cases(status=CaseStatus.WAITING)[0].id
    finally:
        engine.dispose()
    app = create_app(ApiSettings(database_url=url, matching_time_limit=5))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the live server did not start"
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", passwords, case_id)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never ``playwright install``)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's outcome on the test item (for screenshots on failure)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@dataclass
class Visits:
    """Screenshots of every page a test checked, written out if the test fails."""

    shots: list[tuple[str, bytes]] = field(default_factory=list)


@pytest.fixture
def visits() -> Visits:
    return Visits()


@pytest.fixture
def page(
    browser: Any,
    live_server: LiveServer,
    visits: Visits,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Iterator[Any]:
    """A fresh browser context on the live server; screenshots under tmp_path on failure."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            folder = tmp_path / "screenshots"
            folder.mkdir(exist_ok=True)
            for i, (name, png) in enumerate(visits.shots):
                (folder / f"{i:02d}-{name}.png").write_bytes(png)
            for i, open_tab in enumerate(context.pages):
                open_tab.screenshot(path=str(folder / f"last-{i}.png"), full_page=True)
                (folder / f"last-{i}.html").write_text(open_tab.content(), encoding="utf-8")
            print(f"screenshots of the failed test: {folder}")
        context.close()
