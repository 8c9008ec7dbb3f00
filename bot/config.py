"""Bot configuration from the environment (and `.env`, read by python-dotenv; the environment wins).

Every problem is reported on one line naming the variable, all at once, in a `ConfigError`.
Secrets (bot token, France Travail secret, webhook secret) never appear in `repr()` or logs.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
FT_API_BASE_URL = "https://api.francetravail.io/partenaire"
FT_AUTH_URL = (
    "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire"
)
DEFAULT_DATABASE_PATH = "data/ft-job-bot.sqlite3"
DEFAULT_TIMEZONE = "Europe/Paris"
DEFAULT_PORT = 8443
# How long a person waits on France Travail at most (all retries and Retry-After pauses
# included) before being told it does not answer; the call may go on in the background, up to
# its own bound, to fill the cache.
DEFAULT_FT_USER_DEADLINE_SECONDS = 10.0
DEFAULT_FT_BACKGROUND_DEADLINE_SECONDS = 120.0
# Telegram accepts about 30 messages/s from a bot; paid broadcasts (allow_paid_broadcast) 1 000/s.
DEFAULT_TELEGRAM_BROADCAST_RATE = 30.0
# Above this rate alert digests are sent as paid broadcasts.
FREE_BROADCAST_RATE = 30.0
# Webhook server address: every interface (behind a reverse proxy / in a container).
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0"  # noqa: S104
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Who runs the alert cycle and the sweep: the bot's own JobQueue, or `ft-bot worker` processes.
ALERT_RUNNERS = ("bot", "workers")

# BotFather tokens are "<bot id>:<secret>"; the secret part is URL-safe base64-ish.
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
# Telegram's rule for setWebhook secret_token.
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_MASK = "***"


class ConfigError(Exception):
    """Configuration problems, one line each, all reported together."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Settings:
    telegram_token: str
    ft_client_id: str
    ft_client_secret: str
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    ft_api_base_url: str = FT_API_BASE_URL
    ft_token_url: str = FT_AUTH_URL
    database_path: Path = field(default_factory=lambda: Path(DEFAULT_DATABASE_PATH))
    # DATABASE_URL=postgresql://…: PostgreSQL instead of the SQLite file at database_path.
    database_url: str | None = None
    admin_ids: frozenset[int] = frozenset()
    alert_timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    port: int = DEFAULT_PORT
    log_level: str = "INFO"
    alert_digest_size: int = 5
    alert_min_score: float = 0.35
    alert_tick_seconds: int = 60
    alert_lookback_days: int = 3
    # Minutes between two sweeps of new offers into the offers table (0: no sweep job).
    sweep_minutes: int = 15
    # Alert messages per second across every process (Telegram: ~30/s for a bot; above 30 the
    # digests go out with allow_paid_broadcast, which Telegram bills, up to 1 000/s).
    telegram_broadcast_rate: float = DEFAULT_TELEGRAM_BROADCAST_RATE
    ft_user_deadline_seconds: float = DEFAULT_FT_USER_DEADLINE_SECONDS
    ft_background_deadline_seconds: float = DEFAULT_FT_BACKGROUND_DEADLINE_SECONDS
    # Onboarding conversation: silence after which it ends politely (not from the environment).
    conversation_timeout_seconds: float = 30 * 60
    # `bot`: the bot process runs the alert cycle and the sweep (JobQueue); `workers`: only
    # `ft-bot worker` processes do (PostgreSQL), the bot schedules neither (no double sends).
    alert_runner: str = "bot"
    # `ft-bot worker`: digests at once per process, users per digest job, planning period.
    worker_concurrency: int = 10
    worker_batch_size: int = 50
    worker_plan_seconds: int = 60
    # Heartbeats, and the silence after which a worker's jobs are taken over by the others.
    worker_heartbeat_seconds: float = 10.0
    worker_stalled_seconds: float = 30.0
    # Sweep every N seconds instead of every SWEEP_MINUTES (0: SWEEP_MINUTES; tests and demos).
    worker_sweep_seconds: int = 0
    # Set only by `ft-bot demo`: enables the demo-only commands.
    demo_mode: bool = False

    def __repr__(self) -> str:
        shown: list[str] = []
        for name in self.__dataclass_fields__:
            value: Any = getattr(self, name)
            if name in _SECRET_FIELDS and value:
                value = _MASK
            elif name == "database_url" and value:
                value = _without_password(value)
            shown.append(f"{name}={value!r}")
        return f"Settings({', '.join(shown)})"

    __str__ = __repr__

    @property
    def telegram_file_base_url(self) -> str:
        """Bot API file base matching `telegram_api_base_url` (".../bot" -> ".../file/bot")."""
        base = self.telegram_api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"

    def secret_values(self) -> tuple[str, ...]:
        """Values that must never be logged (for `setup_logging(secrets=...)`)."""
        values = [self.telegram_token, self.ft_client_secret, self.webhook_secret or ""]
        if self.database_url:
            values.append(urlsplit(self.database_url).password or "")
        if ":" in self.telegram_token:
            values.append(self.telegram_token.split(":", 1)[1])
        return tuple(v for v in values if v)

    @property
    def database_location(self) -> str | Path:
        """What `storage.Storage.open` takes: the PostgreSQL URL when set, else the SQLite path."""
        return self.database_url or self.database_path

    @property
    def database_display(self) -> str:
        """The database for messages: the SQLite path, or the URL without its password."""
        return (
            _without_password(self.database_url) if self.database_url else str(self.database_path)
        )

    @property
    def webhook_mode(self) -> bool:
        return bool(self.webhook_url)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        require_credentials: bool = True,
        dotenv_path: str | os.PathLike[str] | None = ".env",
    ) -> Settings:
        """Read settings from `environ` (default: `.env` overlaid by `os.environ`).

        With `require_credentials=False` (demo, tests) the Telegram and France Travail
        credentials may be empty. Raises `ConfigError` listing every problem.
        """
        if environ is None:
            env: dict[str, str] = {}
            if dotenv_path is not None and Path(dotenv_path).is_file():
                env.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
            env.update(os.environ)
        else:
            env = dict(environ)
        return _parse(env, require_credentials=require_credentials)


_SECRET_FIELDS = frozenset({"telegram_token", "ft_client_secret", "webhook_secret"})


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return parts._replace(netloc=f"{user}:{_MASK}@{netloc[1]}").geturl()


def _get(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def _parse(env: Mapping[str, str], *, require_credentials: bool) -> Settings:
    problems: list[str] = []

    token = _get(env, "TELEGRAM_BOT_TOKEN")
    if not token:
        if require_credentials:
            problems.append("TELEGRAM_BOT_TOKEN is missing: create a bot with @BotFather.")
    elif not _TOKEN_RE.match(token):
        # Never echo the value: it is a secret.
        problems.append("TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<letters>'.")

    ft_id = _get(env, "FT_CLIENT_ID")
    ft_secret = _get(env, "FT_CLIENT_SECRET")
    if require_credentials:
        if not ft_id:
            problems.append("FT_CLIENT_ID is missing: France Travail partner application id.")
        if not ft_secret:
            problems.append("FT_CLIENT_SECRET is missing: France Travail partner application key.")

    def url(name: str, default: str | None) -> str | None:
        value = _get(env, name)
        if not value:
            return default
        if not re.match(r"^https?://[^\s/]+", value):
            problems.append(f"{name} is not an http(s) URL: {value!r}.")
            return default
        return value.rstrip("/") if name != "FT_TOKEN_URL" else value

    tg_base = url("TELEGRAM_API_BASE_URL", TELEGRAM_API_BASE_URL) or TELEGRAM_API_BASE_URL
    ft_base = url("FT_API_BASE_URL", FT_API_BASE_URL) or FT_API_BASE_URL
    ft_token_url = url("FT_TOKEN_URL", FT_AUTH_URL) or FT_AUTH_URL

    database_path = Path(_get(env, "DATABASE_PATH") or DEFAULT_DATABASE_PATH)
    database_url = _get(env, "DATABASE_URL") or None
    if database_url and not re.match(r"^postgres(ql)?://[^\s/]+/[^\s/]+$", database_url):
        # Never echo the value: it holds the password.
        problems.append(
            "DATABASE_URL must be postgresql://user:password@host:port/database"
            " (leave it empty to use the SQLite file at DATABASE_PATH)."
        )
        database_url = None

    admin_ids: set[int] = set()
    raw_admins = _get(env, "ADMIN_IDS")
    if raw_admins:
        for part in re.split(r"[,\s;]+", raw_admins):
            if not part:
                continue
            if re.fullmatch(r"\d{1,20}", part):
                admin_ids.add(int(part))
            else:
                problems.append(
                    f"ADMIN_IDS has an invalid entry {part!r}: expected comma-separated "
                    "numeric Telegram user ids."
                )

    tz_name = _get(env, "ALERT_TIMEZONE") or DEFAULT_TIMEZONE
    timezone = ZoneInfo(DEFAULT_TIMEZONE)
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"ALERT_TIMEZONE is not a known time zone: {tz_name!r} (e.g. Europe/Paris)."
        )

    webhook_url = _get(env, "WEBHOOK_URL") or None
    webhook_secret = _get(env, "WEBHOOK_SECRET") or None
    if webhook_url and not (
        webhook_url.startswith("https://")
        or (webhook_url.startswith("http://") and urlsplit(webhook_url).hostname in LOOPBACK)
    ):
        # Plain http only towards a local emulator or a self-hosted Bot API server.
        problems.append("WEBHOOK_URL must be an https:// URL (Telegram only calls HTTPS webhooks).")
    webhook_listen = _get(env, "WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN
    if webhook_url and not webhook_secret:
        problems.append("WEBHOOK_SECRET is missing: required when WEBHOOK_URL is set.")
    if webhook_secret and not _WEBHOOK_SECRET_RE.match(webhook_secret):
        problems.append(
            "WEBHOOK_SECRET is malformed: 1-256 characters among A-Z, a-z, 0-9, _ and -."
        )

    def integer(name: str, default: int, low: int, high: int) -> int:
        raw = _get(env, name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            problems.append(f"{name} is not an integer: {raw!r}.")
            return default
        if not low <= value <= high:
            problems.append(f"{name} must be between {low} and {high}, got {value}.")
            return default
        return value

    port = integer("PORT", DEFAULT_PORT, 1, 65535)
    digest_size = integer("ALERT_DIGEST_SIZE", 5, 1, 20)
    tick_seconds = integer("ALERT_TICK_SECONDS", 60, 5, 3600)
    lookback_days = integer("ALERT_LOOKBACK_DAYS", 3, 1, 31)
    sweep_minutes = integer("SWEEP_MINUTES", 15, 0, 24 * 60)

    min_score = 0.35
    raw_score = _get(env, "ALERT_MIN_SCORE")
    if raw_score:
        try:
            min_score = float(raw_score)
            if not 0.0 <= min_score <= 1.0:
                raise ValueError
        except ValueError:
            problems.append(f"ALERT_MIN_SCORE must be a number between 0 and 1, got {raw_score!r}.")
            min_score = 0.35

    def seconds(name: str, default: float, low: float, high: float) -> float:
        raw = _get(env, name)
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            problems.append(f"{name} is not a number of seconds: {raw!r}.")
            return default
        if not low <= value <= high:
            problems.append(f"{name} must be between {low:g} and {high:g} seconds, got {raw}.")
            return default
        return value

    broadcast_rate = float(
        integer("TELEGRAM_BROADCAST_RATE", int(DEFAULT_TELEGRAM_BROADCAST_RATE), 1, 1000)
    )

    user_deadline = seconds("FT_USER_DEADLINE_SECONDS", DEFAULT_FT_USER_DEADLINE_SECONDS, 1, 120)
    background_deadline = seconds(
        "FT_BACKGROUND_DEADLINE_SECONDS", DEFAULT_FT_BACKGROUND_DEADLINE_SECONDS, 1, 3600
    )
    if background_deadline < user_deadline:
        problems.append(
            "FT_BACKGROUND_DEADLINE_SECONDS must not be shorter than FT_USER_DEADLINE_SECONDS."
        )

    alert_runner = (_get(env, "ALERT_RUNNER") or "bot").lower()
    if alert_runner not in ALERT_RUNNERS:
        problems.append(f"ALERT_RUNNER must be bot or workers, got {alert_runner!r}.")
        alert_runner = "bot"
    worker_concurrency = integer("WORKER_CONCURRENCY", 10, 1, 200)
    worker_batch_size = integer("WORKER_BATCH_SIZE", 50, 1, 1000)
    worker_plan_seconds = integer("WORKER_PLAN_SECONDS", 60, 1, 60)
    worker_sweep_seconds = integer("WORKER_SWEEP_SECONDS", 0, 0, 59)
    heartbeat = seconds("WORKER_HEARTBEAT_SECONDS", 10.0, 0.5, 60)
    stalled = seconds("WORKER_STALLED_SECONDS", 30.0, 2, 600)
    if stalled < 2 * heartbeat:
        problems.append(
            "WORKER_STALLED_SECONDS must be at least twice WORKER_HEARTBEAT_SECONDS "
            "(a live worker must never look stalled)."
        )

    log_level = (_get(env, "LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}.")
        log_level = "INFO"

    if problems:
        raise ConfigError(problems)
    return Settings(
        telegram_token=token,
        ft_client_id=ft_id,
        ft_client_secret=ft_secret,
        telegram_api_base_url=tg_base,
        ft_api_base_url=ft_base,
        ft_token_url=ft_token_url,
        database_path=database_path,
        database_url=database_url,
        admin_ids=frozenset(admin_ids),
        alert_timezone=timezone,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=webhook_listen,
        port=port,
        log_level=log_level,
        alert_digest_size=digest_size,
        alert_min_score=min_score,
        alert_tick_seconds=tick_seconds,
        alert_lookback_days=lookback_days,
        sweep_minutes=sweep_minutes,
        telegram_broadcast_rate=broadcast_rate,
        ft_user_deadline_seconds=user_deadline,
        ft_background_deadline_seconds=background_deadline,
        alert_runner=alert_runner,
        worker_concurrency=worker_concurrency,
        worker_batch_size=worker_batch_size,
        worker_plan_seconds=worker_plan_seconds,
        worker_sweep_seconds=worker_sweep_seconds,
        worker_heartbeat_seconds=heartbeat,
        worker_stalled_seconds=stalled,
    )


class RedactingFormatter(logging.Formatter):
    """Replaces secret values wherever they appear in a formatted record (tracebacks too).

    PTB logs the Bot API URL, which holds the token, at DEBUG; httpx logs request URLs at INFO.
    """

    def __init__(self, fmt: str, secrets: tuple[str, ...]) -> None:
        super().__init__(fmt)
        # Longest first, so that a whole token is replaced before its secret part.
        self.secrets = tuple(sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True))

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, _MASK)
        return text


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(level: str = "INFO", secrets: tuple[str, ...] = ()) -> None:
    """Root logging at `level`, secrets masked; httpx/httpcore always WARNING."""
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO), format=LOG_FORMAT)
    root = logging.getLogger()
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    for handler in root.handlers:
        handler.setFormatter(RedactingFormatter(LOG_FORMAT, secrets))
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # APScheduler logs every tick at INFO.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
