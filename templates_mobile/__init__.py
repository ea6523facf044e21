"""Jinja2 templates of the mobile gateway (installed with the package, found by the app)."""
