"""Loaded by pytest before Django starts (``-p`` in pyproject.toml): the test
environment needs a secret key but no other configuration."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
# The test client speaks plain HTTP; production keeps its HTTPS redirection.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# The live server's request threads must close their connections after each
# request, or PostgreSQL refuses to drop the test database at the end.
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")
