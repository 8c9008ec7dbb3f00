"""Settings.from_env: defaults, validation with one line per problem, secrets masked."""

from __future__ import annotations

import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, RedactingFormatter, Settings, setup_logging

TOKEN = "123456789:AAHsecretsecretsecretsecretsecret00"
VALID = {
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "FT_CLIENT_ID": "PAR_monappli_0123",
    "FT_CLIENT_SECRET": "ft-very-secret-key",
}


def test_defaults_from_design() -> None:
    settings = Settings.from_env(VALID)
    assert settings.telegram_token == TOKEN
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_base_url == "https://api.telegram.org/file/bot"
    assert settings.ft_api_base_url == "https://api.francetravail.io/partenaire"
    assert settings.ft_token_url.startswith("https://entreprise.francetravail.fr/connexion/oauth2")
    assert settings.database_path == Path("data/ft-job-bot.sqlite3")
    assert settings.admin_ids == frozenset()
    assert settings.alert_timezone == ZoneInfo("Europe/Paris")
    assert settings.webhook_url is None
    assert not settings.webhook_mode
    assert settings.port == 8443
    assert settings.log_level == "INFO"
    assert (settings.alert_digest_size, settings.alert_min_score) == (5, 0.35)
    assert (settings.alert_tick_seconds, settings.alert_lookback_days) == (60, 3)


def test_all_values_parsed() -> None:
    env = VALID | {
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot/",
        "FT_API_BASE_URL": "http://127.0.0.1:8082/partenaire",
        "FT_TOKEN_URL": "http://127.0.0.1:8082/connexion/oauth2/access_token?realm=%2Fpartenaire",
        "DATABASE_PATH": "/tmp/x.sqlite3",
        "ADMIN_IDS": " 42, 7 ;99 ",
        "ALERT_TIMEZONE": "America/Cayenne",
        "WEBHOOK_URL": "https://bot.example.org/telegram",
        "WEBHOOK_SECRET": "s3cr3t_-X",
        "PORT": "8080",
        "LOG_LEVEL": "debug",
        "ALERT_DIGEST_SIZE": "8",
        "ALERT_MIN_SCORE": "0.5",
    }
    settings = Settings.from_env(env)
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.telegram_file_base_url == "http://127.0.0.1:8081/file/bot"
    assert settings.ft_token_url.endswith("realm=%2Fpartenaire")
    assert settings.admin_ids == frozenset({42, 7, 99})
    assert settings.alert_timezone == ZoneInfo("America/Cayenne")
    assert settings.webhook_mode
    assert settings.port == 8080
    assert settings.log_level == "DEBUG"
    assert settings.alert_digest_size == 8
    assert settings.alert_min_score == 0.5


def test_every_problem_reported_on_its_own_line_naming_the_variable() -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "not a token",
        "FT_API_BASE_URL": "ftp://nope",
        "ADMIN_IDS": "42,abc",
        "ALERT_TIMEZONE": "Mars/Olympus",
        "WEBHOOK_URL": "http://insecure.example.org",
        "PORT": "http",
        "LOG_LEVEL": "LOUD",
        "ALERT_MIN_SCORE": "2",
    }
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    problems = caught.value.problems
    expected = [
        "TELEGRAM_BOT_TOKEN",
        "FT_CLIENT_ID",
        "FT_CLIENT_SECRET",
        "FT_API_BASE_URL",
        "ADMIN_IDS",
        "ALERT_TIMEZONE",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "PORT",
        "ALERT_MIN_SCORE",
        "LOG_LEVEL",
    ]
    assert [p.split(" ")[0] for p in problems] == expected
    assert str(caught.value).splitlines() == problems
    assert all("\n" not in p for p in problems)
    # The malformed token is never echoed back.
    assert "not a token" not in str(caught.value)


def test_credentials_optional_for_demo() -> None:
    settings = Settings.from_env({}, require_credentials=False)
    assert settings.telegram_token == ""
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({})
    assert len(caught.value.problems) == 3


def test_empty_values_mean_default() -> None:
    settings = Settings.from_env(VALID | {"PORT": "", "ALERT_TIMEZONE": "  ", "ADMIN_IDS": ""})
    assert settings.port == 8443
    assert settings.alert_timezone == ZoneInfo("Europe/Paris")


def test_dotenv_file_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nFT_CLIENT_ID=from_file\nFT_CLIENT_SECRET=file_secret\n"
        "PORT=9000\n",
        encoding="utf-8",
    )
    for name in ("TELEGRAM_BOT_TOKEN", "FT_CLIENT_ID", "FT_CLIENT_SECRET", "PORT", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FT_CLIENT_ID", "from_env")
    settings = Settings.from_env(dotenv_path=dotenv)
    assert settings.ft_client_id == "from_env"
    assert settings.ft_client_secret == "file_secret"
    assert settings.port == 9000


def test_secrets_masked_in_repr_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.from_env(
        VALID | {"WEBHOOK_URL": "https://x.example.org/hook", "WEBHOOK_SECRET": "hooksecret42"}
    )
    for text in (repr(settings), str(settings), f"{settings}"):
        assert TOKEN not in text
        assert "AAHsecret" not in text
        assert "ft-very-secret-key" not in text
        assert "hooksecret42" not in text
        assert "PAR_monappli_0123" in text  # the client id is not a secret
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").info("settings: %s", settings)
    assert TOKEN not in caplog.text


def test_setup_logging_silences_httpx() -> None:
    setup_logging("DEBUG")
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() == logging.WARNING
    setup_logging("INFO")


def test_redacting_formatter_masks_secrets_in_messages_and_tracebacks() -> None:
    settings = Settings.from_env(
        VALID | {"WEBHOOK_URL": "https://x.org/h", "WEBHOOK_SECRET": "w" * 8}
    )
    formatter = RedactingFormatter("%(message)s", settings.secret_values())
    try:
        raise RuntimeError(f"calling https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "url %s secret %s",
            (TOKEN, "ft-very-secret-key"),
            sys.exc_info(),
        )
    text = formatter.format(record)
    assert TOKEN not in text
    assert "AAHsecret" not in text
    assert "ft-very-secret-key" not in text
    assert "url *** secret ***" in text
    assert "bot***/getMe" in text
