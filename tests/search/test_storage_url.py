"""``--storage`` URLs: the documented ``postgresql://`` form works with the installed driver, and the password can
stay off the command line."""

from __future__ import annotations

import pytest

from descriptors.errors import InputError
from screen.search.optimize import PASSWORD_ENV, PASSWORD_FILE_ENV, database_url


def test_plain_postgresql_url_uses_the_installed_psycopg2(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_FILE_ENV, raising=False)
    assert database_url("postgresql://user@db.example:5432/runs") == "postgresql+psycopg2://user@db.example:5432/runs"
    assert database_url("postgres://user@db.example/runs").startswith("postgresql+psycopg2://")
    import psycopg2  # the postgres extra's driver, imported by that dialect  # noqa: F401


def test_password_from_the_environment_or_a_file(monkeypatch, tmp_path):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    monkeypatch.setenv(PASSWORD_FILE_ENV, str(secret))
    assert database_url("postgresql://user@h/db") == "postgresql+psycopg2://user:from-file@h/db"
    monkeypatch.setenv(PASSWORD_ENV, "from-env")
    assert database_url("postgresql://user@h/db") == "postgresql+psycopg2://user:from-env@h/db"
    assert database_url("postgresql://user:given@h/db") == "postgresql+psycopg2://user:given@h/db"


def test_unreadable_password_file_is_one_line(monkeypatch, tmp_path):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.setenv(PASSWORD_FILE_ENV, str(tmp_path / "missing"))
    with pytest.raises(InputError, match="INTERLAYER_DB_PASSWORD_FILE: cannot read"):
        database_url("postgresql://user@h/db")
