"""The town and distance steps of /start with junk, typos and out-of-range distances (issue 11,
defects 4 and 7), end to end, plus the pure rules behind them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.handlers.onboarding.parsing import (
    MIN_PLACE_SCORE,
    check_place_text,
    parse_radius,
    place_score,
    radius_problem,
)
from ft_client.referential import Referential
from sandbox.telegram import SimulatedUser
from tests.helpers_bot import FAST_TYPIST, bot_env, expect, press, step

pytestmark = pytest.mark.timeout(120)


async def _at_place_step(user: SimulatedUser) -> None:
    await step(user, "/start", "Étape 1/5")
    await step(user, "G1803", "Ajouté")
    await press(user, "Terminé", "Étape 2/5")
    await step(user, "accueil", "Compétence ajoutée")
    await press(user, "Terminé", "Étape 3/5")


async def test_town_step_refuses_junk_and_asks_when_unsure(tmp_path: Path) -> None:
    async with bot_env(tmp_path, alert_job=False, tg_kwargs=FAST_TYPIST) as env:
        user = env.user(1101)
        await _at_place_step(user)

        refused = await step(user, "x<script>zq7</script>", "ne ressemble pas à un nom de commune")
        assert "&lt;script&gt;" in (refused.html or "")
        assert "Commune :" not in refused.text
        # Letters only, yet no commune is close: the typo-tolerant search's noise is dropped.
        await step(user, "bonjour", "Je ne trouve pas de commune pour « bonjour »")
        await step(user, "xscriptzq", "Je ne trouve pas de commune")

        # A typo close to several communes: asked, with a way out.
        unsure = await step(user, "lile", "Vouliez-vous dire")
        assert "Lille (59)" in unsure.button_texts
        assert unsure.button_texts[-1] == "Aucune, je retape"
        await press(user, "Aucune, je retape", "Écrivez à nouveau la ville")
        # A clear typo of one commune is taken, as before.
        await step(user, "Strasbourgg", "Commune : Strasbourg (67)")
        await expect(user, "Étape 4/5")

        # Distances: out of range refused with the range; a typed one confirmed like a button.
        too_far = await step(user, "200 km", "de 5 à 100 km")
        assert "200 km, ce n'est pas possible" in too_far.text
        await step(user, "0", "de 5 à 100 km")
        confirmed = await step(user, "15 km", "Distance : jusqu'à 15 km.")
        assert not confirmed.edited
        await expect(user, "Étape 5/5")
        await step(user, "8h", "Tout est correct")
        await press(user, "✅ Confirmer", "Profil enregistré")
        profile = await env.storage.get_profile(user.id)
        assert profile is not None
        assert (profile.place_code, profile.radius_km) == ("67482", 15)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("x<script>zq7</script>", False),
        ("a@b.fr", False),
        ("ville = paris", False),
        ("Paris", True),
        ("Lyon 3e", True),
        ("75015", True),
        ("L'Haÿ-les-Roses", True),
        ("St. Étienne", True),
        ("Saint-Denis (93)", True),
    ],
)
def test_check_place_text(text: str, ok: bool) -> None:
    assert (check_place_text(text) is None) is ok


def test_place_score_separates_junk_from_typos() -> None:
    referential = Referential.load()

    def best(query: str) -> float:
        return max(place_score(query, p) for p in referential.find_places(query, limit=6))

    for junk in ("bonjour", "hello", "zq7 script"):
        assert best(junk) < MIN_PLACE_SCORE, junk
    for town in ("lile", "Toulous", "Strasbourgg", "Paris 15", "75015", "lhay les roses"):
        assert best(town) >= MIN_PLACE_SCORE, town


@pytest.mark.parametrize(
    ("text", "km", "allowed"),
    [("15 km", 15, True), ("5", 5, True), ("100 kilomètres", 100, True), ("200 km", 200, False)],
)
def test_typed_radius_range(text: str, km: int, allowed: bool) -> None:
    assert parse_radius(text) == km
    assert (radius_problem(km) is None) is allowed
