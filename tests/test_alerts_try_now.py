"""« Tester maintenant » with filters and saved alerts (issue 15, phase 2), through both emulators:
an empty result says why per alert — « toutes écartées par vos filtres » with the count per
filter, nothing new for a saved alert's criteria — and offers to widen and to loosen filters; a
run whose digest holds only a saved alert's offers needs no explanation."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from ft_client.alert_filters import AlertFilters
from ft_client.alert_schedule import Frequency, Schedule
from storage.saved_alerts import AlertCriteria, SavedAlert
from tests.helpers_alerts import LYON_CODE, PARIS_CODE, AlertEnv, alert_env

HOUR = timedelta(hours=1)
WAIT = 15.0
WAITER, COOK = "G1803", "G1602"


async def add_saved(
    env: AlertEnv, label: str, rome: str, place: str, filters: AlertFilters | None = None
) -> None:
    await env.storage.add_saved_alert(
        SavedAlert(
            user_id=10,
            alert_no=0,
            label=label,
            criteria=AlertCriteria(
                rome_codes=(rome,),
                commune_code=place,
                place_label={LYON_CODE: "Lyon", PARIS_CODE: "Paris"}[place],
                radius_km=10,
            ),
            schedule=Schedule(Frequency.DAILY, time(8, 0)),
            filters=filters or AlertFilters(),
        )
    )


async def test_tester_maintenant_explains_each_alert_filters_included(tmp_path: Path) -> None:
    async with alert_env(tmp_path, polling=True) as env:
        await env.add_user(10, WAITER, PARIS_CODE)
        await env.storage.modify_profile_alert_settings(
            10, lambda s: s.replace(filters=AlertFilters(min_salary=3000, keep_unsalaried=False))
        )
        await add_saved(env, "Cuisinier à Lyon", COOK, LYON_CODE)
        await add_saved(
            env,
            "Serveur",
            WAITER,
            PARIS_CODE,
            AlertFilters(excluded_companies=("Entreprise Test",)),
        )
        now = datetime.now(UTC)
        for i in (1, 2):
            env.add_offer(rome=WAITER, place_code=PARIS_CODE, created=now - i * HOUR)
        user = env.tg.user(10)
        await user.send("/alertes")
        await user.replies(timeout=WAIT, count=1)
        await user.press("▶️ Tester maintenant")
        [answer] = await user.replies(timeout=WAIT, count=1)
        profile_part, lyon_part, waiter_part = answer.text.split("\n\n")[:3]
        assert profile_part.startswith("Alerte de votre profil : 2 nouvelle(s) offre(s)")
        assert "toutes écartées par vos filtres (salaire non indiqué : 2)" in profile_part
        assert lyon_part.startswith("« Cuisinier à Lyon » : Aucune nouvelle offre publiée")
        assert "pour vos critères : tous contrats · Lyon + 10\u00a0km" in lyon_part
        assert waiter_part.startswith("« Serveur » : 2 nouvelle(s) offre(s)")
        assert "toutes écartées par vos filtres (entreprise exclue : 2)" in waiter_part
        assert "déjà" not in answer.text  # nothing was sent: nothing is blamed on that
        assert "assouplir vos filtres dans /alertes" in answer.text
        assert answer.button_texts == ["📍 Élargir à 50 km", "🇫🇷 Toute la France"]
        assert not [m for m in env.messages(10) if "emploi du " in m.text]  # no digest
        # Nothing sent, and each alert recorded served for what it looked at.
        saved = await env.storage.list_saved_alerts(10)
        assert all(a.last_served_at is not None for a in saved)


async def test_tester_maintenant_sends_a_saved_alert_digest_without_explaining(
    tmp_path: Path,
) -> None:
    async with alert_env(tmp_path, polling=True) as env:
        await env.add_user(10, WAITER, PARIS_CODE)
        await add_saved(env, "Serveur à Lyon", WAITER, LYON_CODE)
        offer = env.add_offer(rome=WAITER, place_code=LYON_CODE, created=datetime.now(UTC) - HOUR)
        user = env.tg.user(10)
        await user.send("/alertes")
        await user.replies(timeout=WAIT, count=1)
        await user.press("▶️ Tester maintenant")
        [digest] = await user.replies(timeout=WAIT, count=1)
        assert "— Serveur à Lyon" in digest.text and offer["id"] in (digest.html or "")
        assert await user.replies(timeout=1.0) == []  # the digest is the answer
