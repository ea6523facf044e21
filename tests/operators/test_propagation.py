"""A change saved on one running server is used by another within seconds, without a restart."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.console import AU_ONLY, DOCOMO_UA, PC_UA, csrf, hidden_fields
from support.settings import PASSWORD, SECRET_KEY

from mobile_gateway.accounts import users
from mobile_gateway.echo.text import clean_body
from mobile_gateway.storage import db
from mobile_gateway.storage.models import Echo

#: The brief: every instance uses a change within this many seconds.
PROPAGATION_LIMIT = 5.0
#: One app instance: the production app factory served by waitress on the given port.
SERVER = (
    "import sys, waitress\n"
    "from mobile_gateway import create_app\n"
    "waitress.serve(create_app(), host='127.0.0.1', port=int(sys.argv[1]), threads=2)\n"
)
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(opener, url: str, data: dict | None = None, user_agent: str = PC_UA) -> bytes:
    """GET (or POST *data* as a UTF-8 form) and return the body."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, body, headers={"User-Agent": user_agent})
    with opener.open(request, timeout=10) as response:
        return response.read()


@contextmanager
def instance(url: sa.URL, log: Path):
    """Run one app instance in its own process on *url*; yield its base URL."""
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=url.render_as_string(hide_password=False),
        SECRET_KEY=SECRET_KEY,
        PYTHONPATH=str(ROOT),
    )
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_up(base: str, process, log: Path, deadline: float) -> None:
    """Wait until the instance answers."""
    opener = urllib.request.build_opener()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {log.read_text(errors='replace')}")
        try:
            fetch(opener, base + "/")
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"server did not start: {log.read_text(errors='replace')}")


@pytest.fixture
def database(pg_schemas):
    """A fresh PostgreSQL schema with an operator and an echo holding au's F370."""
    url = pg_schemas.create()
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.make_session_factory(engine)() as session:
        users.signup(session, "op", PASSWORD)
        users.grant_operator(session, "op")
        author = users.signup(session, "hanako", PASSWORD)
        echo = Echo(author=author, body=clean_body("晴れ" + AU_ONLY))
        session.add(echo)
        session.commit()
        echo_id = echo.id
    engine.dispose()
    return url, echo_id


def test_change_reaches_the_other_instance(database, tmp_path):
    """A mapping saved on instance A's console is used on instance B within 5 seconds."""
    url, echo_id = database
    with ExitStack() as stack:
        (a, a_process), (b, b_process) = (
            stack.enter_context(instance(url, tmp_path / f"{name}.log")) for name in "ab"
        )
        deadline = time.monotonic() + 30
        wait_up(a, a_process, tmp_path / "a.log", deadline)
        wait_up(b, b_process, tmp_path / "b.log", deadline)
        phone = urllib.request.build_opener()
        page = f"{b}/echo/{echo_id}"
        before = fetch(phone, page, user_agent=DOCOMO_UA)
        assert "晴れ".encode("cp932") + b"\x81\xac" in before  # 〓: DoCoMo has no such emoji

        # The operator saves the change through A's console.
        pc = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        token = csrf(fetch(pc, f"{a}/login").decode())
        fetch(pc, f"{a}/login", {"_cs": "あ", "_csrf": token, "name": "op", "password": PASSWORD})
        token = csrf(fetch(pc, f"{a}/admin/").decode())
        preview = fetch(
            pc,
            f"{a}/admin/emoji/preview",
            {
                "_cs": "あ",
                "_csrf": token,
                "op": "carrier_only",
                "carrier": "au",
                "code": "F370",
                "means": "☀️",
            },
        ).decode()
        assert "Affects output" in preview
        saved = fetch(
            pc,
            f"{a}/admin/emoji/save",
            {**hidden_fields(preview, "/admin/emoji/save"), "reason": "au F370 is the sun"},
        )
        assert b"Saved: emoji table version 1" in saved
        started = time.monotonic()
        assert b"\xf8\x9f" in fetch(phone, f"{a}/echo/{echo_id}", user_agent=DOCOMO_UA)

        # B, which loaded version 0 before, picks version 1 up by itself.
        while True:
            body = fetch(phone, page, user_agent=DOCOMO_UA)
            elapsed = time.monotonic() - started
            if "晴れ".encode("cp932") + b"\xf8\x9f" in body:
                break
            assert elapsed < PROPAGATION_LIMIT, f"B still sends {body[-200:]!r}"
            time.sleep(0.1)
        assert elapsed < PROPAGATION_LIMIT
        assert re.search(rb"\xf8\x9f", body)
