"""Issue 14 end to end: the profile applied everywhere, forgiving /recherche, phone-sized lists
and cards, /match on one screen, exits from dead ends, 🙈, plain text and shared locations.

Every test ends by walking all the bot's answers to its users: none over 1 200 characters except
the full offer card and /mesdonnees' document.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import zlib
from typing import Any

import pytest

from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(180)

PHONE_LIMIT = 1200
CARD_MARK = "Voir l'offre sur France Travail"


def put_offers(
    env: Any,
    title: str,
    count: int,
    *,
    rome_code: str,
    contract: str = "CDI",
    commune_prefix: str = "751",
    salary: str | None = "Mensuel de 1600,00 Euros ï¿½ 1800,00 Euros",
    beginner: bool = False,
) -> list[str]:
    """``count`` offers of one ROME code and contract type, cloned from a dataset offer."""
    template = next(
        o
        for o in env.ft.offers
        if str((o.get("lieuTravail") or {}).get("commune", "")).startswith(commune_prefix)
    )
    ids = []
    for index in range(count):
        offer = copy.deepcopy(template)
        offer["id"] = f"8{zlib.crc32((title + contract).encode()) % 1000:03d}{index:03d}"
        offer["intitule"] = f"{title} (H/F)"
        offer["romeCode"] = rome_code
        offer["typeContrat"] = contract
        offer["typeContratLibelle"] = contract
        offer["entreprise"] = {"nom": f"Maison {index + 1}"}
        offer["salaire"] = {"libelle": salary} if salary else {}
        if beginner:
            offer["experienceExige"] = "D"
            offer["experienceLibelle"] = "Débutant accepté"
        env.ft.add_offer(offer)
        ids.append(offer["id"])
    return ids


def assert_phone_sized(env: Any, *user_ids: int) -> None:
    """No answer over PHONE_LIMIT characters, except the full offer card (and documents)."""
    for user_id in user_ids:
        for message in env.tg.messages_for(user_id):
            if message.kind != "text" or CARD_MARK in (message.text or ""):
                continue
            assert len(message.text) <= PHONE_LIMIT, message.text[:200]


async def last(user: Any) -> Any:
    return (await user.replies(timeout=WAIT, count=1))[-1]


async def test_feminine_and_hyphen_free_jobs_are_found_through_rome_codes(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        put_offers(env, "Serveur en restauration", 3, rome_code="G1803")
        put_offers(env, "Aide-soignant de nuit", 2, rome_code="J1501")
        user = env.user(701)
        # The emulator's keyword search would find neither: only the ROME code does.
        await user.send("/recherche serveuse")
        reply = await last(user)
        assert "Serveur en restauration" in reply.text
        assert "€ brut/mois" in reply.text  # normalised salaries, no raw text, no mojibake
        assert "ï¿½" not in reply.text
        assert "tous contrats · toute la France" in reply.text
        labels = [b for b in reply.button_texts if b[0].isdigit()]
        assert len(labels) == len(set(labels))  # distinct button labels
        await user.send("/recherche aide soignante")
        assert "Aide-soignant de nuit" in (await last(user)).text
        # No preposition, a radius: "Paris 20 km" is Paris with 20 km, not Paris 20e.
        await user.send("/recherche serveur paris 20 km")
        reply = await last(user)
        assert "Paris (75) + 20\u00a0km" in reply.text
        assert "Serveur en restauration" in reply.text
        assert_phone_sized(env, 701)


async def test_contract_types_of_the_profile_and_of_the_search_apply(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        put_offers(env, "Serveur CDI", 2, rome_code="G1803", contract="CDI")
        put_offers(env, "Serveur saison", 2, rome_code="G1803", contract="SAI")
        profile = await make_profile(env, 702)
        await env.services.storage.upsert_profile(
            dataclasses.replace(profile, contract_types=("CDI", "CDD"))
        )
        user = env.user(702)
        await user.send("/match G1803")
        report = await last(user)
        assert "saisonnier" not in report.text
        assert "Serveur saison" not in report.text
        assert "CDD, CDI · Paris" in report.text  # the criteria applied, stated
        # The search applies the profile's contracts too, and "en CDI" typed wins.
        await user.send("/recherche serveur à Paris en CDI")
        reply = await last(user)
        assert "Critères : CDI · Paris (75) + 10\u00a0km" in reply.text
        assert "Serveur CDI" in reply.text
        assert "Serveur saison" not in reply.text
        await user.press("Sans filtre de contrat")
        widened = await last(user)
        assert widened.edited
        assert "tous contrats" in widened.text
        assert "Serveur saison" in widened.text or "page 1/" in widened.text
        assert_phone_sized(env, 702)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/recherche vendeur à France", "toute la France"),
        ("/recherche serveur partout", "toute la France"),
        ("/recherche serveur dans le Rhône", "Rhône (département 69)"),
        ("/recherche serveur à Trifouillis-les-Oies", "Je ne connais pas"),
        ("/recherche qsdfgh partout", "Essayez d'autres mots"),  # no exit left: a hint
    ],
)
async def test_places_are_never_substituted(tmp_path, text: str, expected: str) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(703)
        await user.send(text)
        reply = await last(user)
        assert expected in reply.text
        assert "Oie" not in reply.text.replace("Trifouillis-les-Oies", "")
        assert "Fort-de-France" not in reply.text
        assert "Tournon" not in reply.text
        assert_phone_sized(env, 703)


async def test_an_ambiguous_place_is_asked_with_buttons(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(704)
        await user.send("/recherche plombier à Saint-Denis")
        question = await last(user)
        assert "Plusieurs lieux s'appellent « Saint-Denis »" in question.text
        assert "Saint-Denis (93, Île-de-France)" in question.button_texts
        assert "Saint-Denis (974, La Réunion)" in question.button_texts
        await user.press("Saint-Denis (974, La Réunion)")
        answer = await last(user)
        assert answer.message_id == question.message_id  # the question becomes the answer
        assert "Saint-Denis (974)" in answer.text
        assert "Plombier" in answer.text
        assert_phone_sized(env, 704)


async def test_dead_ends_have_exits(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        put_offers(env, "Zythologue", 2, rome_code="G1803", contract="CDD")
        user = env.user(705)
        await user.send("/recherche zythologue à Lyon en CDI")
        empty = await last(user)
        assert "Aucune offre ne correspond à « zythologue »" in empty.text
        assert {"Élargir à 50 km", "Toute la France", "Sans filtre de contrat"} <= set(
            empty.button_texts
        )
        await user.press("Toute la France")
        still = await last(user)
        assert still.message_id == empty.message_id
        assert "Aucune offre" in still.text  # CDI only: none
        await user.press("Sans filtre de contrat")
        found = await last(user)
        assert "2 offres" in found.text
        assert "Zythologue — Maison 1" in found.text
        assert_phone_sized(env, 705)


async def test_hidden_offers_never_come_back_and_follow_the_person_data(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        ids = put_offers(env, "Zythologue", 3, rome_code="G1803", beginner=True)
        await make_profile(env, 706)
        user = env.user(706)
        await user.send("/recherche zythologue")
        listing = await last(user)
        assert "3 offres" in listing.text
        assert "Débutant accepté" in listing.text
        await user.press(next(b for b in listing.button_texts if b.startswith("1. ")))
        card = await last(user)
        assert CARD_MARK in card.text
        assert {"⭐ Sauvegarder", "🙈 Masquer", "Postuler"} <= set(card.button_texts)
        assert "Vous avez" in card.text or "Il vous manque" in card.text
        hidden = next(i for i in ids if i in card.text)
        await user.press("🙈 Masquer")
        assert "ne vous sera plus proposée" in (await user.wait_callback_answer(timeout=WAIT)).text
        await user.send("/recherche zythologue")
        again = await last(user)
        assert "2 offres" in again.text
        await user.send("/match G1803")
        report = await last(user)
        assert all(hidden not in (b.callback_data or "") for row in report.buttons for b in row)

        await user.send("/mesdonnees")
        export = json.loads((await last(user)).document.decode("utf-8"))
        assert hidden in json.dumps(export)
        await user.send("/supprimer")
        await last(user)
        await user.press("Oui, tout effacer")
        await last(user)
        assert 706 not in env.app.user_data
        assert_phone_sized(env, 706)


async def test_plain_text_that_reads_like_a_search_is_one(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        put_offers(env, "Développeur Python", 2, rome_code="M1805", commune_prefix="35")
        await make_profile(env, 707, place=("35238", "Rennes"))
        user = env.user(707)
        await user.send("je cherche un travail de développeur à Rennes")
        reply = await last(user)
        assert "Je n'ai pas compris" not in reply.text
        assert "Développeur Python" in reply.text
        assert "Rennes (35)" in reply.text
        await user.send("développeur rennes en CDI")
        assert "Critères : CDI · Rennes (35)" in (await last(user)).text
        # A bare word is no search (often the late answer to a question that is over).
        for text in ("bonjour", "développeur"):
            await user.send(text)
            assert "Je n'ai pas compris" in (await last(user)).text
        assert_phone_sized(env, 707)


async def test_a_shared_location_offers_offers_around_me(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        put_offers(env, "Serveur en restauration", 2, rome_code="G1803")
        await make_profile(env, 708, place=None)
        user = env.user(708)
        await user.send_location(48.8566, 2.3522)
        offer = await last(user)
        assert "Vous êtes près de Paris" in offer.text
        await user.press("Offres autour de moi")
        results = await last(user)
        assert results.message_id == offer.message_id
        assert "Serveur en restauration" in results.text
        assert "+ 10\u00a0km" in results.text
        assert_phone_sized(env, 708)


async def test_match_without_offers_has_exits(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        put_offers(env, "Zythologue", 2, rome_code="K2402", commune_prefix="751")
        await make_profile(env, 709, place=("2A004", "Ajaccio"), jobs=(("K2402", "Ingénieur"),))
        user = env.user(709)
        await user.send("/match K2402")
        report = await last(user)
        assert "Aucune offre en cours" in report.text
        assert {"Élargir à 50 km", "Toute la France"} <= set(report.button_texts)
        await user.press("Toute la France")
        found = await last(user)
        assert found.message_id == report.message_id
        assert "toute la France" in found.text
        assert "Zythologue — Maison 1" in found.text or "offres, page" in found.text
        assert_phone_sized(env, 709)
