"""Pytest fixtures for a real PostgreSQL: one throw-away cluster per session, started lazily.

Only tests that request `postgres_server`, `postgres_url` or `postgres_database_url` start it;
`postgres_available` is for tests that start their own cluster with `running_postgres()`.
Where it cannot be started they skip with one line saying why and how to get it; under CI=true
they fail instead, so that CI never passes without having run them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import NoReturn

import pytest

from tests.postgres_server import (
    PostgresServer,
    PostgresUnavailable,
    check_installed,
    running_postgres,
)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skips the tests needing PostgreSQL up front when it is not installed (one folded line per
    file in the summary, instead of one per test); under CI=true their fixture fails instead."""
    if os.environ.get("CI") == "true":
        return
    needing = [item for item in items if "postgres_available" in getattr(item, "fixturenames", ())]
    if not needing:
        return
    try:
        check_installed()
    except PostgresUnavailable as error:
        marker = pytest.mark.skip(reason=f"PostgreSQL unavailable: {error}")
        for item in needing:
            item.add_marker(marker)


@pytest.fixture(scope="session")
def postgres_available() -> None:
    """For tests that start their own cluster: skips (or fails under CI) when it cannot be."""
    try:
        check_installed()
    except PostgresUnavailable as error:
        _unavailable(str(error))


@pytest.fixture(scope="session")
def postgres_server(postgres_available: None) -> Iterator[PostgresServer]:
    """The session's cluster (pytest caches a skip or failure here, so it is tried once)."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(running_postgres())
        except PostgresUnavailable as error:
            _unavailable(str(error))
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """`postgresql://user:pw@127.0.0.1:PORT/ftbot_test`, shared by the whole session."""
    return postgres_server.url


@pytest.fixture
def postgres_database_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh empty database for one test, dropped afterwards."""
    name = f"test_{secrets.token_hex(6)}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)
