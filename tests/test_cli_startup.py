"""Start-up and CLI failures in real subprocesses (issue 11, defect 3): one clear line naming the
problem and the variable, exit code 1, never a secret nor a traceback; `ft-bot run` only warns
when France Travail refuses its credentials, and keeps serving."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli
from sandbox.france_travail import EmulatorConfig, FranceTravailEmulator
from sandbox.telegram import TelegramEmulator
from tests.helpers_bot import WAIT, expect
from tests.test_cli import TOKEN, closed_port, emulator_env, run_cli, running_bot

pytestmark = pytest.mark.timeout(300)

FT_SECRET_MARK = "S3cret-Of-The-Test"
COMMANDS = (("run",), ("alerts", "--once"), ("check",))


def emulators() -> tuple[FranceTravailEmulator, TelegramEmulator]:
    ft_config = EmulatorConfig(seed=1, offer_count=200, clients={"PAR_test": FT_SECRET_MARK})
    return FranceTravailEmulator(ft_config), TelegramEmulator(token=TOKEN)


def assert_one_clear_line(
    command: tuple[str, ...], code: int, out: str, err: str, *needles: str
) -> str:
    """Exit 1, one ✗ line holding every needle, no traceback, no secret; returns that line."""
    output = out + err
    assert code == 1, (command, output)
    assert "Traceback" not in output, (command, output)
    for secret in (TOKEN, "TEST-TOKEN", FT_SECRET_MARK, "wrong-secret", "WRONG-TOKEN"):
        assert secret not in output, (command, secret)
    failed = [line for line in output.splitlines() if line.startswith("✗")]
    assert len(failed) == 1, (command, output)
    for needle in needles:
        assert needle in failed[0], (command, needle, failed[0])
    if command != ("check",):
        # Nothing else but the usual start-up log lines.
        assert len([line for line in output.splitlines() if " INFO " not in line]) == 1, output
    return failed[0]


async def test_rejected_token_is_named_never_printed(tmp_path: Path) -> None:
    ft, tg = emulators()
    async with ft, tg:
        env = emulator_env(ft, tg, tmp_path / "bot.sqlite3")
        env["TELEGRAM_BOT_TOKEN"] = "654321:WRONG-TOKEN"
        for command in COMMANDS:
            code, out, err = await run_cli(*command, env=env, cwd=tmp_path)
            assert_one_clear_line(
                command, code, out, err, "Telegram", "token was rejected", "TELEGRAM_BOT_TOKEN"
            )


async def test_unreachable_telegram_or_france_travail(tmp_path: Path) -> None:
    ft, tg = emulators()
    # A port held closed for the whole test: a merely free one was once taken by another
    # test's server, whose empty answer read as a rejected token.
    with closed_port() as port:
        closed = f"http://127.0.0.1:{port}"
        async with ft, tg:
            env = emulator_env(ft, tg, tmp_path / "bot.sqlite3")
            env["TELEGRAM_API_BASE_URL"] = f"{closed}/bot"
            for command in COMMANDS:
                code, out, err = await run_cli(*command, env=env, cwd=tmp_path)
                assert_one_clear_line(
                    command, code, out, err, "Telegram: unreachable", "TELEGRAM_API_BASE_URL"
                )

            env = emulator_env(ft, tg, tmp_path / "bot.sqlite3")
            env["FT_TOKEN_URL"] = f"{closed}/connexion/oauth2/access_token?realm=%2Fpartenaire"
            for command in (("alerts", "--once"), ("check",)):
                code, out, err = await run_cli(*command, env=env, cwd=tmp_path)
                assert_one_clear_line(
                    command, code, out, err, "France Travail: unreachable", "FT_TOKEN_URL"
                )


async def test_unreadable_database(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("a file, not a folder\n", encoding="utf-8")
    not_a_database = tmp_path / "notes.sqlite3"
    not_a_database.write_text("not a database\n" * 200, encoding="utf-8")
    ft, tg = emulators()
    async with ft, tg:
        for path in (not_a_folder / "bot.sqlite3", not_a_database, tmp_path):
            env = emulator_env(ft, tg, path)
            for command in COMMANDS:
                code, out, err = await run_cli(*command, env=env, cwd=tmp_path)
                line = assert_one_clear_line(command, code, out, err, "database", "DATABASE_PATH")
                assert str(path) in line


async def test_wrong_france_travail_credentials_warn_at_run_and_fail_check(
    tmp_path: Path,
) -> None:
    ft, tg = emulators()
    async with ft, tg:
        env = emulator_env(ft, tg, tmp_path / "bot.sqlite3")
        env["FT_CLIENT_SECRET"] = "wrong-secret"
        for command in (("alerts", "--once"), ("check",)):
            code, out, err = await run_cli(*command, env=env, cwd=tmp_path)
            assert_one_clear_line(
                command, code, out, err, "France Travail: credentials refused", "FT_CLIENT_SECRET"
            )

        # `run` warns in one line and serves what needs no France Travail (the profile).
        async with running_bot(env, tmp_path) as (process, output):
            user = tg.user(11, first_name="Zoé")
            await user.send("/start")
            await expect(user, "Étape 1/5", timeout=WAIT)
        logs = "".join(output)
        assert process.returncode == 0, logs[-2000:]
        warnings = [line for line in logs.splitlines() if " WARNING " in line]
        assert len(warnings) == 1, logs
        assert "France Travail: credentials refused (FT_CLIENT_ID, FT_CLIENT_SECRET)" in warnings[0]
        assert "wrong-secret" not in logs
        assert "Traceback" not in logs


@pytest.mark.parametrize(
    ("raised", "code"), [(RuntimeError(f"boom with {TOKEN} inside"), 1), (KeyboardInterrupt(), 130)]
)
def test_any_other_failure_is_one_masked_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    raised: BaseException,
    code: int,
) -> None:
    """The last resort of `ft-bot`: whatever escapes a command (PTB's messages quote the token)."""

    def crash(args: object) -> int:
        raise raised

    monkeypatch.setattr(cli, "_secrets", (TOKEN, "TEST-TOKEN"))
    monkeypatch.setitem(cli.COMMANDS, "check", crash)
    with pytest.raises(SystemExit) as exited:
        cli.main(["check"])
    assert exited.value.code == code
    captured = capsys.readouterr()
    assert "TEST-TOKEN" not in captured.out + captured.err
    if code == 1:
        assert captured.err.splitlines() == [
            "✗ ft-bot check stopped: RuntimeError: boom with *** inside "
            "(LOG_LEVEL=DEBUG shows where)"
        ]


def test_readme_troubleshooting_lists_every_start_up_line() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    troubleshooting = readme.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    for line in (
        "✗ Telegram: the bot token was rejected (TELEGRAM_BOT_TOKEN)",
        "✗ Telegram: unreachable at … (TELEGRAM_API_BASE_URL)",
        "✗ France Travail: unreachable at … (FT_TOKEN_URL)",
        "✗ France Travail: credentials refused (FT_CLIENT_ID, FT_CLIENT_SECRET)",
        "✗ France Travail: an API is missing from the application's subscriptions",
        "access refused",
        "✗ database: cannot use … (DATABASE_PATH)",
        "cannot open …",
        "✗ ft-bot run stopped: …",
    ):
        assert line in troubleshooting, line
