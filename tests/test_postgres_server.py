"""The throw-away PostgreSQL of the tests: reachable by asyncpg and SQLAlchemy, loopback only,
shared between connections, removed at exit; and `scripts/ensure_postgres.sh` installs it."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest_postgres import _unavailable
from tests.postgres_server import (
    PostgresServer,
    PostgresUnavailable,
    find_bin_dir,
    running_postgres,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
ENSURE_SCRIPT = REPO_ROOT / "scripts" / "ensure_postgres.sh"
TCP_LISTEN_STATE = "0A"


async def test_asyncpg_round_trip(postgres_url: str) -> None:
    connection = await asyncpg.connect(postgres_url)
    try:
        echoed = await connection.fetchval("SELECT $1::text || ' à Besançon'", "Aide-soignant")
        encoding = await connection.fetchval("SHOW server_encoding")
    finally:
        await connection.close()
    assert echoed == "Aide-soignant à Besançon"
    assert encoding == "UTF8"


async def test_sqlalchemy_async_engine_round_trip(postgres_server: PostgresServer) -> None:
    metadata = MetaData()
    offers = Table(
        "offers_round_trip",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("title", Text, nullable=False),
    )
    engine = create_async_engine(postgres_server.sqlalchemy_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
            await connection.execute(insert(offers), [{"id": 1, "title": "Électricien"}])
        async with engine.connect() as connection:
            titles = (await connection.execute(select(offers.c.title))).scalars().all()
            await connection.run_sync(metadata.drop_all)
            await connection.commit()
    finally:
        await engine.dispose()
    assert titles == ["Électricien"]


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net shows them) with a TCP socket listening on `port`."""
    addresses: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == TCP_LISTEN_STATE:
                addresses.add(address)
    return addresses


async def test_server_listens_on_loopback_only(postgres_server: PostgresServer) -> None:
    connection = await asyncpg.connect(postgres_server.url)
    try:
        listen_addresses = await connection.fetchval("SHOW listen_addresses")
        server_address = await connection.fetchval("SELECT host(inet_server_addr())")
    finally:
        await connection.close()
    assert listen_addresses == "127.0.0.1"
    assert server_address == "127.0.0.1"
    # 127.0.0.1 in /proc/net/tcp's little-endian hex; nothing on 0.0.0.0, ::, or another address.
    assert _listening_addresses(postgres_server.port) == {"0100007F"}


async def test_wrong_password_is_refused(postgres_server: PostgresServer) -> None:
    wrong_url = postgres_server.url.replace(postgres_server.password, "not-the-password")
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(wrong_url)


async def test_two_connections_see_each_others_committed_rows(postgres_database_url: str) -> None:
    writer = await asyncpg.connect(postgres_database_url)
    reader = await asyncpg.connect(postgres_database_url)
    try:
        await writer.execute("CREATE TABLE served (user_id bigint PRIMARY KEY)")
        transaction = writer.transaction()
        await transaction.start()
        await writer.execute("INSERT INTO served VALUES (42)")
        before_commit = await reader.fetchval("SELECT count(*) FROM served")
        await transaction.commit()
        after_commit = await reader.fetchval("SELECT count(*) FROM served")
        await reader.execute("INSERT INTO served VALUES (43)")
        seen_by_writer = await writer.fetch("SELECT user_id FROM served ORDER BY user_id")
    finally:
        await writer.close()
        await reader.close()
    assert before_commit == 0
    assert after_commit == 1
    assert [row["user_id"] for row in seen_by_writer] == [42, 43]


def test_cluster_is_stopped_and_removed_even_when_the_test_fails(postgres_available: None) -> None:
    with pytest.raises(RuntimeError), running_postgres() as server:
        base_dir, port = server.base_dir, server.port
        assert _listening_addresses(port) == {"0100007F"}
        raise RuntimeError("a failing test")
    assert not base_dir.exists()
    assert _listening_addresses(port) == set()


def test_missing_server_binaries_say_how_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(PostgresUnavailable, match="apt-get install postgresql"):
        find_bin_dir(tmp_path)


def test_unavailable_skips_but_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL unavailable: no server"):
        _unavailable("no server")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI=true: no server"):
        _unavailable("no server")


def _write_executable(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _run_ensure_script(
    tmp_path: Path, *, uid: int, ci: bool = False
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Runs ensure_postgres.sh against an empty lib dir, with `id` and `apt-get` faked.

    The fake apt-get records its arguments and, on install, lays the binaries in the lib dir.
    """
    lib_dir, fake_bin, apt_log = tmp_path / "lib", tmp_path / "fake-bin", tmp_path / "apt.log"
    lib_dir.mkdir(exist_ok=True)
    _write_executable(fake_bin / "id", f'echo "{uid}"\n')
    _write_executable(
        fake_bin / "apt-get",
        f'echo "$*" >> "{apt_log}"\n'
        'case "$*" in *install*postgresql*)\n'
        f'  mkdir -p "{lib_dir}/16/bin"\n'
        f'  printf "#!/bin/sh\\n" > "{lib_dir}/16/bin/initdb"\n'
        f'  printf "#!/bin/sh\\n" > "{lib_dir}/16/bin/pg_ctl"\n'
        f'  chmod +x "{lib_dir}/16/bin/initdb" "{lib_dir}/16/bin/pg_ctl";;\n'
        "esac\n",
    )
    env = {
        **os.environ,
        "POSTGRES_LIB_DIR": str(lib_dir),
        "PATH": f"{fake_bin}:{os.environ['PATH']}",
    }
    env["CI"] = "true" if ci else "false"
    result = subprocess.run(
        ["bash", str(ENSURE_SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )
    calls = apt_log.read_text().splitlines() if apt_log.exists() else []
    return result, calls


def test_ensure_script_installs_postgresql_when_root_and_missing(tmp_path: Path) -> None:
    result, calls = _run_ensure_script(tmp_path, uid=0)
    assert result.returncode == 0, result.stderr
    assert calls == ["update -qq", "install -y -qq --no-install-recommends postgresql"]
    assert "PostgreSQL installed" in result.stderr
    assert find_bin_dir(tmp_path / "lib") == tmp_path / "lib" / "16" / "bin"
    # Second run: already installed, so apt-get is not called again.
    result, calls = _run_ensure_script(tmp_path, uid=0)
    assert result.returncode == 0
    assert len(calls) == 2
    assert result.stderr == ""


def test_ensure_script_without_root_explains_and_fails_only_under_ci(tmp_path: Path) -> None:
    result, calls = _run_ensure_script(tmp_path, uid=1000)
    assert result.returncode == 0
    assert calls == []
    assert "sudo apt-get install postgresql" in result.stderr
    result, calls = _run_ensure_script(tmp_path, uid=1000, ci=True)
    assert result.returncode == 1
    assert calls == []
