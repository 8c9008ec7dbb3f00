"""/offre and /favoris end to end: card, ⭐ save, list, remove (own favourites only), faults."""

from __future__ import annotations

import pytest

from bot.handlers.offer import normalise_offer_id
from tests.helpers_cmd import WAIT, add_offers, cmd_env, make_profile

pytestmark = pytest.mark.timeout(120)

EVIL = "<script>alert('x')</script> & <b>gras</b> ' OR 1=1; DROP TABLE favourites; --"


def test_normalise_offer_id() -> None:
    assert normalise_offer_id(" 193xkzp ") == "193XKZP"
    assert normalise_offer_id("4007869") == "4007869"
    for bad in ("", "12", "../etc/passwd", "193XKZP;DROP", "😀😀😀😀😀", "A" * 16):
        assert normalise_offer_id(bad) is None


async def test_offer_card_save_list_and_remove(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        [offer_id] = add_offers(env, "Zythologue", 1, description=EVIL * 100)
        user = env.user(301)
        await user.send(f"/offre {offer_id.lower()}")
        card = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Zythologue 1" in card.text
        assert f"Réf. {offer_id}" in card.text
        assert "Voir l'offre sur France Travail" in card.text
        assert "<script>" in card.text  # shown as text…
        assert "&lt;script&gt;" in card.html  # …because it was escaped
        assert "…" in card.text  # the long description is trimmed
        assert len(card.text) <= 4096
        assert any(b.url and offer_id in b.url for row in card.buttons for b in row)

        detail_calls = env.ft.stats.calls["offres_detail"]
        await user.press("⭐ Sauvegarder")
        answer = await user.wait_callback_answer(timeout=WAIT)
        assert answer.text == "Offre sauvegardée dans vos /favoris."
        edited = (await user.replies(timeout=WAIT, count=1))[-1]
        assert edited.message_id == card.message_id
        assert "⭐ Sauvegardée" in edited.button_texts
        assert env.ft.stats.calls["offres_detail"] == detail_calls  # served from the cache
        [favourite] = await env.services.storage.list_favourites(301)
        assert favourite.offer_id == offer_id
        assert favourite.title == "Zythologue 1"

        # The star toggles: pressed again, the offer leaves the favourites, and comes back.
        await user.press("⭐ Sauvegardée")
        assert (await user.wait_callback_answer(timeout=WAIT)).text == (
            "Offre retirée de vos /favoris."
        )
        unsaved = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "⭐ Sauvegarder" in unsaved.button_texts
        assert await env.services.storage.list_favourites(301) == []
        await user.press("⭐ Sauvegarder")
        assert (await user.wait_callback_answer(timeout=WAIT)).text == (
            "Offre sauvegardée dans vos /favoris."
        )
        (await user.replies(timeout=WAIT, count=1))

        await user.send("/favoris")
        listing = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Vos offres sauvegardées (1)" in listing.text
        assert "Zythologue 1" in listing.text
        await user.press("❌ Retirer 1")
        assert (
            await user.wait_callback_answer(timeout=WAIT)
        ).text == "Offre retirée de vos favoris."
        emptied = (await user.replies(timeout=WAIT, count=1))[-1]
        assert emptied.message_id == listing.message_id
        assert "aucune offre sauvegardée" in emptied.text
        assert await env.services.storage.list_favourites(301) == []


async def test_a_user_cannot_remove_someone_elses_favourite(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        [offer_id] = add_offers(env, "Zythologue", 1)
        owner, other = env.user(302), env.user(303)
        await owner.send(f"/offre {offer_id}")
        await owner.replies(timeout=WAIT, count=1)
        await owner.press("⭐ Sauvegarder")
        await owner.wait_callback_answer(timeout=WAIT)
        await other.send("/favorites")
        listing = (await other.replies(timeout=WAIT, count=1))[-1]
        assert "aucune offre sauvegardée" in listing.text
        # A forged "remove" button carrying the owner's offer id.
        await other.press_callback(listing.message_id, f"v1|unfav|{offer_id}")
        answer = await other.wait_callback_answer(timeout=WAIT)
        assert answer.text == "Cette offre n'est plus dans vos favoris."
        assert [f.offer_id for f in await env.services.storage.list_favourites(302)] == [offer_id]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/offre", "Indiquez le numéro de l'offre"),
        ("/offer ../../etc/passwd", "n'est pas un numéro d'offre valable"),
        ("/offre <b>x</b>' OR 1=1", "n'est pas un numéro d'offre valable"),
        ("/offre 😀😀😀😀😀😀", "n'est pas un numéro d'offre valable"),
        ("/offre " + "A" * 4000, "n'est pas un numéro d'offre valable"),
        ("/offre 000ZZZZ", "n'existe pas ou n'est plus en ligne"),
    ],
)
async def test_offer_bad_or_unknown_id(tmp_path, text: str, expected: str) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(304)
        await user.send(text)
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert expected in reply.text
        assert len(reply.text) <= 4096


async def test_offer_card_checks_the_profiles_licences_and_experience(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        [offer_id] = add_offers(env, "Chauffeur livreur", 1)
        stored = next(o for o in env.ft.offers if o["id"] == offer_id)
        stored["permis"] = [{"libelle": "C - Poids lourd", "exigence": "E"}]
        stored["experienceExige"] = "D"
        stored["experienceLibelle"] = "Débutant accepté"
        await make_profile(env, 321)
        await env.services.storage.set_driving_licences(321, ["B"])
        user = env.user(321)
        await user.send(f"/offre {offer_id}")
        card = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "⚠️ Permis C" in card.text  # required, not held
        await env.services.storage.set_driving_licences(321, ["B", "C"])
        await user.send(f"/offre {offer_id}")
        card = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "⚠️ Permis C" not in card.text
        assert "✅ Permis C" in card.text

        # Without a profile, no such lines.
        stranger = env.user(322)
        await stranger.send(f"/offre {offer_id}")
        card = (await stranger.replies(timeout=WAIT, count=1))[-1]
        assert "Permis C" not in card.text.split("Réf.")[1].split("Voir l'offre")[0]
