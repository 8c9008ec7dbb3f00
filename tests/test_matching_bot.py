"""Issue 12 end to end through the emulators: job look-up in people's words, towns and junk
told apart, a developer's "sql, django, git" recognised."""

from __future__ import annotations

import pytest

from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize(
    ("words", "code", "nonsense"),
    [
        ("ehpad", "J1501", "Monteur"),
        ("serveuse", "G1803", "Administrateur de serveurs"),
        ("nounou", "K1303", "Scaphandrier"),
    ],
)
async def test_match_in_peoples_words(tmp_path, words: str, code: str, nonsense: str) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 301)
        user = env.user(301)
        await user.send(f"/match {words}")
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert f"({code})" in report.text
        assert "Vos compétences couvrent" in report.text
        assert nonsense not in report.text
        assert not any(nonsense in b for b in report.button_texts)


async def test_match_a_town_is_answered_as_a_place(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 302)
        user = env.user(302)
        await user.send("/match Paris")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "« Paris » est un lieu, pas un métier" in reply.text
        assert "Poseur" not in reply.text
        assert not reply.buttons


@pytest.mark.parametrize("junk", ["zzzz", "😀😀😀", "zq" * 2500])
async def test_match_junk_job_is_answered_clearly(tmp_path, junk: str) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 303)
        user = env.user(303)
        await user.send(f"/match {junk}"[:4096])
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert len(reply.text) <= 4096
        assert "Désolé" not in reply.text  # not the apology for an unexpected error
        assert "Je ne trouve aucun métier" in reply.text or "Je ne reconnais pas" in reply.text
        assert "Vos compétences couvrent" not in reply.text


async def test_match_words_no_title_carries_offer_close_matches(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 304)
        user = env.user(304)
        await user.send("/match vaisselle")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Je ne reconnais pas de métier" in reply.text
        assert any("Plongeur" in b for b in reply.button_texts)


async def test_metiers_for_a_developer(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        await make_profile(env, 305, skills=("sql", "django", "git"))
        user = env.user(305)
        await user.send("/metiers")
        reply = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "(M1805)" in reply.text
        button = next(
            b for b in reply.button_texts if "Développeur / Développeuse informatique" in b
        )
        await user.press(button)
        await user.replies(timeout=WAIT, count=1)
        await user.press(
            "🔎 Détail"
        )  # the one-screen report names the skills, the detail pairs them
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "« sql » ↔" in report.text
        assert "« django » ↔" in report.text
        # Never told to learn what "sql" already says.
        advice = report.text[report.text.find("💡") :] if "💡" in report.text else ""
        assert "Développer une application en lien avec une base de données" not in advice


async def test_match_shows_transversal_phrases_as_such(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        skills = ("service en salle", "prise de commande", "permis B", "anglais courant")
        await make_profile(env, 306, skills=skills)
        user = env.user(306)
        await user.send("/match G1803")
        await user.replies(timeout=WAIT, count=1)
        await user.press("🔎 Détail")
        report = (await user.replies(timeout=WAIT, count=1))[-1]
        assert "Aussi dans votre profil" in report.text
        assert "• Permis B (permis)" in report.text
        assert "• Anglais (langue)" in report.text
