"""SECRET_KEY: never one from the source; generated into the instance folder when unset.

The key keys the HMAC of bound subscriber ids and signs the tokens of signed-out forms; a
key that anybody can read in some source (an old default, a tutorial's) makes a 7-character
DoCoMo id fall to offline guessing. The app refuses such a key, and an empty, short or
repetitive one, and with none configured it makes a random key on first run.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support import settings

from mobile_gateway import create_app
from mobile_gateway.config import KNOWN_SECRET_KEYS, ConfigError
from mobile_gateway.storage import db

ROOT = Path(__file__).resolve().parents[1]


def app_on(url, instance_path, **config):
    """Build the production app on *url* with *config* over the test settings."""
    app = create_app(settings.test_config(url, **config), instance_path=str(instance_path))
    db.get_engine(app).dispose()
    return app


def test_generated_into_the_instance_folder(sqlite_url, tmp_path):
    """Unset, a random key is written to instance/secret_key (0600) and read back after."""
    first = app_on(sqlite_url, tmp_path, SECRET_KEY=None)
    key_file = tmp_path / "secret_key"
    key = first.config["SECRET_KEY"]
    assert key_file.read_text().strip() == key and len(key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = app_on(sqlite_url, tmp_path, SECRET_KEY=None)
    assert again.config["SECRET_KEY"] == key
    other = app_on(sqlite_url, tmp_path / "elsewhere", SECRET_KEY=None)
    assert other.config["SECRET_KEY"] != key


@pytest.mark.parametrize(
    "key",
    [*sorted(KNOWN_SECRET_KEYS), "", "short-but-not-empty", "a" * 64, b"\x00" * 40],
    ids=lambda key: repr(key)[:24],
)
def test_bad_keys_refused(sqlite_url, tmp_path, key):
    """A known, empty, short or repetitive key stops the app from starting, saying why."""
    with pytest.raises(ConfigError, match="SECRET_KEY is") as error:
        app_on(sqlite_url, tmp_path, SECRET_KEY=key)
    assert "Bound phones must then re-bind" in str(error.value)
    assert not (tmp_path / "secret_key").exists()


def test_unusable_key_file_refused(sqlite_url, tmp_path):
    """A key file someone cut short is refused, naming the file to delete."""
    (tmp_path / "secret_key").write_text("abc\n")
    with pytest.raises(ConfigError, match="delete .*secret_key"):
        app_on(sqlite_url, tmp_path, SECRET_KEY=None)


def run(*args, env_extra: dict, cwd: Path):
    """Run a command with the repository importable and *env_extra* set."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(PYTHONPATH=str(ROOT), **env_extra)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.sqlite_only
def test_fresh_machine_commands_work(tmp_path):
    """``python -m mobile_gateway demo`` and ``wsgi:app`` run with no key configured."""
    env = {"MOBILE_GATEWAY_INSTANCE_PATH": str(tmp_path / "instance")}
    result = run("-m", "mobile_gateway", "demo", env_extra=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "instance" / "secret_key").read_text().strip()
    assert len(key) >= 32
    result = run(
        "-c",
        "import wsgi; print(wsgi.app.config['SECRET_KEY'])",
        env_extra=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key


@pytest.mark.sqlite_only
def test_known_key_from_the_environment_refused(tmp_path):
    """The old default in the environment: the command says why and exits 1, no traceback."""
    env = {
        "MOBILE_GATEWAY_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "dev-only-change-me",
    }
    result = run("-m", "mobile_gateway", "demo", env_extra=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "SECRET_KEY is a known key" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "instance" / "mobile_gateway.sqlite3").exists()


def bound_phone(app) -> None:
    """Sign taro up and bind an au phone to him with the app's key."""
    from mobile_gateway.accounts import easy_login, users

    with app.app_context():
        session = db.get_session()
        taro = users.signup(session, "taro", "echo-pass-2009")
        easy_login.bind(
            session, taro, app.config["SECRET_KEY"], "au", "00000000000000_mj.ezweb.ne.jp"
        )


def bindings(app) -> int:
    """Return the number of easy-login bindings."""
    from mobile_gateway.storage.models import SubscriberBinding

    with app.app_context():
        return db.get_session().query(SubscriberBinding).count()


def test_rotate_writes_a_new_key_and_drops_bindings(sqlite_url, tmp_path):
    """``secret-key rotate`` replaces the generated key; bound phones must bind again."""
    app = app_on(sqlite_url, tmp_path, SECRET_KEY=None)
    old_key = app.config["SECRET_KEY"]
    bound_phone(app)
    result = app.test_cli_runner().invoke(args=["secret-key", "rotate", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 easy-login binding(s)" in result.output
    new_key = (tmp_path / "secret_key").read_text().strip()
    assert new_key != old_key and len(new_key) >= 32
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert app_on(sqlite_url, tmp_path, SECRET_KEY=None).config["SECRET_KEY"] == new_key
    assert bindings(app) == 0


def test_rotate_refuses_a_configured_key(sqlite_url, tmp_path):
    """A key set in the configuration is changed there; the command says how, then drops."""
    app = app_on(sqlite_url, tmp_path)
    bound_phone(app)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["secret-key", "rotate", "--yes"])
    assert refused.exit_code == 1 and "drop-bindings" in refused.output
    assert bindings(app) == 1 and not (tmp_path / "secret_key").exists()
    dropped = runner.invoke(args=["secret-key", "drop-bindings", "--yes"])
    assert dropped.exit_code == 0 and bindings(app) == 0
