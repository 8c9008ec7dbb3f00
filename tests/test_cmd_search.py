"""/recherche end to end: paging by editing one message, cache, places, bad input, faults."""

from __future__ import annotations

import pytest

from tests.helpers_cmd import WAIT, add_offers, cmd_env, make_profile

pytestmark = pytest.mark.timeout(120)


async def test_search_pages_edit_the_same_message_and_use_the_cache(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        ids = add_offers(env, "Zythologue", 12)
        user = env.user(201)
        await user.send("/recherche zythologue")
        first = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "12 offres, page 1/3" in first.text
        assert "Zythologue" in first.text
        assert "Suivant »" in first.button_texts
        assert "« Précédent" not in first.button_texts
        calls = env.ft.stats.calls["offres_search"]

        await user.press("Suivant »")
        second = (await user.replies(timeout=WAIT, count=1))[-1]
        assert second.edited
        assert second.message_id == first.message_id
        assert "page 2/3" in second.text
        assert "6. " in second.text
        assert {"« Précédent", "Suivant »"} <= set(second.button_texts)

        await user.press("Suivant »")
        third = (await user.replies(timeout=WAIT, count=1))[-1]
        assert third.message_id == first.message_id
        assert "page 3/3" in third.text
        assert "Suivant »" not in third.button_texts
        await user.press("« Précédent")
        back = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "page 2/3" in back.text
        # Paging is served from the cached France Travail page.
        assert env.ft.stats.calls["offres_search"] == calls
        assert len(env.tg.messages_for(201)) == 1

        # Each result opens its card.
        await user.press(back.buttons[0][0].text)
        card = (await user.replies(timeout=WAIT, count=1))[-1]
        assert not card.edited
        assert any(i in card.text for i in ids)

        # The same search typed again a moment later (case and spaces aside) is answered from
        # the cache too.
        await user.send("/recherche  Zythologue ")
        again = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "12 offres, page 1/3" in again.text
        assert env.ft.stats.calls["offres_search"] == calls


async def test_search_with_place_and_profile_default(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        add_offers(env, "Zythologue", 3)
        await make_profile(env, 202, place=("75115", "Paris 15e Arrondissement"))
        user = env.user(202)
        await user.send("/recherche zythologue")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Paris 15e Arrondissement + 10\u00a0km" in reply.text
        assert "3 offres" in reply.text
        await user.send("/search zythologue à Marseille")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Marseille" in reply.text
        assert "Aucune offre" in reply.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/recherche", "Indiquez ce que vous cherchez"),
        ("/recherche 😀😀", "Indiquez ce que vous cherchez"),
        ("/recherche à Lyon", "Indiquez ce que vous cherchez"),
        ("/recherche serveur à Qsdfghjklmwxc", "Je ne connais pas le lieu « Qsdfghjklmwxc »"),
        ("/recherche serveur à Trifouillis-les-Oies", "Je ne connais pas"),
        # A job title containing " à " is not a place: "domicile" is no town.
        ("/recherche aide à domicile", "Employé familial"),
        ("/recherche <b>serveur</b> ' OR 1=1; --", "sans balises"),
        ("/recherche serveur à <i>Paris</i>", "sans balises"),
        ("/recherche " + "serveur " * 500, "trop longue"),  # Telegram splits longer ones
        ("/recherche serveur à Paris 0 km", "Le rayon va de 1 à 100 km"),
        ("/recherche serveur à Paris 5000 km", "Le rayon va de 1 à 100 km"),
        ("/recherche serveur à Paris abc km", "Le rayon va de 1 à 100 km"),
    ],
)
async def test_search_bad_input(tmp_path, text: str, expected: str) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(203)
        await user.send(text)
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert expected in reply.text


async def test_search_forged_and_stale_page_buttons(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        add_offers(env, "Zythologue", 7)
        user = env.user(204)
        await user.send("/recherche zythologue")
        message = (await user.replies(timeout=WAIT, count=1))[-1]
        key = next(
            b.callback_data.split("|")[2]
            for row in message.buttons
            for b in row
            if b.text == "Suivant »"
        )
        for data in (
            f"v1|page|{key}|7",  # the right search, a page that does not exist
            "v1|page|deadbeef00|1",  # well-formed, unknown search
            "v1|page|" + "x" * 30 + "|1",  # too long key
            "v1|page|k|-1",
            "v0|page|k|1",  # older version
            "garbage",
            "v1|offer|../../etc",
            "v1|unfav|<b>",
        ):
            await user.press_callback(message.message_id, data)
            answer = await user.wait_callback_answer(timeout=WAIT)
            assert answer.text is not None
            assert "Ce bouton n'est plus valable" in answer.text
        assert not await user.replies(timeout=0.5)  # nothing edited or sent


async def test_search_huge_input_with_place(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(206)
        await user.send("/recherche " + "serveur " * 450 + "à " + "Paris " * 20)
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Désolé" not in reply.text
        assert "trop longue" in reply.text


async def test_paging_still_works_after_a_restart(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        add_offers(env, "Zythologue", 8)
        user = env.user(207)
        await user.send("/recherche zythologue")
        first = (await user.replies(timeout=WAIT, count=1))[-1]
        await env.app.update_persistence()
        await env.restart()
        # The search lives in the persisted user_data; the results cache did not survive.
        await user.press("Suivant »")
        second = (await user.replies(timeout=WAIT, count=1))[-1]
        assert second.message_id == first.message_id
        assert "page 2/2" in second.text
        assert "Zythologue" in second.text
