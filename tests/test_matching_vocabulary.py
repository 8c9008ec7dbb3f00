"""User vocabulary (job seekers' words → ROME wording) and its use by the matching engine."""

from __future__ import annotations

import json

import pytest

from ft_client.matching import (
    EXPANSION_FACTOR,
    MATCH_THRESHOLD,
    MIN_SUGGESTION_SCORE,
    PhraseMatcher,
    match_job,
    matcher_for,
    suggest_jobs,
)
from ft_client.referential import Job, Referential
from ft_client.textnorm import skill_stems
from ft_client.vocabulary import (
    MAX_EXPANSIONS,
    VOCABULARY_PATH,
    UserVocabulary,
    default_vocabulary,
    key_tokens,
)

CARE = ["toilette des patients", "prise de constantes"]
WAITER = ["prise de commande", "encaissement", "service en salle"]
MECHANIC = ["vidange", "changement des plaquettes de frein", "valise de diagnostic"]


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def job(ref: Referential, code: str) -> Job:
    found = ref.job(code)
    assert found is not None, code
    return found


# --------------------------------------------------------------------------- the data file
def test_every_target_is_rome_wording(ref: Referential) -> None:
    """A typo in a target (a word ROME never uses) fails here: each target's stems occur in the
    bundled ROME skill or title vocabulary, and the target reaches a skill or a job's words."""
    matcher = matcher_for(ref)
    job_words, idf = matcher.job_stems
    vocabulary = default_vocabulary()
    problems = []
    for entry in vocabulary.entries:
        assert entry.targets, entry.key
        for target in entry.targets:
            stems = skill_stems(target)
            unknown = [s for s in stems if s not in idf]
            if not stems or unknown:
                problems.append(f"{entry.key} → {target}: unknown {unknown}")
            elif not matcher.stems_to_skills(stems) and not any(
                set(stems) <= words for words in job_words.values()
            ):
                problems.append(f"{entry.key} → {target}: matches no skill and no job")
    assert problems == []


def test_vocabulary_file_shape() -> None:
    data = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    families = data["families"]
    assert len(families) >= 12
    keys = [key_tokens(k) for mapping in families.values() for k in mapping]
    assert len(keys) >= 300
    assert all(keys), "every key has words"
    duplicates = {k for k in keys if keys.count(k) > 1}
    assert duplicates == set(), "a key is listed twice (maybe in two families)"
    for mapping in families.values():
        for targets in mapping.values():
            assert isinstance(targets, list) and all(isinstance(t, str) and t for t in targets)


# --------------------------------------------------------------------------- expansions
def test_expansions_find_keys_on_whole_words() -> None:
    vocabulary = default_vocabulary()
    assert vocabulary.expansions("toilette des patients")
    assert vocabulary.expansions("Toilettes") == vocabulary.expansions("toilette")
    # Same 6-letter stem, another word: the groomer is not a care assistant.
    assert vocabulary.expansions("toiletteur") == ()
    assert vocabulary.expansions("rien à voir ici") == ()
    # The longest key wins: "plaquettes de frein" is one key, not "plaquettes" + something.
    assert vocabulary.find_keys(key_tokens("changement des plaquettes de frein")) == [
        (1, 3, key_tokens("plaquettes de frein"))
    ]


@pytest.mark.parametrize(
    "text",
    ["", "!!!", "😀", "x" * 10_000, "<script>alert(1)</script>", "'; DROP TABLE x; --", "\x00\x1b"],
)
def test_expansions_tolerate_bad_input(text: str) -> None:
    vocabulary = default_vocabulary()
    expansions = vocabulary.expansions(text)
    assert len(expansions) <= MAX_EXPANSIONS
    assert all(isinstance(e, tuple) and e for e in expansions)


def test_many_keys_in_one_phrase_stay_bounded() -> None:
    phrase = "caisse mise en rayon cariste manutention nettoyage excel compta toilette bafa"
    expansions = default_vocabulary().expansions(phrase)
    assert 1 <= len(expansions) <= MAX_EXPANSIONS


# --------------------------------------------------------------------------- the examples
def test_care_assistant_in_users_words(ref: Referential) -> None:
    suggestions = suggest_jobs(CARE, ref, limit=5)
    codes = [s.rome_code for s in suggestions]
    assert "J1501" in codes
    assert next(s for s in suggestions if s.rome_code == "J1501").score > 0
    report = match_job(CARE, job(ref, "J1501"), referential=ref)
    assert report.score > 0.2
    assert {m.user_skill for m in report.matched} == set(CARE)
    hygiene = next(m for m in report.matched if m.user_skill == "toilette des patients")
    assert "hygiène" in hygiene.skill_label


def test_waiter_in_users_words(ref: Referential) -> None:
    suggestions = suggest_jobs(WAITER, ref, limit=5)
    assert "G1803" in [s.rome_code for s in suggestions]
    assert all(s.score > 0 for s in suggestions)


def test_mechanic_jargon(ref: Referential) -> None:
    suggestions = suggest_jobs(MECHANIC, ref, limit=5)
    assert suggestions[0].rome_code in {"I1604", "I1613"}
    report = match_job(MECHANIC, job(ref, "I1604"), referential=ref)
    labels = {m.user_skill: m.skill_label for m in report.matched}
    assert "freinage" in labels["changement des plaquettes de frein"]
    assert "diagnostic" in labels["valise de diagnostic"].lower()


def test_the_vocabulary_is_what_finds_them(ref: Referential) -> None:
    """Without the entries the care example relies on, the aide-soignant is out of reach again:
    the layer does the work (this test fails if expansion stops being applied)."""
    vocabulary = default_vocabulary().without(
        ["toilette", "toilette des patients", "constantes", "prise de constantes"]
    )
    bare = PhraseMatcher(ref, vocabulary)
    assert bare.phrase_to_skills("toilette des patients") == {}
    with_vocabulary = matcher_for(ref).phrase_to_skills("toilette des patients")
    assert with_vocabulary and max(with_vocabulary.values()) >= MATCH_THRESHOLD


# --------------------------------------------------------------------------- scoring rules
def test_expanded_match_counts_for_the_user_phrase_a_little_lower(ref: Referential) -> None:
    mechanic = job(ref, "I1604")
    report = match_job(["plaquettes de frein"], mechanic, referential=ref)
    assert report.matched
    for match in report.matched:
        assert match.user_skill == "plaquettes de frein"
        assert MATCH_THRESHOLD <= match.similarity <= EXPANSION_FACTOR
    # The ROME wording typed by the user scores above its rewriting.
    direct = match_job(["système de freinage"], mechanic, referential=ref)
    assert max(m.similarity for m in direct.matched) > max(m.similarity for m in report.matched)


def test_no_double_counting_through_the_vocabulary(ref: Referential) -> None:
    care = job(ref, "J1501")
    once = match_job(["toilette des patients"], care, referential=ref)
    three_ways = match_job(
        ["toilette des patients", "aide à la toilette", "soins d'hygiène et de confort"],
        care,
        referential=ref,
    )
    codes = [m.skill_code for m in three_ways.matched]
    assert len(codes) == len(set(codes)), "a job skill is counted once"
    assert three_ways.job_coverage == pytest.approx(once.job_coverage, abs=0.1)


def test_score_bounds_and_monotonicity_with_users_words(ref: Referential) -> None:
    profiles = {
        "J1501": ["toilette", "prise de constantes", "aide au repas", "transmissions", "change"],
        "G1803": ["prise de commande", "encaissement", "service en salle", "port de plateaux"],
        "I1604": ["vidange", "plaquettes de frein", "valise de diagnostic", "pneus"],
        "N1101": ["cariste", "caces", "chargement des camions", "inventaire"],
    }
    for code, phrases in profiles.items():
        target = job(ref, code)
        skills: list[str] = []
        previous = 0.0
        for phrase in phrases:
            skills.append(phrase)
            report = match_job(skills, target, referential=ref)
            assert 0.0 <= report.score <= 1.0
            assert report.score >= previous, (code, phrase)
            previous = report.score
        assert previous > 0.3, code


def test_results_are_deterministic(ref: Referential) -> None:
    first = suggest_jobs(CARE + MECHANIC, ref, limit=10)
    fresh = PhraseMatcher(ref)  # new caches: same answers
    assert [fresh.phrase_to_skills(p) for p in CARE] == [
        matcher_for(ref).phrase_to_skills(p) for p in CARE
    ]
    assert first == suggest_jobs(list(CARE + MECHANIC), ref, limit=10)


# --------------------------------------------------------------------------- zero scores
@pytest.mark.parametrize(
    "phrases",
    [
        CARE,
        WAITER,
        MECHANIC,
        ["toilette"],
        ["permis b", "caces", "python"],
        ["vente", "anglais", "rigueur"],
        ["ménage", "repassage", "garde d'enfants"],
    ],
)
def test_no_zero_score_job_next_to_a_real_one(ref: Referential, phrases: list[str]) -> None:
    suggestions = suggest_jobs(phrases, ref, limit=10)
    assert suggestions
    assert all(s.score >= MIN_SUGGESTION_SCORE for s in suggestions)
    relevance = [s.relevance for s in suggestions]
    assert relevance == sorted(relevance, reverse=True)


def test_zero_score_jobs_only_when_nothing_else(ref: Referential, monkeypatch) -> None:
    # Words only: with the semantic index loaded, the skills nearest in meaning to
    # « ostréiculteur » are other « -culteur » trades' (tests/test_matching_meaning.py).
    monkeypatch.setenv("FT_SEMANTIC", "0")
    # A job title no skill label uses: only the words signal finds the métier.
    suggestions = suggest_jobs(["ostréiculteur"], ref, limit=5)
    assert suggestions, "the words signal still offers something"
    assert all(s.score < MIN_SUGGESTION_SCORE for s in suggestions)
    assert "A1404" in [s.rome_code for s in suggestions]
    # With one phrase that really matches, the zero-score ones disappear.
    mixed = suggest_jobs(["ostréiculteur", "encaissement"], ref, limit=10)
    assert mixed and all(s.score >= MIN_SUGGESTION_SCORE for s in mixed)


def test_all_fixture_profiles_respect_the_zero_rule(ref: Referential) -> None:
    from pathlib import Path

    path = Path(__file__).resolve().parent / "fixtures" / "matching_profiles.json"
    for profile in json.loads(path.read_text(encoding="utf-8"))["profiles"]:
        suggestions = suggest_jobs(profile["skills"], ref, limit=5)
        zero = [s.score < MIN_SUGGESTION_SCORE for s in suggestions]
        assert all(zero) or not any(zero), profile["name"]
        assert all(0.0 <= s.score <= 1.0 for s in suggestions), profile["name"]


def test_custom_vocabulary(ref: Referential) -> None:
    vocabulary = UserVocabulary.from_mapping({"test": {"zorglub": ["Procéder à l'encaissement"]}})
    matcher = PhraseMatcher(ref, vocabulary)
    hits = matcher.phrase_to_skills("zorglub")
    assert hits and all(MATCH_THRESHOLD <= sim <= EXPANSION_FACTOR for sim in hits.values())
    assert len(vocabulary) == 1
    assert vocabulary.without(["Zorglub"]).expansions("zorglub") == ()
