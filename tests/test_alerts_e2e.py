"""Alert cycles end to end: storage → France Travail emulator → ranking → Telegram emulator."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot import alerts
from bot.alerts import cycle as alert_cycle
from sandbox.telegram import TelegramLimits
from tests.helpers_alerts import LYON_CODE, MARSEILLE_CODE, PARIS_CODE, alert_env, wait_for

# Wednesday 25 November 2026, 08:00 in Paris (CET, UTC+1).
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


async def test_digest_content_then_second_cycle_sends_nothing(tmp_path: Path) -> None:
    async with alert_env(tmp_path) as env:
        await env.add_user(1, "G1803", PARIS_CODE)
        await env.add_user(2, "G1803", PARIS_CODE)  # same criteria: same query
        await env.add_user(3, "J1501", LYON_CODE)
        waiter = [
            env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - i * HOUR)
            for i in range(1, 4)
        ]
        carer = env.add_offer(rome="J1501", place_code=LYON_CODE, created=NOW - 2 * HOUR)
        # Not theirs: another job, another town, or older than the lookback.
        env.add_offer(rome="K2204", place_code=PARIS_CODE, created=NOW - HOUR)
        env.add_offer(rome="G1803", place_code=MARSEILLE_CODE, created=NOW - HOUR)
        too_old = env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - 5 * DAY)

        report = await env.cycle(NOW)

        assert report.users_due == 3
        assert report.distinct_queries == 2
        assert report.ft_calls == 2 == env.search_calls()
        assert report.messages_sent == 3 and report.users_served == 3
        assert report.failures == 0 and report.users_blocked == 0
        for user_id in (1, 2):
            [message] = env.messages(user_id)
            for offer in waiter:
                assert offer["id"] in message.html  # the link to the offer page
            assert too_old["id"] not in message.html
            assert "Votre alerte emploi du mercredi 25 novembre" in message.text
            assert "Entreprise Test" in message.text and "Paris (75)" in message.text
            assert "Vos compétences couvrent" in message.text  # the coverage, not the rank
            assert "Adéquation" not in message.text
            assert "Prendre une commande client" in message.text  # a skill that matched
            # ⭐ / 🙈 per offer, nothing more than what is shown (no "+N autres" button).
            stars = [f"{icon} {n}" for n in range(1, len(waiter) + 1) for icon in ("⭐", "🙈")]
            assert message.button_texts == stars
        [carer_message] = env.messages(3)
        assert carer["id"] in carer_message.html
        # Recorded: the run, the offers sent, the users served.
        [run] = await env.storage.last_alert_runs(1)
        assert run.users_due == 3 and run.users_served == 3 and run.outcome == "ok"
        assert run.offers_sent == 7 and run.ft_calls == 2
        assert await env.storage.filter_unsent(1, [o["id"] for o in waiter]) == []

        # The next tick: nobody is due any more, nothing is asked, nothing is sent.
        second = await env.cycle(NOW + timedelta(minutes=1))
        assert second.users_due == 0 and second.messages_sent == 0
        assert env.search_calls() == 2
        # Forcing a user again: the offers were all sent already, so no message.
        forced = await env.cycle(NOW + timedelta(minutes=2), force_user_id=1)
        assert forced.users_due == 1 and forced.messages_sent == 0 and forced.users_served == 1
        assert [len(env.messages(u)) for u in (1, 2, 3)] == [1, 1, 1]

        # Next day: only the offer published since is sent.
        fresh = env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW + 5 * HOUR)
        next_day = await env.cycle(NOW + DAY)
        assert next_day.users_due == 3 and next_day.messages_sent == 2
        latest = env.messages(1)[-1]
        assert fresh["id"] in latest.html
        assert all(o["id"] not in latest.html for o in waiter)
        assert len(env.messages(3)) == 1  # nothing new for the carer: no empty digest


async def test_top_five_and_more_button_lists_the_rest(tmp_path: Path) -> None:
    async with alert_env(tmp_path, polling=True) as env:
        await env.add_user(10, "G1803", PARIS_CODE)
        offers = [
            env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - i * HOUR, skills=3)
            for i in range(1, 9)
        ]
        report = await env.cycle(NOW)
        assert report.messages_sent == 1 and report.offers_sent == 5
        user = env.tg.user(10)
        digest = await user.wait_reply()
        assert "3 autres offres correspondent" in digest.text
        stars = [f"{icon} {n}" for n in range(1, 6) for icon in ("⭐", "🙈")]
        assert digest.button_texts == [*stars, "Voir les 3 autres offres"]
        shown = {o["id"] for o in offers if o["id"] in digest.html}
        assert len(shown) == 5

        # France Travail down when the button is pressed: the user is told, the button stays.
        env.ft.faults.fail_next(4, 503, endpoint="offres_search")
        await user.press("Voir les 3 autres offres")
        failed = await user.wait_reply(timeout=10)
        assert "France Travail ne répond pas" in failed.text
        assert env.tg.messages_for(10)[0].button_texts == [*stars, "Voir les 3 autres offres"]

        await user.press("Voir les 3 autres offres", message_id=digest.message_id)
        replies = await user.replies(timeout=10, count=2)
        page = next(m for m in replies if not m.edited)
        edited = next(m for m in replies if m.edited)
        # The digest keeps its ⭐ / 🙈 buttons, loses its "+N autres" one.
        assert edited.message_id == digest.message_id and edited.button_texts == stars
        rest = {o["id"] for o in offers} - shown
        assert {o for o in rest if o in page.html} == rest
        assert not shown & {o["id"] for o in offers if o["id"] in page.html}
        # ⭐ / 🙈 per offer of the page (issue 15), and no more "+N autres" button.
        assert page.button_texts == ["⭐ 1", "🙈 1", "⭐ 2", "🙈 2", "⭐ 3", "🙈 3"]
        assert await env.storage.filter_unsent(10, [o["id"] for o in offers]) == []

        # The old button (if pressed again from another device) shows that nothing is left.
        await user.press_callback(digest.message_id, digest.buttons[-1][0].callback_data or "")
        again = await user.wait_reply(timeout=10)
        assert "vous les avez toutes vues" in again.text

        # A forged "more" button (a window that ends before it starts): the generic answer.
        answers = len(user.callback_answers)
        await user.press_callback(digest.message_id, "v1|am|zzzz|1")
        await wait_for(lambda: len(user.callback_answers) > answers)
        assert user.callback_answers[-1].text == "Ce bouton n'est plus valable."
        assert await user.replies(timeout=0.5) == []


async def test_no_loss_with_ft_faults_telegram_429_and_a_blocked_user(tmp_path: Path) -> None:
    # A tight Telegram budget: a burst of 2 then 3 messages/s, so the digests draw 429s that
    # PTB's AIORateLimiter waits out (Retry-After) and retries.
    limits = TelegramLimits(global_per_second=3.0, global_burst=2)
    overrides = {"alert_tick_seconds": 60}  # the backoff counts in ticks
    async with alert_env(
        tmp_path, tg_limits=limits, client_timeout=0.5, settings_overrides=overrides
    ) as env:
        # Three query sets; the first (the largest) fails with 500s, then times out.
        for user_id in (1, 2, 3):
            await env.add_user(user_id, "G1803", PARIS_CODE, alert_time=time(7, 0))
        for user_id in (4, 5):
            await env.add_user(user_id, "J1501", LYON_CODE, alert_time=time(7, 30))
        for user_id in (6, 7):
            await env.add_user(user_id, "K2204", MARSEILLE_CODE, alert_time=time(8, 0))
        for rome, code in (("G1803", PARIS_CODE), ("J1501", LYON_CODE), ("K2204", MARSEILLE_CODE)):
            env.add_offer(rome=rome, place_code=code, created=NOW - 3 * HOUR)
        env.tg.user(6).block_bot()
        # One query set at a time, largest first: the faults hit the Paris one.
        saved_concurrency = alert_cycle.FT_CONCURRENCY
        alert_cycle.FT_CONCURRENCY = 1
        try:
            # 1 + 3 retries of the client: the Paris query set fails for good.
            env.ft.faults.fail_next(4, 500, endpoint="offres_search")
            first = await env.cycle(NOW)
            assert first.users_due == 7 and first.query_sets == 3
            assert first.queries_failed == 1
            assert first.messages_sent == 3  # Lyon 4, 5 and Marseille 7
            assert first.users_blocked == 1
            assert first.failures == 3
            assert env.tg.stats.too_many_requests > 0  # 429s happened, and were absorbed
            for user_id in (4, 5, 7):
                assert len(env.messages(user_id)) == 1
            assert env.messages(1) == env.messages(2) == env.messages(3) == env.messages(6) == []
            assert (await env.storage.get_user(6)).blocked  # type: ignore[union-attr]
            [run] = await env.storage.last_alert_runs(1)
            assert run.outcome == "partial" and run.ft_errors == 1

            # Still within the backoff: the failed query is not asked again.
            calls = env.search_calls()
            deferred = await env.cycle(NOW + timedelta(seconds=30))
            assert deferred.queries_deferred == 1 and env.search_calls() == calls
            assert deferred.users_due == 3  # the blocked user is not due any more

            # Next tick: now timeouts for this query set (1 + 3 retries)…
            env.ft.faults.fail_next(4, "timeout", endpoint="offres_search")
            second = await env.cycle(NOW + timedelta(minutes=1))
            assert second.queries_failed == 1 and second.messages_sent == 0
            # …then France Travail is back, after the doubled backoff.
            third = await env.cycle(NOW + timedelta(minutes=2))
            assert third.queries_deferred == 1
            fourth = await env.cycle(NOW + timedelta(minutes=3))
            assert fourth.users_due == 3 and fourth.messages_sent == 3
        finally:
            alert_cycle.FT_CONCURRENCY = saved_concurrency
        for user_id in (1, 2, 3, 4, 5, 7):
            assert len(env.messages(user_id)) == 1, user_id
        assert env.messages(6) == []
        assert (await env.cycle(NOW + timedelta(minutes=4))).users_due == 0


async def test_batching_200_users_10_criteria_make_10_query_sets(tmp_path: Path) -> None:
    towns = (
        "75056",
        "69123",
        "13055",
        "31555",
        "06088",
        "44109",
        "67482",
        "34172",
        "33063",
        "59350",
    )
    async with alert_env(tmp_path) as env:
        for user_id in range(1, 201):
            await env.add_user(user_id, "G1803", towns[user_id % 10])
        # Offers in two of the towns only (keeps the Telegram part of the test short).
        for town in towns[:2]:
            env.add_offer(rome="G1803", place_code=town, created=NOW - HOUR)
        report = await env.cycle(NOW)
        assert report.users_due == 200
        assert report.distinct_queries == report.query_sets == 10
        assert env.search_calls() == 10 == report.ft_calls
        assert report.messages_sent == 40 and report.users_served == 200
        assert sum(len(env.messages(u)) for u in range(1, 201)) == 40


async def test_criteria_differing_by_job_or_contract_share_one_query(tmp_path: Path) -> None:
    criteria = [
        ("G1803", ()),
        ("G1803", ("CDI",)),
        ("J1501", ()),
        ("J1501", ("CDD",)),
        ("K2204", ("CDD", "CDI")),
        ("N1103", ()),  # nothing published for this one
    ]
    async with alert_env(tmp_path) as env:
        for user_id in range(1, 61):
            rome, contracts = criteria[user_id % 6]
            await env.add_user(user_id, rome, PARIS_CODE, contract_types=contracts)
        offers = {
            (rome, contract): env.add_offer(
                rome=rome, place_code=PARIS_CODE, created=NOW - HOUR, contract=contract
            )["id"]
            for rome in ("G1803", "J1501", "K2204")
            for contract in ("CDI", "CDD", "MIS")
        }
        report = await env.cycle(NOW)
        assert report.distinct_queries == 6 and report.query_sets == 1
        assert env.search_calls() == 1
        assert report.messages_sent == 50 and report.users_served == 60
        for user_id in range(1, 61):
            rome, contracts = criteria[user_id % 6]
            expected = {
                offer_id
                for (code, contract), offer_id in offers.items()
                if code == rome and (not contracts or contract in contracts)
            }
            messages = env.messages(user_id)
            got = {o for o in offers.values() if messages and o in messages[0].html}
            assert got == expected, (user_id, rome, contracts)


async def test_alerts_off_deleted_and_not_today_get_nothing(tmp_path: Path) -> None:
    async with alert_env(tmp_path) as env:
        for user_id in (1, 2, 3, 4):
            await env.add_user(user_id, "G1803", PARIS_CODE)
        env.add_offer(rome="G1803", place_code=PARIS_CODE, created=NOW - HOUR)
        await env.storage.set_alerts(2, False)
        await env.storage.delete_user(3)
        await env.storage.set_alerts(4, True, days=frozenset({0, 1}))  # Monday, Tuesday
        report = await env.cycle(NOW)  # a Wednesday
        assert report.users_due == 1 and report.messages_sent == 1
        assert len(env.messages(1)) == 1
        assert env.messages(2) == env.messages(3) == env.messages(4) == []
        # Forcing a deleted user is harmless.
        forced = await env.cycle(NOW, force_user_id=3)
        assert forced.users_due == 0 and forced.messages_sent == 0


async def test_job_is_registered_once_and_runs_a_cycle(tmp_path: Path) -> None:
    overrides = {"alert_tick_seconds": 1}
    async with alert_env(tmp_path, settings_overrides=overrides) as env:
        jobs = env.app.job_queue.get_jobs_by_name(alerts.JOB_NAME)  # type: ignore[union-attr]
        assert len(jobs) == 1
        [job] = jobs
        assert job.job.trigger.interval == timedelta(seconds=1)
        assert job.job.misfire_grace_time == 1
        assert job.job.coalesce is True and job.job.max_instances == 1
        # Due right now whatever the real time: alert at midnight, every day.
        await env.add_user(1, "G1803", PARIS_CODE, alert_time=time(0, 0))
        env.add_offer(rome="G1803", place_code=PARIS_CODE, created=datetime.now(UTC) - HOUR)
        state: alerts.AlertState = job.data  # type: ignore[assignment]

        # A tick while a cycle is running does nothing, in this process or in another one
        # (`ft-bot alerts --once` from cron on the same database).
        async with state.lock:
            await job.run(env.app)
        with alerts.cycle_lock(env.settings.database_path) as mine:
            assert mine
            await job.run(env.app)
        assert env.messages(1) == [] and await env.storage.last_alert_runs(1) == []

        await env.app.start()
        try:
            await wait_for(lambda: len(env.messages(1)) == 1)
        finally:
            await env.app.stop()
        assert len(env.messages(1)) == 1
