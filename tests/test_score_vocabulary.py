"""One vocabulary for the scores users read, and a shown percentage that never drops when a
person adds a true but transversal skill ("permis B", "travail en équipe").

Library level: `match_job` coverage (/match), `suggest_jobs` scores (/metiers) and
`rank_offers`' `skill_score` (alerts) for real profiles against emulator offers. Bot level: the
/match card and the /metiers list, read through the Telegram emulator.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.texts import scores as vocabulary
from ft_client.matching import MatchProfile, match_job, rank_offers, suggest_jobs
from ft_client.models import Offer
from ft_client.referential import Referential
from sandbox.france_travail.dataset import build_offers
from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
# Real profiles in people's words, with their target job.
PROFILES: dict[str, tuple[tuple[str, ...], str]] = {
    "waiter": (
        ("service en salle", "prise de commande", "encaissement", "dressage des tables"),
        "G1803",
    ),
    "care assistant": (
        ("toilette des patients", "prise de constantes", "aide au repas", "réfection des lits"),
        "J1501",
    ),
    "developer": (("python", "sql", "django", "git"), "M1805"),
}
EXTRAS: tuple[tuple[str, ...], ...] = (
    ("permis B",),
    ("travail en équipe",),
    ("permis B", "travail en équipe"),
)


@pytest.fixture(scope="module")
def referential() -> Referential:
    return Referential.load()


@pytest.fixture(scope="module")
def offers() -> list[Offer]:
    parsed = (Offer.from_json(raw) for raw in build_offers(7, 600, NOW))
    return [offer for offer in parsed if offer is not None]


def _skill_scores(
    skills: tuple[str, ...], code: str, offers: list[Offer], ref: Referential
) -> dict[str, float]:
    profile = MatchProfile(skills=list(skills), target_rome_codes=[code])
    ranked = rank_offers(profile, offers, referential=ref, now=NOW)
    return {r.offer.id: r.skill_score for r in ranked if r.skill_score is not None}


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_transversal_skills_never_lower_a_shown_score(
    name: str, referential: Referential, offers: list[Offer]
) -> None:
    skills, code = PROFILES[name]
    job = referential.job(code)
    assert job is not None
    # Offers of the same family (same ROME letter), most with listed competences.
    family = [o for o in offers if (o.rome_code or "").startswith(code[0])][:80]
    assert sum(1 for o in family if o.competences) >= 10
    coverage = match_job(list(skills), job).coverage
    suggested = {s.rome_code: s.score for s in suggest_jobs(skills, referential, 5)}
    skill_scores = _skill_scores(skills, code, family, referential)
    assert coverage > 0 and code in suggested and skill_scores  # the profile is no straw man
    for extra in EXTRAS:
        more = skills + extra
        assert match_job(list(more), job).coverage >= coverage, extra
        now_suggested = {s.rome_code: s.score for s in suggest_jobs(more, referential, 5)}
        for c in now_suggested.keys() & suggested.keys():
            assert now_suggested[c] >= suggested[c], (extra, c)
        now_scores = _skill_scores(more, code, family, referential)
        lowered = [i for i, s in skill_scores.items() if now_scores[i] < s]
        assert not lowered, (extra, lowered)


def test_offer_reasons_use_the_bots_words(referential: Referential, offers: list[Offer]) -> None:
    skills, code = PROFILES["waiter"]
    family = [o for o in offers if (o.rome_code or "").startswith("G")][:60]
    profile = MatchProfile(skills=list(skills), target_rome_codes=[code])
    checked = 0
    for ranked in rank_offers(profile, family, referential=referential, now=NOW):
        asked = len(ranked.offer.competences)
        said = [r for r in ranked.reasons if r.startswith(vocabulary.COVERS)]
        if asked and said:
            allowed = {vocabulary.covers_requested(n, asked) for n in range(1, asked + 1)}
            assert said[0] in allowed
            checked += 1
    assert checked >= 5


def test_score_words_are_defined_once() -> None:
    # Every sentence about a score comes from bot/texts/scores.py; the old alert word is gone.
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if path == ROOT / "bot" / "texts" / "scores.py":
            continue
        text = path.read_text(encoding="utf-8")
        for word in ("Adéquation", "adéquation", "couvrent", "compétences demandées"):
            assert word not in text, f"{word!r} in {path.relative_to(ROOT)}"


def _metiers_percentages(text: str) -> dict[str, int]:
    return {
        code: int(pct)
        for code, pct in re.findall(r"\(([A-N]\d{4})\) — vos compétences couvrent (\d+)\s*%", text)
    }


def _match_percentage(text: str) -> int:
    found = re.search(r"Vos compétences couvrent (\d+)\s*% de ce métier", text)
    assert found, text
    return int(found.group(1))


@pytest.mark.parametrize("name", ["waiter", "care assistant"])
async def test_bot_percentages_never_drop_after_permis_or_team_work(
    tmp_path: Path, name: str
) -> None:
    skills, code = PROFILES[name]
    async with cmd_env(tmp_path) as env:
        user = env.user(120)
        seen_metiers: list[dict[str, int]] = []
        seen_match: list[int] = []
        for extra in ((), ("permis B",), ("permis B", "travail en équipe")):
            await make_profile(env, 120, skills=skills + extra, jobs=((code, "métier"),))
            await user.send("/metiers")
            listing = (await user.replies(timeout=WAIT, count=1))[-1].text
            assert vocabulary.JOBS_SORTED_BY_COVERAGE in listing
            seen_metiers.append(_metiers_percentages(listing))
            await user.send(f"/match {code}")
            seen_match.append(
                _match_percentage((await user.replies(timeout=WAIT, count=1))[-1].text)
            )
        assert code in seen_metiers[0] and seen_match[0] > 0
        assert seen_match == sorted(seen_match), seen_match
        for before, after in itertools.pairwise(seen_metiers):
            assert code in after  # the same job is compared each time
            for job_code in before.keys() & after.keys():
                assert after[job_code] >= before[job_code], (job_code, before, after)
