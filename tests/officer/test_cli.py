"""`python -m bot officer ...` speaks Indonesian, like the console (in-process, real database)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import get_settings
from tests.utils.officer import PASSWORD

ENGLISH = ("account", "created", "error:", "password of", "active", "its sessions", "role ")


def _run(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_officer_cli_messages_are_indonesian(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _run(
        ["officer", "create", "--username", "budi", "--role", "officer", "--unit", "satpas",
         "--name", "Budi", "--password-stdin"],
        capsys, monkeypatch, PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, err
    assert "Akun budi dibuat" in out and "petugas" in out

    code, out, err = _run(
        ["officer", "create", "--username", "budi", "--role", "officer", "--unit", "satpas",
         "--password-stdin"],
        capsys, monkeypatch, PASSWORD + "\n",
    )  # fmt: skip
    assert code == 1 and err.startswith("Gagal: ") and "sudah dipakai" in err

    code, out, err = _run(
        ["officer", "create", "--username", "ani", "--role", "admin", "--password-stdin"],
        capsys, monkeypatch, "pendek\n",
    )  # fmt: skip
    assert code == 1 and err.startswith("Gagal: ")

    code, out, err = _run(
        ["officer", "set-password", "--username", "budi", "--password-stdin"],
        capsys, monkeypatch, PASSWORD + "-baru\n",
    )  # fmt: skip
    assert code == 0, err
    assert "Kata sandi budi diganti" in out

    code, out, err = _run(["officer", "list"], capsys, monkeypatch)
    assert code == 0
    assert "budi" in out and "aktif" in out and "satpas" in out

    for text in (out, err):
        for english in ENGLISH:
            assert english not in text.lower(), (english, text)


def test_officer_cli_help_is_indonesian(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit):
        _run(["officer", "create", "--help"], capsys, monkeypatch)
    out = capsys.readouterr().out
    assert "kata sandi" in out.lower() and "unit" in out
    assert "create an account" not in out and "display name" not in out


def test_officer_list_on_a_new_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh install: the database is prepared and the answer is a sentence, not a
    traceback about a missing table."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'baru.db'}")
    get_settings.cache_clear()
    try:
        code, out, err = _run(["officer", "list"], capsys, monkeypatch)
    finally:
        get_settings.cache_clear()
    assert code == 0, err
    assert "Belum ada akun" in out
