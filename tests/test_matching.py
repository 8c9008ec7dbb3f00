"""Matching engine: scores, explanations, ranking of real offer samples."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ft_client.matching import (
    MATCH_THRESHOLD,
    JobSuggestion,
    MatchProfile,
    MatchReport,
    RankedOffer,
    clean_phrases,
    match_job,
    rank_offers,
    suggest_jobs,
)
from ft_client.models import Offer
from ft_client.referential import Referential

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = FIXTURES / "ft_samples"
WAITER = ["prise de commande", "encaissement", "service en salle", "mise en place de la salle"]
NOW = datetime(2024, 2, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def load_sample_offers() -> list[Offer]:
    offers: list[Offer] = []
    for path in sorted(SAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("resultats"), list):
            items = data["resultats"]
        elif isinstance(data, dict) and "id" in data:
            items = [data]
        else:
            continue
        offers.extend(o for o in (Offer.from_json(item) for item in items) if o is not None)
    return offers


@pytest.fixture(scope="module")
def offers() -> list[Offer]:
    found = load_sample_offers()
    assert len(found) >= 10
    return found


# --------------------------------------------------------------------------- match_job
def test_match_job_explains_a_good_fit(ref: Referential) -> None:
    job = ref.job("G1803")
    assert job is not None
    report = match_job(WAITER, job, referential=ref)
    assert isinstance(report, MatchReport)
    # Coverage of the job's side only: four phrases cover about half of what ROME lists.
    assert 0.4 <= report.score <= 1
    assert report.score == report.coverage == report.job_coverage
    assert report.user_coverage == 1.0
    assert report.relevance > report.coverage
    matched_phrases = {m.user_skill for m in report.matched}
    assert matched_phrases == set(WAITER)
    for match in report.matched:
        assert match.similarity >= MATCH_THRESHOLD
        assert match.skill_code in {s.code for s in job.skills}
        assert match.source == "métier"
    # Missing skills: core ones first, none of them already matched.
    matched_codes = {m.skill_code for m in report.matched}
    assert report.missing and not matched_codes & {m.code for m in report.missing}
    weights = [m.weight for m in report.missing]
    assert weights == sorted(weights, reverse=True)
    assert report.missing[0].importance == "cœur de métier"
    assert report.recommendations
    assert all(r.endswith(".") and ":" in r for r in report.recommendations)
    assert report.missing[0].label in report.recommendations[0]


def test_match_job_gap_between_right_and_wrong_job(ref: Referential) -> None:
    waiter = match_job(WAITER, ref.job("G1803"), referential=ref)  # type: ignore[arg-type]
    developer = match_job(WAITER, ref.job("M1805"), referential=ref)  # type: ignore[arg-type]
    assert developer.score < waiter.score
    assert developer.matched == ()


def test_score_bounds_and_determinism(ref: Referential) -> None:
    job = ref.job("J1501")
    assert job is not None
    inputs = [
        [],
        [""],
        ["!!!", "😀"],
        ["x" * 10_000],
        ["<script>alert(1)</script>", "'; DROP TABLE users; --"],
        ["toilette", "hygiène", "soins", "patients", "écoute"],
        [s.label for s in job.skills],
    ]
    for skills in inputs:
        first = match_job(skills, job, referential=ref)
        assert 0.0 <= first.score <= 1.0
        assert first == match_job(list(skills), job, referential=ref)
    assert match_job([], job, referential=ref).score == 0.0
    own_labels = [s.label for s in job.skills if s.kind != "contexte" and "," not in s.label]
    everything = match_job(own_labels, job, referential=ref)
    assert everything.job_coverage == 1.0
    assert everything.score >= 0.95


def test_adding_a_matching_skill_never_lowers_the_score(ref: Referential) -> None:
    steps = 0
    for code in ("G1803", "J1501", "M1805", "D1505"):
        job = ref.job(code)
        assert job is not None
        skills: list[str] = ["permis de conduire"]  # an unrelated one first
        previous = match_job(skills, job, referential=ref).score
        for skill in [s for s in job.skills if s.kind != "contexte"][:12]:
            phrase = skill.label.lower()
            if not match_job([phrase], job, referential=ref).matched:
                continue
            skills.append(phrase)
            score = match_job(skills, job, referential=ref).score
            assert score >= previous, (code, phrase)
            previous = score
            steps += 1
    assert steps >= 20  # the loop really compared scores (not skipped every skill)


def test_no_double_counting(ref: Referential) -> None:
    job = ref.job("G1803")
    assert job is not None
    once = match_job(["prise de commande"], job, referential=ref)
    repeated = match_job(["prise de commande", "Prise de commande !", "prise  de commande"], job)
    assert repeated.score == once.score
    two_ways = match_job(["prise de commande", "prendre les commandes"], job, referential=ref)
    codes = [m.skill_code for m in two_ways.matched]
    assert len(codes) == len(set(codes)), "a job skill is counted once"
    assert two_ways.job_coverage == pytest.approx(once.job_coverage, abs=0.05)


def test_match_job_bad_arguments(ref: Referential) -> None:
    with pytest.raises(ValueError, match="Job"):
        match_job(["x"], "G1803")  # type: ignore[arg-type]
    job = ref.job("G1803")
    assert job is not None
    assert match_job(None, job).score == 0.0  # type: ignore[arg-type]
    assert match_job([None, 3, "encaissement"], job).matched  # type: ignore[list-item]


def test_clean_phrases_splits_and_bounds() -> None:
    assert clean_phrases("caisse, accueil; rayon\nstock") == ["caisse", "accueil", "rayon", "stock"]
    assert clean_phrases(["", "  ", "!!!"]) == []
    assert len(clean_phrases([f"compétence {i}" for i in range(500)])) <= 40
    assert len(clean_phrases(["a" * 10_000])[0]) <= 200


# --------------------------------------------------------------------------- suggest_jobs
def test_suggest_jobs(ref: Referential) -> None:
    suggestions = suggest_jobs(WAITER, ref, limit=5)
    assert 1 <= len(suggestions) <= 5
    assert all(isinstance(s, JobSuggestion) for s in suggestions)
    assert "G1803" in [s.rome_code for s in suggestions]
    relevance = [s.relevance for s in suggestions]
    assert relevance == sorted(relevance, reverse=True)
    assert all(0 <= s.score <= 1 and s.relevance >= s.score for s in suggestions)
    # The score is match_job's score for that job.
    top = suggestions[0]
    job = ref.job(top.rome_code)
    assert job is not None
    assert top.score == pytest.approx(match_job(WAITER, job, referential=ref).score, abs=1e-3)
    assert suggestions == suggest_jobs(WAITER, ref, limit=5)
    assert suggest_jobs([], ref) == []
    assert suggest_jobs(["😀", "!!!"], ref) == []
    with pytest.raises(ValueError, match="limit"):
        suggest_jobs(WAITER, ref, limit=0)


def test_realistic_profiles_fixture_is_valid(ref: Referential) -> None:
    """The hand-written benchmark profiles refer to existing métiers (figures are in the
    benchmark, not asserted here)."""
    data = json.loads((FIXTURES / "matching_profiles.json").read_text(encoding="utf-8"))
    assert len(data["profiles"]) >= 30
    for profile in data["profiles"]:
        assert profile["skills"] and profile["acceptable"]
        assert all(ref.job(code) is not None for code in profile["acceptable"]), profile["name"]


# --------------------------------------------------------------------------- rank_offers
def receptionist_offer(offers: list[Offer]) -> Offer:
    return next(o for o in offers if o.id == "161JGGW")


def test_rank_offers_on_real_samples(ref: Referential, offers: list[Offer]) -> None:
    profile = MatchProfile(
        skills=["accueil des clients", "suivi des réservations", "traitement de texte", "rigueur"],
        target_rome_codes=["G1703"],
        latitude=44.84,
        longitude=-0.58,
        radius_km=20,
    )
    ranked = rank_offers(profile, offers, referential=ref, now=NOW)
    assert len(ranked) == len(offers)
    assert all(isinstance(r, RankedOffer) for r in ranked)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    assert all(0.0 <= r.score <= 1.0 for r in ranked)
    best = ranked[0]
    assert best.offer.id == "161JGGW"
    # Code path: the offer's competence code 104174 matched the user's "accueil des clients".
    by_code = {m.skill_code: m for m in best.matched if m.skill_code}
    assert by_code["104174"].user_skill == "accueil des clients"
    assert any(m.source == "qualité" for m in best.matched)
    assert best.distance_km is not None and best.distance_km < 5
    reasons = " | ".join(best.reasons)
    assert "Votre métier visé" in reasons
    assert "km de chez vous" in reasons
    assert "des 6 compétences demandées" in reasons
    assert all(isinstance(r, str) and r for r in best.reasons)
    # Missing: what the receptionist offer asks that the profile lacks.
    missing_labels = {m.label for m in best.missing}
    assert "Gérer son stress" in missing_labels


def test_rank_offers_missing_required_before_desired(ref: Referential, offers: list[Offer]) -> None:
    base = receptionist_offer(offers)
    competences = (
        dataclasses.replace(base.competences[1], requirement="S"),
        dataclasses.replace(base.competences[2], requirement="E"),
    )
    offer = dataclasses.replace(base, competences=competences, qualities=())
    ranked = rank_offers(MatchProfile(skills=["permis b"]), [offer], referential=ref, now=NOW)
    assert [m.importance for m in ranked[0].missing] == ["exigée", "souhaitée"]


def test_rank_offers_uses_place_and_freshness(ref: Referential, offers: list[Offer]) -> None:
    base = receptionist_offer(offers)
    fresh = dataclasses.replace(base, id="FRESH", created_at=NOW - timedelta(hours=3))
    old = dataclasses.replace(base, id="OLD", created_at=NOW - timedelta(days=40))
    profile = MatchProfile(skills=["accueil des clients"], commune="33063", departement="33")
    ranked = rank_offers(profile, [old, fresh], referential=ref, now=NOW)
    assert [r.offer.id for r in ranked] == ["FRESH", "OLD"]
    assert "Publiée aujourd'hui" in ranked[0].reasons
    assert "Publiée il y a 40 jours" in ranked[1].reasons

    # No coordinates on the user's side: same commune, then same département, then elsewhere.
    far = dataclasses.replace(
        base,
        id="FAR",
        place=dataclasses.replace(base.place, commune="75056", postal_code="75001"),
    )
    ranked = rank_offers(profile, [far, base], referential=ref, now=NOW)
    assert ranked[0].offer.id == base.id
    assert "Dans votre commune" in ranked[0].reasons
    assert any(r.startswith("Hors de votre département") for r in ranked[1].reasons)


def test_rank_offers_arrondissement_is_same_city(ref: Referential, offers: list[Offer]) -> None:
    devops = next(o for o in offers if o.id == "167ZKWX")  # Lyon 3e, commune 69383
    profile = MatchProfile(skills=["linux"], commune="69381")  # Lyon 1er
    ranked = rank_offers(profile, [devops], referential=ref, now=NOW)
    assert "Dans votre ville" in ranked[0].reasons


def test_rank_offers_is_deterministic_and_total(ref: Referential, offers: list[Offer]) -> None:
    profile = MatchProfile(skills=WAITER, target_rome_codes=["g1803"], radius_km=10)
    first = rank_offers(profile, offers, referential=ref, now=NOW)
    assert first == rank_offers(profile, list(reversed(offers)), referential=ref, now=NOW)
    empty = rank_offers(MatchProfile(skills=[]), offers, referential=ref, now=NOW)
    assert len(empty) == len(offers)
    assert all(r.matched == () and 0 <= r.score <= 1 for r in empty)
    assert rank_offers(profile, [], referential=ref, now=NOW) == []
    assert rank_offers(profile, [None, "x"], referential=ref, now=NOW) == []  # type: ignore[list-item]


def test_rank_offers_monotone_in_skills(ref: Referential, offers: list[Offer]) -> None:
    offer = receptionist_offer(offers)
    fewer = MatchProfile(skills=["accueil des clients"])
    more = MatchProfile(skills=["accueil des clients", "suivi des réservations"])
    low = rank_offers(fewer, [offer], referential=ref, now=NOW)[0]
    high = rank_offers(more, [offer], referential=ref, now=NOW)[0]
    assert high.score >= low.score
    assert len(high.matched) > len(low.matched)


def test_offer_without_competences_is_explained_by_its_rome_job(
    ref: Referential, offers: list[Offer]
) -> None:
    python_offer = next(o for o in offers if o.id == "201WLXK")  # M1855, no competences listed
    assert python_offer.competences == ()
    profile = MatchProfile(skills=["programmation en python", "concevoir une application web"])
    ranked = rank_offers(profile, [python_offer], referential=ref, now=NOW)[0]
    assert ranked.skill_score is not None and ranked.skill_score > 0
    assert ranked.matched and all(m.source == "métier" for m in ranked.matched)
    assert {m.user_skill for m in ranked.matched} <= set(profile.skills)
    assert ranked.missing and all(m.importance == "cœur de métier" for m in ranked.missing)
    assert any("% du métier" in r for r in ranked.reasons)


@pytest.mark.parametrize(
    "profile",
    [
        MatchProfile(skills=["accueil"], latitude=float("nan"), longitude=2.0, radius_km=10),
        MatchProfile(skills=["accueil"], latitude=44.8, longitude=-0.6, radius_km=-5),
        MatchProfile(skills=["accueil"], latitude=500.0, longitude=2.0),
        MatchProfile(skills=["accueil"], commune="not-a-code", departement="??"),
        MatchProfile(skills=["x" * 10_000], target_rome_codes=["", "nonsense", None]),  # type: ignore[list-item]
    ],
)
def test_rank_offers_tolerates_odd_profiles(
    ref: Referential, offers: list[Offer], profile: MatchProfile
) -> None:
    ranked = rank_offers(profile, offers, referential=ref, now=NOW)
    assert len(ranked) == len(offers)
    for item in ranked:
        assert 0.0 <= item.score <= 1.0
        assert item.place_score is None or 0.0 <= item.place_score <= 1.0
