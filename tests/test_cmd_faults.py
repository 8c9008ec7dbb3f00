"""France Travail failing (5xx, 429, timeouts, malformed JSON) under each command that asks it:
the user gets the French "ne répond pas" message, the error is counted for /stats, and the bot
keeps serving. One environment per command, the faults one after the other (fast)."""

from __future__ import annotations

import pytest

from tests.helpers_cmd import WAIT, add_offers, cmd_env, make_profile

pytestmark = pytest.mark.timeout(120)

FT_DOWN = "France Travail ne répond pas pour le moment, réessayez dans quelques minutes."


async def test_match_france_travail_down_still_shows_the_skills_report(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 111)
        user = env.user(111)
        # A different job each time: a repeated search would be answered from the cache.
        for fault, code in ((503, "G1803"), ("timeout", "G1801")):
            add_offers(env, f"Offre{code}", 2, rome_code=code)
            env.ft.faults.fail_next(20, kind=fault, endpoint="offres_search")
            await user.send(f"/match {code}")
            replies = await user.replies(timeout=60, count=2)
            assert replies[0].text == FT_DOWN, fault
            assert "Vos compétences couvrent" in replies[1].text
            assert "Les offres ne peuvent pas être affichées" in replies[1].text
            env.ft.faults.clear()
            await user.send(f"/match {code}")
            report = (await user.replies(timeout=WAIT, count=1))[-1]
            assert "Les meilleures offres près de Paris" in report.text
            assert f"Offre{code} 1" in report.text
        assert (await env.services.storage.stats())["ft_errors_24h"] == 2


async def test_search_france_travail_down_then_bot_keeps_serving(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        add_offers(env, "Zythologue", 2)
        user = env.user(205)
        for count, fault in enumerate((500, 429, "malformed"), start=1):
            env.ft.faults.fail_next(20, kind=fault, endpoint="offres_search")
            await user.send(f"/recherche zythologue essai{count}")  # a new search each time
            reply = (await user.replies(timeout=30, count=1))[-1]
            assert reply.text == FT_DOWN, fault
            assert "typing" in env.tg.chat_actions(205)
            stats = await env.services.storage.stats()
            assert stats["ft_errors_24h"] == count
            env.ft.faults.clear()
            await user.send("/aide")
            assert "/recherche" in (await user.replies(timeout=WAIT, count=1))[-1].text
        # A 400 is France Travail refusing the search, not an outage.
        env.ft.faults.fail_next(1, kind=400, endpoint="offres_search")
        await user.send("/recherche zythologue refus")
        refused = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "France Travail refuse cette recherche" in refused.text
        assert (await env.services.storage.stats())["ft_errors_24h"] == 3
        await user.send("/recherche zythologue")
        assert "2 offres" in (await user.replies(timeout=WAIT, count=1))[-1].text


async def test_offer_france_travail_down(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        [offer_id] = add_offers(env, "Zythologue", 1)
        user = env.user(305)
        for fault in (500, 429):
            env.ft.faults.fail_next(20, kind=fault, endpoint="offres_detail")
            await user.send(f"/offre {offer_id}")
            reply = (await user.replies(timeout=60, count=1))[-1]
            assert reply.text == FT_DOWN, fault
            env.ft.faults.clear()
            await user.send("/favoris")
            assert "aucune offre" in (await user.replies(timeout=WAIT, count=1))[-1].text
        await user.send(f"/offre {offer_id}")
        assert "Zythologue 1" in (await user.replies(timeout=WAIT, count=1))[-1].text


async def test_a_slow_france_travail_does_not_hold_up_other_users(tmp_path) -> None:
    """PTB handles updates one after the other: the France Travail commands run as tasks, so
    another user's /aide is answered while a search waits on a hanging France Travail."""
    hanging = {"timeout": 6.0, "max_retries": 0, "backoff_base": 0.05, "backoff_max": 0.2}
    async with cmd_env(tmp_path, ft_client_kwargs=hanging) as env:
        searcher, other = env.user(207), env.user(208)
        env.ft.faults.fail_next(1, kind="timeout", endpoint="offres_search")
        await searcher.send("/recherche serveur")
        await other.send("/aide")
        assert "Ce que je sais faire" in (await other.replies(timeout=WAIT, count=1))[-1].text
        # Answered before the search gave up (which always came first when it blocked).
        assert not searcher.all_replies()
        reply = (await searcher.replies(timeout=30, count=1))[-1]
        assert reply.text == FT_DOWN
