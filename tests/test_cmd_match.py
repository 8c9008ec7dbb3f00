"""/match and /metiers end to end: Telegram emulator (validation on) ↔ bot ↔ FT emulator."""

from __future__ import annotations

import pytest

from bot import callbacks
from bot.handlers.match import offer_query, parse_skills
from bot.services import match_profile_for
from ft_client.referential import Referential
from storage import Profile
from tests.helpers_cmd import WAIT, add_offers, cmd_env, make_profile

pytestmark = pytest.mark.timeout(120)


def test_parse_skills_splits_and_filters() -> None:
    skills, too_long = parse_skills(
        "accueil, service en salle\nhygiène; 😀 ; , accueil ;" + "x" * 150
    )
    assert skills == ["accueil", "service en salle", "hygiène"]
    assert too_long == 1
    assert parse_skills("😀😀 !!!") == ([], 0)
    assert parse_skills("") == ([], 0)
    many, _ = parse_skills(",".join(f"compétence {i}" for i in range(100)))
    assert len(many) == 40  # the matcher's bound; storage keeps at most 30 (checked end to end)


def test_offer_query_uses_the_whole_city_for_an_arrondissement() -> None:
    ref = Referential.load()
    profile = Profile(user_id=1, place_code="69383", place_label="Lyon 3e", radius_km=20)
    query = offer_query(profile, ref, "G1803")
    assert query.commune == "69123"
    assert query.distance_km == 20
    assert query.rome_codes == ("G1803",)
    ranking = match_profile_for(profile, ref)
    assert ranking.commune == "69383"  # nearness is judged from the arrondissement itself
    assert ranking.latitude is not None
    nowhere = offer_query(Profile(user_id=1), ref, "G1803")
    assert nowhere.commune is None
    assert nowhere.distance_km is None


async def test_match_code_with_profile_shows_score_skills_and_offers(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(
            env,
            101,
            skills=("préparation des repas", "service au comptoir", "encaissement"),
            jobs=(("G1603", "Personnel polyvalent en restauration"),),
        )
        add_offers(env, "Équipier polyvalent", 7, rome_code="G1603")
        user = env.user(101)
        await user.send("/match G1603")
        replies = await user.replies(timeout=WAIT, count=1)
        report = replies[-1]
        assert "G1603" in report.text
        assert "Vos compétences couvrent" in report.text
        assert "%" in report.text
        assert "▰" in report.text or "▱" in report.text
        # One phone screen: the recognised phrases named, the detail behind a button.
        assert "✅ Reconnues : " in report.text
        assert "encaissement" in report.text
        assert len(report.text) <= 1200
        assert "Compétence clé du métier" not in report.text
        assert "Aucune des compétences" not in report.text  # reasons positive or neutral
        assert "Les meilleures offres près de Paris" in report.text
        assert "typing" in env.tg.chat_actions(101)
        offer_buttons = [
            b
            for row in report.buttons
            for b in row
            if b.callback_data and callbacks.decode(b.callback_data).action == "offer"
        ]
        assert len(offer_buttons) == 3  # the 3 best of the 7 (and more from the dataset)
        assert len({b.text for b in offer_buttons}) == 3  # distinct labels
        await user.press("🔎 Détail")
        detail = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "✅ Vos compétences reconnues" in detail.text
        assert "« encaissement » ↔" in detail.text
        assert detail.text.count("Compétence clé du métier") <= 1
        assert len(detail.text) <= 1200
        # The offer button opens the full card.
        await user.press(offer_buttons[0].text, message_id=report.message_id)
        card = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Voir l'offre sur France Travail" in card.text
        assert "⭐ Sauvegarder" in card.button_texts


async def test_match_words_and_alternatives(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 102)
        user = env.user(102)
        await user.send("/match serveur")
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Serveur / Serveuse en restauration</b> (G1803)" in report.html
        assert "service en salle" in report.text
        # Other jobs the words matched are one press away.
        others = [t for t in report.button_texts if t.startswith("🎯 ")]
        assert others
        assert "Autres métiers possibles" in report.text
        await user.press(others[0])
        other = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Vos compétences couvrent" in other.text
        assert "(G1803)" not in other.text


async def test_match_without_profile_asks_skills_inline_then_reports(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(103)
        await user.send("/match G1603")
        ask = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "j'ai besoin de les connaître" in ask.text
        await user.send("préparation des repas, service au comptoir, <b>hygiène</b>")
        replies = await user.replies(timeout=WAIT, count=2)
        assert "3 compétences enregistrées" in replies[0].text
        assert "G1603" in replies[-1].text
        profile = await env.services.storage.get_profile(103)
        assert profile is not None
        assert profile.skills == ("préparation des repas", "service au comptoir", "<b>hygiène</b>")
        # Answering one question subscribes nobody to daily alerts.
        assert not profile.alerts_enabled
        # Without a place the report says how to get offers nearby.
        assert "indiquez votre ville" in replies[-1].text


async def test_match_skills_answer_emoji_only_is_refused(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(104)
        await user.send("/match serveur")
        await user.replies(timeout=WAIT, count=1)
        await user.send("😀😀😀")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "aucune compétence" in reply.text
        assert await env.services.storage.get_profile(104) is None


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("Z9999", "n'existe pas"),
        ("G9999", "n'existe pas"),
        ("qsdfghjklm wxcvbn", "aucun métier"),
        ("😀😀", "aucun métier"),
        ("3", "aucun métier"),  # digits name no job (the fuzzy search alone would find one)
        ("<script>alert(1)</script>' OR 1=1; --", "aucun métier"),
    ],
)
async def test_match_unknown_job(tmp_path, argument: str, expected: str) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 105)
        user = env.user(105)
        await user.send(f"/match {argument}")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert expected in reply.text
        assert "/match G1803" in reply.text  # examples


async def test_match_huge_argument_does_not_break(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 106)
        user = env.user(106)
        await user.send("/match " + "serveur " * 500)
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert len(reply.text) <= 4096
        assert "Désolé" not in reply.text  # not the apology for an unexpected error
        assert "Vos compétences couvrent" in reply.text  # the words still name the job
        assert "(G1803)" in reply.text


async def test_match_without_argument_lists_targets(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(
            env,
            107,
            jobs=(
                ("G1803", "Serveur / Serveuse en restauration"),
                ("G1603", "Personnel polyvalent"),
            ),
        )
        user = env.user(107)
        await user.send("/match")
        pick = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Quel métier" in pick.text
        assert len(pick.button_texts) == 2
        await user.press(pick.button_texts[1])
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "G1603" in report.text
        # A well-formed but forged job code.
        await user.press_callback(pick.message_id, "v1|match|N9999")
        assert "plus valable" in (await user.wait_callback_answer(timeout=WAIT)).text
        # Nothing at all: usage with examples.
        other = env.user(108)
        await other.send("/match")
        assert "/match G1803" in (await other.replies(timeout=WAIT, count=1))[-1].text


async def test_skills_answer_over_the_limits(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(112)
        await user.send("/metiers")
        await user.replies(timeout=WAIT, count=1)
        many = ", ".join(f"compétence numéro {i}" for i in range(35))
        await user.send(many + ", " + "très longue compétence " * 6)
        saved = (await user.replies(timeout=WAIT, count=2))[0]
        assert "30 compétences enregistrées" in saved.text
        assert "30 compétences au plus" in saved.text
        assert "1 compétence trop longue ignorée" in saved.text
        profile = await env.services.storage.get_profile(112)
        assert len(profile.skills) == 30


async def test_skills_question_survives_a_restart(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(113)
        await user.send("/match J1501")
        assert (
            "j'ai besoin de les connaître" in (await user.replies(timeout=WAIT, count=1))[-1].text
        )
        await env.restart()
        await user.send("toilette des patients, prise de constantes")
        replies = await user.replies(timeout=WAIT, count=2)
        assert "2 compétences enregistrées" in replies[0].text
        assert "(J1501)" in replies[-1].text
