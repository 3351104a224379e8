"""Backup and restore of the whole database (`tsunagu backup`, `tsunagu restore`).

SQLite: the online backup API (a consistent copy while the app keeps running). PostgreSQL: pg_dump's custom
format and pg_restore (--clean, one transaction). The keys and the audit checkpoints live outside the database
and are not in the file: back them up separately (README).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """Message in Japanese."""


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, args + ["--dbname", str(db["NAME"])]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} が見つかりません。PostgreSQL のクライアント（Debian: postgresql-client）を入れてください")
    return path


def backup(output: Path) -> Path:
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} はすでにあります。上書きしないので、別の名前を指定してください")
    output.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(output)
        try:
            with target:
                connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        result = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(output), *args],
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            output.unlink(missing_ok=True)
            raise BackupError(f"pg_dump が失敗しました: {result.stderr.strip()}")
    else:
        raise BackupError(f"{connection.vendor} のバックアップには対応していません")
    os.chmod(output, 0o600)  # the whole record of every person: readable by its owner only
    return output


def _kind(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return "unknown"


def restore(source: Path) -> None:
    """Replace the whole database with the backup. Stop the app servers first (README)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} が見つかりません")
    kind = _kind(source)
    if kind != connection.vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "unknown": "tsunagu のバックアップではない"}
        raise BackupError(f"{source} は{names[kind]}のファイルです。このデータベース（{connection.vendor}）には戻せません")
    if kind == "sqlite":
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            problem = src.execute("PRAGMA integrity_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(f"{source} は壊れています: {problem}")
            connection.ensure_connection()
            src.backup(connection.connection)
        finally:
            src.close()
    else:
        connection.close()  # pg_restore drops and recreates every table: no open transaction of ours may hold one
        env, args = _pg_env_and_args()
        result = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                 "--exit-on-error", *args, str(source)], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_restore が失敗しました（データベースは元のままです）: {result.stderr.strip()}")
