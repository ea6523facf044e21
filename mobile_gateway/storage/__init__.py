"""Storage: the database engine and sessions, the models, the migrations.

Owns :mod:`.db` (one engine per app, one SQLAlchemy session per request, Alembic run in
code), :mod:`.models` (every table, one module per capability, internal-form text only),
:mod:`.upsert` (the ``INSERT ... ON CONFLICT`` both databases know) and
:mod:`.migrations`. SQLite is the embedded default; PostgreSQL via ``DATABASE_URL``.

Imports nothing of the app: every other package may import this one.

**To add a table**: a model in the module of its capability under :mod:`.models`
(re-exported from there) and a migration in ``migrations/versions/`` (the next number,
``down_revision`` the newest one).
"""
