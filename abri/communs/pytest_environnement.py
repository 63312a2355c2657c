"""Loaded by pytest before Django starts (``-p`` in pyproject.toml): the test
environment needs a secret key but no other configuration."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
# The test client speaks plain HTTP; production keeps its HTTPS redirection.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
