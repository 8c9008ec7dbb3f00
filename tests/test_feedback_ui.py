"""« Pas intéressé » end to end (issue 15): 🙈 / ⭐ under a digest, the optional reason, the
effect listed in /alertes with « annuler », hidden offers kept out of the next digest, the old
``user_data`` list moved into the database, forged buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram.constants import ParseMode

from bot.alerts import digest as digest_mod
from bot.alerts.more import digest_keyboard
from bot.hidden_offers import HIDDEN_KEY, hidden_set
from ft_client.alert_feedback import Reason
from tests.helpers_alerts import PARIS_CODE, alert_env

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
WAIT = 10.0


async def test_not_interested_with_a_reason_then_undone(tmp_path: Path) -> None:
    async with alert_env(tmp_path, polling=True) as env:
        await env.add_user(20, "G1803", PARIS_CODE)
        storage = env.storage
        offers = [
            env.add_offer(
                rome="G1803", place_code=PARIS_CODE, created=NOW - i * HOUR, company=f"Maison {i}"
            )
            for i in (1, 2, 3)
        ]
        digest = digest_mod.Digest(
            items=tuple(
                digest_mod.DigestItem(o["id"], o["intitule"], "https://example.invalid/", None)
                for o in offers
            )
        )
        await env.app.bot.send_message(
            20,
            digest_mod.render_digest(digest),
            parse_mode=ParseMode.HTML,
            reply_markup=digest_keyboard(digest, NOW - 24 * HOUR, NOW),
        )
        user = env.tg.user(20)
        sent = await user.wait_reply(timeout=WAIT)
        assert sent.button_texts[:4] == ["⭐ 1", "🙈 1", "⭐ 2", "🙈 2"]

        await user.press("🙈 1")
        assert "ne vous sera plus proposée" in (await user.wait_callback_answer(WAIT)).text
        question = await user.wait_reply(timeout=WAIT)
        assert "Pourquoi ?" in question.text
        assert question.button_texts == ["Métier", "Entreprise", "Trop loin", "Salaire", "Contrat"]
        await user.press("Entreprise")
        noted = await user.wait_reply(timeout=WAIT)
        assert "plus d'offres de Maison 1" in noted.text
        [feedback] = await storage.list_feedback(20)
        assert feedback.offer_id == offers[0]["id"] and feedback.reason is Reason.COMPANY
        assert feedback.company == "Maison 1" and feedback.rome_code == "G1803"
        assert feedback.distance_km is not None and feedback.distance_km < 5

        # ⭐ saves without touching the digest's buttons.
        await user.press("⭐ 2", message_id=sent.message_id)
        assert "favoris" in (await user.wait_callback_answer(WAIT)).text
        assert [f.offer_id for f in await storage.list_favourites(20)] == [offers[1]["id"]]
        assert env.tg.messages_for(20)[0].button_texts == sent.button_texts

        # A reason for an offer the presser did not hide: nothing is stored.
        await user.press_callback(sent.message_id, "v1|fbr|ZZZ9999|metier")
        assert "plus valable" in (await user.wait_callback_answer(WAIT)).text
        assert len(await storage.list_feedback(20)) == 1

        # The next digest leaves the hidden offer out.
        report = await env.cycle(NOW)
        assert report.messages_sent == 1
        [latest] = await user.replies(timeout=WAIT, count=1)
        assert offers[1]["id"] in (latest.html or "")
        assert offers[0]["id"] not in (latest.html or "")

        # /alertes lists the effect; « annuler » clears it, the offer stays hidden.
        await user.send("/alertes")
        overview = await user.wait_reply(timeout=WAIT)
        assert "Vos « pas intéressé »" in overview.text
        assert "plus d'offres de Maison 1" in overview.text
        await user.press("↩️ Annuler : plus d'offres de Maison 1")
        assert "reste masquée" in (await user.wait_callback_answer(WAIT)).text
        [cleared] = await storage.list_feedback(20)
        assert cleared.reason is None
        assert offers[0]["id"] in (await storage.hidden_offers_of([20]))[20]


async def test_old_user_data_lists_move_into_the_database(tmp_path: Path) -> None:
    async with alert_env(tmp_path) as env:
        await env.add_user(21, "G1803", PARIS_CODE)
        memory = {HIDDEN_KEY: ["OLD0001", "OLD0002"]}
        assert await hidden_set(env.storage, 21, memory) == {"OLD0001", "OLD0002"}
        assert (await env.storage.hidden_offers_of([21]))[21] == {"OLD0001", "OLD0002"}
        # Someone with no user row yet: the list keeps working from memory alone.
        assert await hidden_set(env.storage, 22, memory) == {"OLD0001", "OLD0002"}
        assert await env.storage.hidden_offers_of([22]) == {}
