"""A ledger import killed half-way (kill -9) leaves nothing: the one transaction never committed (issue 14.3).

The import runs in a real `tsunagu import` process against its own database (a fresh SQLite file, or a fresh
PostgreSQL database beside the test database when DATABASE_URL is set); the test waits for its progress line
to pass a few hundred rows, kills it with SIGKILL and counts the rows.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TSUNAGU = str(Path(sys.executable).with_name("tsunagu"))
ROWS = 600


def _database(tmp_path) -> tuple[dict, object]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TSUNAGU_FAST_HASHER": "1"}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        kill_db = f"{name}_killtest"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{kill_db}"')
            conn.execute(f'CREATE DATABASE "{kill_db}"')
        env["DATABASE_URL"] = f"{base}/{kill_db}"

        def count(table):
            with psycopg.connect(env["DATABASE_URL"]) as conn:
                return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    else:
        import sqlite3

        env.pop("DATABASE_URL", None)
        env["TSUNAGU_SQLITE_PATH"] = str(tmp_path / "kill.sqlite3")

        def count(table):
            with sqlite3.connect(env["TSUNAGU_SQLITE_PATH"]) as conn:
                return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return env, count


def test_it_leaves_nothing_when_the_import_process_is_killed(tmp_path):
    env, count = _database(tmp_path)
    for cmd in (["migrate", "-v0", "--noinput"], ["demo"]):
        subprocess.run([TSUNAGU, *cmd], cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    ledger = tmp_path / "persons.csv"
    with ledger.open("w", encoding="cp932", newline="") as f:
        w = csv.writer(f)
        w.writerow(["世帯番号", "続柄", "氏名", "フリガナ", "生年月日", "記録機関"])
        for k in range(ROWS):
            w.writerow([f"H{k // 2}", "本人" if k % 2 == 0 else "子", f"取込 太郎{k}", "トリコミ タロウ",
                        f"昭和{20 + k % 40}年{1 + k % 12}月{1 + k % 28}日", "新湊西地域包括支援センター"])
    before = {t: count(t) for t in ("people_person", "people_household", "ledgers_importedrow")}
    proc = subprocess.Popen([TSUNAGU, "import", "persons", str(ledger), "--municipality", "162116"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen, deadline = b"", time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            chunk = proc.stdout.read1(256)
            if not chunk:
                break
            seen += chunk
            done = [int(p.split(b"/")[0].strip().replace(b",", b"")) for p in seen.split(b"\r")[1:] if b"/" in p]
            if done and done[-1] >= 100:
                break
        assert done and 100 <= done[-1] < ROWS, (seen.decode(errors="replace"), proc.stderr.read().decode())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert {t: count(t) for t in before} == before
    # The same file then imports in full: the killed run left nothing in the way.
    t0 = time.monotonic()
    done = subprocess.run([TSUNAGU, "import", "persons", str(ledger), "--municipality", "162116"], cwd=ROOT, env=env,
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()
    assert count("people_person") == before["people_person"] + ROWS
    print(f"{ROWS} rows imported in {time.monotonic() - t0:.1f} s after the killed run")
