"""A throw-away PostgreSQL cluster for the tests: initdb + pg_ctl in a temp dir, loopback only.

`initdb` and `pg_ctl` refuse to run as root, so as root they run as the `postgres` system user
(created by Debian's `postgresql` package) through `runuser`; as anyone else they run as that
user. The cluster listens on 127.0.0.1 only, on a free port, with its unix socket in the temp
dir; fsync is off because the data is thrown away. `scripts/ensure_postgres.sh` (run by
`make test`) installs the binaries when missing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Overridable like in scripts/ensure_postgres.sh, e.g. to see the tests skip.
POSTGRES_LIB_DIR = Path(os.environ.get("POSTGRES_LIB_DIR", "/usr/lib/postgresql"))
SUPERUSER = "ftbot"
DEFAULT_DATABASE = "ftbot_test"
HOW_TO_GET_IT = "install it with 'sudo apt-get install postgresql', or run 'make test' as root"
START_ATTEMPTS = 3  # a free port can be taken by another process between our probe and the bind
COMMAND_TIMEOUT_S = 60

# Speed over durability: the cluster lives for one test session.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
}


class PostgresUnavailable(Exception):
    """PostgreSQL cannot be started here; the message says why and how to get it."""


def find_bin_dir(lib_dir: Path = POSTGRES_LIB_DIR) -> Path:
    """The newest `<lib_dir>/<version>/bin` holding initdb and pg_ctl."""
    candidates = [
        bin_dir
        for bin_dir in lib_dir.glob("*/bin")
        if (bin_dir / "initdb").is_file() and (bin_dir / "pg_ctl").is_file()
    ]
    if not candidates:
        raise PostgresUnavailable(
            f"PostgreSQL server not found in {lib_dir}/*/bin: {HOW_TO_GET_IT}"
        )
    return max(candidates, key=lambda bin_dir: _version_key(bin_dir.parent.name))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user_prefix() -> list[str]:
    """The command prefix running initdb/pg_ctl as an unprivileged user."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root without 'runuser' to drop to 'postgres'")
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(
            f"running as root and no 'postgres' user to run initdb/pg_ctl: {HOW_TO_GET_IT}"
        ) from None
    return ["runuser", "-u", "postgres", "--"]


def check_installed() -> tuple[Path, list[str]]:
    """The server's bin dir and the prefix to run it unprivileged; cheap, starts nothing."""
    return find_bin_dir(), _server_user_prefix()


@dataclass
class PostgresServer:
    """One running cluster; `url` points at its default database."""

    bin_dir: Path
    base_dir: Path
    port: int
    password: str
    user: str = SUPERUSER
    database: str = DEFAULT_DATABASE

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    def url_for(self, database: str) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        """`postgresql://user:pw@127.0.0.1:PORT/db`, as `DATABASE_URL` will take it."""
        return self.url_for(self.database)

    @property
    def sqlalchemy_url(self) -> str:
        return self.url.replace("postgresql://", "postgresql+asyncpg://", 1)

    def create_database(self, name: str) -> str:
        """Creates an empty database and returns its URL."""
        self._client("createdb", name)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        self._client("dropdb", "--force", "--if-exists", name)

    def _client(self, program: str, *args: str) -> None:
        # Client tools connect over TCP with the password, so they need no user switch.
        command = [str(self.bin_dir / program), "-h", "127.0.0.1", "-p", str(self.port)]
        command += ["-U", self.user, *args]
        env = {**os.environ, "PGPASSWORD": self.password}
        _run(command, env=env, cwd=self.base_dir)


def _run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> None:
    program = next((Path(part).name for part in command if "/" in part), command[0])
    try:
        subprocess.run(
            command,
            cwd=cwd,  # the server user may not be able to enter our working directory
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as error:
        lines = (error.stderr or error.stdout or "").strip().splitlines()
        reason = " ".join(lines[:2]) if lines else f"exit code {error.returncode}"
        raise PostgresUnavailable(f"{program} failed: {reason}") from None
    except subprocess.TimeoutExpired:
        raise PostgresUnavailable(f"{program} timed out after {COMMAND_TIMEOUT_S} s") from None


def _as_server_user(prefix: list[str], bin_dir: Path, program: str, *args: str) -> list[str]:
    return [*prefix, str(bin_dir / program), *args]


def _init_cluster(prefix: list[str], bin_dir: Path, base_dir: Path, password: str) -> None:
    password_file = base_dir / "password"
    password_file.write_text(password + "\n")
    if prefix:
        for path in (base_dir, password_file):
            shutil.chown(path, user="postgres")
    (base_dir / "socket").mkdir()
    if prefix:
        shutil.chown(base_dir / "socket", user="postgres")
    initdb = _as_server_user(
        prefix,
        bin_dir,
        "initdb",
        "--pgdata",
        str(base_dir / "data"),
        "--username",
        SUPERUSER,
        "--pwfile",
        str(password_file),
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync",
    )
    _run(initdb, cwd=base_dir)
    password_file.unlink()
    # Only the owner of the socket dir and loopback TCP with the password get in.
    hba = "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
    (base_dir / "data" / "pg_hba.conf").write_text(hba)


def _start_cluster(prefix: list[str], bin_dir: Path, base_dir: Path, port: int) -> None:
    settings = {
        **SERVER_SETTINGS,
        "port": str(port),
        "unix_socket_directories": f"'{base_dir}/socket'",
    }
    with (base_dir / "data" / "postgresql.conf").open("a") as conf:
        conf.write("\n# tests/postgres_server.py\n")
        conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
    log_file = base_dir / "server.log"
    pg_ctl = _as_server_user(
        prefix, bin_dir, "pg_ctl", "start", "--wait", "--timeout=30", "--pgdata",
        str(base_dir / "data"), "--log", str(log_file),
    )  # fmt: skip
    try:
        _run(pg_ctl, cwd=base_dir)
    except PostgresUnavailable as error:
        tail = (
            log_file.read_text(errors="replace").strip().splitlines()[-1:]
            if log_file.exists()
            else []
        )
        raise PostgresUnavailable(f"{error} ({tail[0] if tail else 'no server log'})") from None


def _stop_cluster(prefix: list[str], bin_dir: Path, base_dir: Path) -> None:
    if not (base_dir / "data" / "postmaster.pid").exists():
        return
    stop = _as_server_user(
        prefix,
        bin_dir,
        "pg_ctl",
        "stop",
        "--wait",
        "--mode=immediate",
        "--pgdata",
        str(base_dir / "data"),
    )
    with contextlib.suppress(PostgresUnavailable):
        _run(stop, cwd=base_dir)


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Starts a throw-away cluster with a `ftbot_test` database; stops and removes it at exit.

    Raises PostgresUnavailable with one line saying why when it cannot be started.
    """
    bin_dir, prefix = check_installed()
    password = secrets.token_urlsafe(16)
    last_error: PostgresUnavailable | None = None
    for _attempt in range(START_ATTEMPTS):
        base_dir = Path(tempfile.mkdtemp(prefix="ftbot-pg-"))
        try:
            port = free_loopback_port()
            _init_cluster(prefix, bin_dir, base_dir, password)
            try:
                _start_cluster(prefix, bin_dir, base_dir, port)
            except PostgresUnavailable as error:
                last_error = error
                continue
            server = PostgresServer(
                bin_dir=bin_dir, base_dir=base_dir, port=port, password=password
            )
            server.create_database(server.database)
            yield server
            return
        finally:
            _stop_cluster(prefix, bin_dir, base_dir)
            shutil.rmtree(base_dir, ignore_errors=True)
    raise PostgresUnavailable(
        f"PostgreSQL did not start in {START_ATTEMPTS} attempts: {last_error}"
    )
