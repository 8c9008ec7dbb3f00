"""Alert windows after a profile change, and « Tester maintenant » explaining an empty alert.

Issue 15 item 5: someone who moved their place from Rennes to Paris got "nothing new" while
Paris had fresh offers, because the window started at the last digest whatever the criteria.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.explain import since_label
from storage.clock import PARIS
from tests.helpers_alerts import PARIS_CODE, alert_env, referential

# Wednesday 25 November 2026, 08:00 in Paris (CET, UTC+1).
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
RENNES_CODE = "35238"
WEB = "M1855"  # Développeur / Développeuse web
WAIT = 15.0


def digests_with(messages: list, offer_id: str) -> int:
    return sum(offer_id in m.html for m in messages if "Votre alerte emploi" in m.text)


async def test_moving_from_rennes_to_paris_looks_back_again(tmp_path: Path) -> None:
    async with alert_env(tmp_path) as env:
        await env.add_user(1, WEB, RENNES_CODE)
        await env.add_user(2, WEB, PARIS_CODE)
        paris = [
            env.add_offer(rome=WEB, place_code=PARIS_CODE, created=NOW - DAY - i * HOUR)
            for i in range(1, 4)
        ]
        # Day 1: nothing in Rennes for user 1; user 2 (Paris) gets the Paris offers.
        first = await env.cycle(NOW - DAY)
        assert first.users_due == 2 and first.messages_sent == 1
        assert env.messages(1) == [] and len(env.messages(2)) == 1

        # User 1 moves to Paris. The Paris offers were published before their last alert:
        # a window starting at that alert would miss them all.
        await env.storage.set_place(1, PARIS_CODE, "Paris (75)", 10)
        second = await env.cycle(NOW)
        assert second.users_due == 2
        [digest] = env.messages(1)
        for offer in paris:
            assert offer["id"] in digest.html
        assert len(env.messages(2)) == 1  # unchanged alert, nothing new: no message
        stored = await env.storage.alert_criteria_of([1, 2])
        assert stored[1] == stored[2] and PARIS_CODE in (stored[1] or "")

        # Day 3: the criteria are the ones served, the window starts at the last alert again;
        # a late offer of day 2 comes, the older ones never come twice.
        late = env.add_offer(rome=WEB, place_code=PARIS_CODE, created=NOW + HOUR)
        third = await env.cycle(NOW + DAY)
        assert third.messages_sent == 2
        for user_id in (1, 2):
            latest = env.messages(user_id)[-1]
            assert late["id"] in latest.html
            assert all(o["id"] not in latest.html for o in paris)
            assert all(digests_with(env.messages(user_id), o["id"]) == 1 for o in paris)


async def test_changed_contract_types_look_back_but_sent_offers_never_return(
    tmp_path: Path,
) -> None:
    async with alert_env(tmp_path) as env:
        await env.add_user(1, WEB, PARIS_CODE)
        cdi = env.add_offer(rome=WEB, place_code=PARIS_CODE, created=NOW - 2 * DAY, contract="CDI")
        await env.cycle(NOW - DAY)
        assert digests_with(env.messages(1), cdi["id"]) == 1
        cdd = env.add_offer(rome=WEB, place_code=PARIS_CODE, created=NOW - 2 * DAY, contract="CDD")
        # Only CDD now: an older CDD offer, published before the last alert, is found.
        await env.storage.set_contract_types(1, ["CDD"])
        await env.cycle(NOW)
        assert digests_with(env.messages(1), cdd["id"]) == 1
        # Back to every contract: the window looks back again, the CDI offer is not sent twice.
        await env.storage.set_contract_types(1, [])
        report = await env.cycle(NOW + DAY)
        assert report.users_due == 1 and report.messages_sent == 0
        assert digests_with(env.messages(1), cdi["id"]) == 1
        assert digests_with(env.messages(1), cdd["id"]) == 1


async def test_tester_maintenant_explains_nothing_new_and_widens(tmp_path: Path) -> None:
    async with alert_env(tmp_path, polling=True) as env:
        await env.add_user(10, WEB, PARIS_CODE)
        user = env.tg.user(10)
        started = datetime.now(UTC)
        await user.send("/alertes")
        await user.replies(timeout=WAIT, count=1)
        await user.press("▶️ Tester maintenant")
        [answer] = await user.replies(timeout=WAIT, count=1)
        assert "Aucune nouvelle offre publiée depuis le" in answer.text
        # Never served: the window is the whole lookback (3 days).
        day = since_label(started - 3 * DAY, PARIS).split(" à ")[0]
        assert f"depuis le {day}" in answer.text
        assert "Développeur / Développeuse web · Paris (75), 10 km · tous contrats" in answer.text
        assert "déjà" not in answer.text  # nothing was sent: nothing is blamed on that
        assert answer.button_texts == ["📍 Élargir à 50 km", "🇫🇷 Toute la France"]

        await user.press("📍 Élargir à 50 km")
        noted, again = await user.replies(timeout=WAIT, count=2)
        assert "50 km autour de Paris (75)" in noted.text
        assert (await env.storage.get_profile(10)).radius_km == 50
        assert "Paris (75), 50 km" in again.text
        assert again.button_texts == ["🇫🇷 Toute la France"]

        await user.press("🇫🇷 Toute la France")
        noted, again = await user.replies(timeout=WAIT, count=2)
        assert "toute la France" in noted.text
        profile = await env.storage.get_profile(10)
        assert profile.place_code is None and profile.radius_km == 50
        assert "Aucune nouvelle offre" in again.text and "· toute la France ·" in again.text
        assert again.button_texts == []
        assert "/profil" in again.text
        assert not [m for m in env.messages(10) if "Votre alerte emploi" in m.text]


async def test_tester_maintenant_explains_already_sent(tmp_path: Path) -> None:
    async with alert_env(tmp_path, polling=True) as env:
        await env.add_user(11, WEB, PARIS_CODE)
        now = datetime.now(UTC)
        offers = [
            env.add_offer(rome=WEB, place_code=PARIS_CODE, created=now - i * HOUR, contract="CDI")
            for i in (1, 2)
        ]
        user = env.tg.user(11)
        await user.send("/alertes")
        await user.replies(timeout=WAIT, count=1)
        await user.press("▶️ Tester maintenant")
        [digest] = await user.replies(timeout=WAIT, count=1)
        assert "Votre alerte emploi" in digest.text  # the digest is the answer, nothing more
        assert all(o["id"] in digest.html for o in offers)

        # A changed alert looks back again: both offers are in its window, both already sent.
        await env.storage.set_contract_types(11, ["CDI"])
        await user.send("/alertes")
        await user.replies(timeout=WAIT, count=1)
        await user.press("▶️ Tester maintenant")
        [answer] = await user.replies(timeout=WAIT, count=1)
        assert "Les 2 offres publiées depuis le" in answer.text
        assert "vous ont déjà toutes été envoyées" in answer.text
        assert "· CDI)" in answer.text
        assert all(digests_with(env.messages(11), o["id"]) == 1 for o in offers)


async def test_tester_maintenant_explains_below_threshold(tmp_path: Path) -> None:
    # Only a perfect fit qualifies: the offers are found, and none is good enough.
    async with alert_env(
        tmp_path, polling=True, settings_overrides={"alert_min_score": 1.0}
    ) as env:
        await env.add_user(12, WEB, PARIS_CODE, skills=("jardinage", "taille de haies"))
        now = datetime.now(UTC)
        for i in (1, 2, 3):
            env.add_offer(rome=WEB, place_code=PARIS_CODE, created=now - i * HOUR)
        user = env.tg.user(12)
        await user.send("/alertes")
        await user.replies(timeout=WAIT, count=1)
        await user.press("▶️ Tester maintenant")
        [answer] = await user.replies(timeout=WAIT, count=1)
        assert "3 nouvelle(s) offre(s) publiée(s) depuis le" in answer.text
        assert "aucune ne correspond assez à votre profil" in answer.text
        assert "déjà" not in answer.text
        assert await env.storage.filter_unsent(12, ["x"]) == ["x"]
        assert not [m for m in env.messages(12) if "Votre alerte emploi" in m.text]


def test_window_starts_at_last_alert_only_for_the_criteria_it_was_served_for() -> None:
    from bot.alerts import planning
    from storage import Profile, TargetJob

    ref = referential()
    served = NOW - DAY
    profile = Profile(
        user_id=1,
        target_jobs=(TargetJob(WEB, "Développeur / Développeuse web"),),
        place_code=PARIS_CODE,
        place_label="Paris (75)",
        radius_km=10,
        last_alert_at=served,
    )
    key = planning.alert_query_key(profile, ref)
    assert key is not None
    same = planning.alert_criteria(key)
    moved = planning.alert_criteria(
        planning.alert_query_key(profile.replace(place_code=RENNES_CODE), ref)  # type: ignore[arg-type]
    )
    assert same != moved
    floor = NOW - 3 * DAY
    for stored, expected in ((same, served), (moved, floor), (None, floor)):
        [group], _ = planning.plan_groups([profile], ref, NOW, 3, {1: stored})
        assert group.users[0].window_start == expected, stored
        assert group.users[0].criteria_changed is (expected == floor)
    # Never served: the lookback, criteria or not; no mapping: the last alert (as before).
    never = profile.replace(last_alert_at=None)
    [group], _ = planning.plan_groups([never], ref, NOW, 3, {1: same})
    assert group.users[0].window_start == floor and not group.users[0].criteria_changed
    [group], _ = planning.plan_groups([profile], ref, NOW, 3)
    assert group.users[0].window_start == served


async def test_tester_maintenant_never_overlaps_a_running_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.alerts import try_now
    from bot.alerts.job import JOB_NAME

    monkeypatch.setattr(try_now, "WAIT_FOR_CYCLE_SECONDS", 0.2)
    async with alert_env(tmp_path, polling=True) as env:
        await env.add_user(13, WEB, PARIS_CODE)
        env.add_offer(rome=WEB, place_code=PARIS_CODE, created=datetime.now(UTC) - HOUR)
        user = env.tg.user(13)
        await user.send("/alertes")
        [card] = await user.replies(timeout=WAIT, count=1)
        assert env.app.job_queue is not None
        [job] = env.app.job_queue.get_jobs_by_name(JOB_NAME)
        async with job.data.lock:  # the alert job is running a cycle
            await user.press("▶️ Tester maintenant")
            [answer] = await user.replies(timeout=WAIT, count=1)
        assert "réessayez dans quelques minutes" in answer.text
        assert await env.storage.alert_criteria_of([13]) == {13: None}  # nothing was run
        # Once the cycle is over, the same button runs the alert.
        await user.press("▶️ Tester maintenant", message_id=card.message_id)
        [digest] = await user.replies(timeout=WAIT, count=1)
        assert "Votre alerte emploi" in digest.text


async def test_tester_maintenant_waits_for_a_cycle_of_another_process(tmp_path: Path) -> None:
    from bot.process_lock import database_lock

    async with alert_env(tmp_path, polling=True) as env:
        await env.add_user(14, WEB, PARIS_CODE)
        env.add_offer(rome=WEB, place_code=PARIS_CODE, created=datetime.now(UTC) - HOUR)
        user = env.tg.user(14)
        await user.send("/alertes")
        [card] = await user.replies(timeout=WAIT, count=1)
        # `ft-bot alerts --once` (another process) holds the database's "alerts" lock.
        async with database_lock(env.storage, "alerts") as held:
            assert held
            await user.press("▶️ Tester maintenant")
            [answer] = await user.replies(timeout=WAIT, count=1)
        assert "réessayez dans quelques minutes" in answer.text
        assert env.messages(14)[-1].text == answer.text  # no digest went out
        await user.press("▶️ Tester maintenant", message_id=card.message_id)
        [digest] = await user.replies(timeout=WAIT, count=1)
        assert "Votre alerte emploi" in digest.text
