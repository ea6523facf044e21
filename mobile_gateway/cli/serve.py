"""The ``serve`` command: the app on waitress, the SQLite database made or upgraded first."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..storage import db
from .demo import seed
from .sessions import purge_sessions

__all__ = ["serve_command"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, help="Worker threads.")
@click.option("--demo", "with_demo", is_flag=True, help="Add the demo data first.")
@with_appcontext
def serve_command(host: str, port: int, threads: int, with_demo: bool) -> None:
    """Serve the app with waitress."""
    import waitress

    engine = db.get_engine()
    if engine.dialect.name == "sqlite":
        db.upgrade(engine)
    elif db.current(engine) != db.head():
        raise click.ClickException(
            "The database is not at the newest revision: run `mobile-gateway db upgrade`."
        )
    if with_demo:
        seed()
    purge_sessions()
    app = current_app._get_current_object()
    click.echo(f"Serving on http://{host}:{port}/ with {threads} threads.")
    # With TRUSTED_PROXIES the app reads X-Forwarded-For itself (client_address.py);
    # waitress 3 would drop the header before the app sees it.
    proxies = {"clear_untrusted_proxy_headers": False} if app.config["TRUSTED_PROXIES"] else {}
    waitress.serve(app, host=host, port=port, threads=threads, **proxies)
