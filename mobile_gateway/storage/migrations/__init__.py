"""Alembic migrations of the mobile-gateway schema, configured in code by :mod:`..db`."""
