"""Start-up checks of `ft-bot run | alerts | check`: the database, Telegram and France Travail,
each failure told in one line that names the problem and the variable, never a secret.

`StartupProblem.line` is that line ("Telegram: the bot token was rejected (TELEGRAM_BOT_TOKEN)
…"); `ft-bot check` prints it after ✗, `run` and `alerts` print it and stop (France Travail
failures only warn under `run`: the bot is still useful for profiles). `crash_line` turns any
other exception into one masked line.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import Settings

MASK = "***"
SQLITE_HEADER = b"SQLite format 3\x00"
# France Travail's answers are bounded here so that a dead host fails the check in seconds.
CHECK_TIMEOUT_SECONDS = 10.0


class StartupProblem(Exception):
    """A start-up check failed; `line` says what and which variable, without any secret."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def mask(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (longest first) replaced by ***."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def crash_line(error: BaseException, secrets: Iterable[str]) -> str:
    """One line for an unexpected exception: its type and first message line, masked."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    described = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return mask(described, secrets)


def _where(url: str) -> str:
    """Scheme, host and port of `url` only (no path or query: nothing that could be secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _looks_like_sqlite(path: Path) -> bool:
    """Empty (SQLite makes it a database) or starting with SQLite's header."""
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    return header in (b"", SQLITE_HEADER)


async def check_database(settings: Settings) -> None:
    """Open (create or migrate) the database, then close it: DATABASE_URL when set (PostgreSQL),
    else the SQLite file at DATABASE_PATH."""
    if settings.database_url:
        await _check_postgres(settings)
    else:
        await _check_sqlite(settings)


async def _check_postgres(settings: Settings) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from storage import Storage, StorageError, StorageUnavailableError

    secrets = settings.secret_values()
    try:
        storage = await Storage.open(settings.database_location)
        await storage.close()
    except StorageUnavailableError as error:
        # "cannot connect to PostgreSQL at host:port/db as user: reason", never the password.
        raise StartupProblem(
            f"database: {mask(str(error), secrets)} (DATABASE_URL); "
            "check that the server runs and the URL's user and password"
        ) from None
    except (StorageError, SQLAlchemyError, OSError) as error:
        raise StartupProblem(
            f"database: cannot open {settings.database_display} (DATABASE_URL): "
            f"{crash_line(error, secrets)}"
        ) from None


async def _check_sqlite(settings: Settings) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from storage import Storage, StorageError

    path = settings.database_path

    # Told apart before SQLite sees them: a failed aiosqlite connect leaves its thread to
    # report to an event loop the CLI is about to close.
    try:
        if path.is_dir():
            raise StartupProblem(
                f"database: cannot open {path} (DATABASE_PATH): it is a folder; "
                f"name a file in it, e.g. {path / 'ft-job-bot.sqlite3'}"
            )
        if path.is_file() and not _looks_like_sqlite(path):
            raise StartupProblem(
                f"database: cannot open {path} (DATABASE_PATH): not a SQLite database; "
                "point DATABASE_PATH at this bot's database or at a new file"
            )
        storage = await Storage.open(path)
        await storage.close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise StartupProblem(
            f"database: cannot use {path} (DATABASE_PATH): {reason}; "
            "its folder must exist or be creatable, and be writable"
        ) from None
    except (sqlite3.Error, StorageError, SQLAlchemyError) as error:
        raise StartupProblem(
            f"database: cannot open {path} (DATABASE_PATH): {crash_line(error, ())}; "
            "point DATABASE_PATH at a writable folder and a SQLite file of this bot"
        ) from None


async def check_telegram(settings: Settings) -> str:
    """Call getMe with TELEGRAM_BOT_TOKEN; return the bot's username."""
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    bot = Bot(
        settings.telegram_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_base_url,
    )
    secrets = settings.secret_values()
    try:
        async with bot:
            me = await bot.get_me()
    except InvalidToken:
        # PTB's own message quotes the token: never print it.
        raise StartupProblem(
            "Telegram: the bot token was rejected (TELEGRAM_BOT_TOKEN): revoked or mistyped, "
            "copy it again from @BotFather"
        ) from None
    except NetworkError as error:  # TimedOut included
        raise StartupProblem(
            f"Telegram: unreachable at {_where(settings.telegram_api_base_url)} "
            f"(TELEGRAM_API_BASE_URL): {crash_line(error, secrets)}; check the network and the URL"
        ) from None
    except TelegramError as error:
        raise StartupProblem(
            f"Telegram: getMe failed (TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL): "
            f"{crash_line(error, secrets)}"
        ) from None
    return me.username or ""


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Hold a logger at ERROR: the check's own line says what failed, retries included."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


async def check_france_travail(settings: Settings) -> int:
    """Get a token with FT_CLIENT_ID/FT_CLIENT_SECRET and run one search; return its total."""
    from ft_client import FranceTravailClient, FTAuthError, FTError, FTUnavailable, OfferQuery

    secrets = settings.secret_values()
    try:
        with _quiet("ft_client"):
            async with FranceTravailClient(
                settings.ft_client_id,
                settings.ft_client_secret,
                api_base_url=settings.ft_api_base_url,
                token_url=settings.ft_token_url,
                timeout=CHECK_TIMEOUT_SECONDS,
                max_retries=1,
                max_retry_after=2.0,
            ) as ft:
                page = await ft.search_offers(OfferQuery(keywords="serveur"), start=0, count=1)
    except FTAuthError as error:
        if error.endpoint == "token" and error.error == "invalid_scope":
            what = "an API is missing from the application's subscriptions (FT_CLIENT_ID)"
        elif error.endpoint == "token":
            what = "credentials refused (FT_CLIENT_ID, FT_CLIENT_SECRET)"
        else:
            what = "access refused: is the application (FT_CLIENT_ID) subscribed to the API?"
        raise StartupProblem(f"France Travail: {what}: {mask(str(error), secrets)}") from None
    except FTUnavailable as error:
        if error.endpoint == "token":
            where, variable = settings.ft_token_url, "FT_TOKEN_URL"
        else:
            where, variable = settings.ft_api_base_url, "FT_API_BASE_URL"
        raise StartupProblem(
            f"France Travail: unreachable at {_where(where)} ({variable}): "
            f"{mask(str(error), secrets)}; check the network and the URL"
        ) from None
    except FTError as error:
        # FTError messages never hold the secret; masked all the same.
        raise StartupProblem(f"France Travail: {mask(str(error), secrets)}") from None
    return page.total
