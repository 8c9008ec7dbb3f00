"""Scores people can trust: coverage never decreases when a phrase is added; transversal phrases
are recognised and never lower anything; the BM25 full-text signal."""

from __future__ import annotations

import random

import pytest

from ft_client.matching import match_job, suggest_jobs
from ft_client.matching.fulltext import (
    FULLTEXT_FILE,
    FullTextIndex,
    document_term_counts,
    fulltext_for,
    pack_term_counts,
    text_terms,
    unpack_term_counts,
)
from ft_client.matching.transversal import (
    CERTIFICATION,
    LANGUAGE,
    LICENCE,
    SAVOIR_ETRE,
    classify,
    classify_phrases,
)
from ft_client.referential import DATA_DIR, Job, Referential

TRANSVERSAL = [
    "permis B",
    "travail en équipe",
    "ponctuel",
    "anglais",
    "CACES 3",
    "SST",
    "HACCP",
    "habilitations électriques",
    "FIMO",
    "FCO",
    "permis C",
    "permis CE",
    "permis D",
    "disponible",
]


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def _job(ref: Referential, code: str) -> Job:
    job = ref.job(code)
    assert job is not None
    return job


# --------------------------------------------------------------------------- coverage property
def test_coverage_never_decreases_when_a_phrase_is_added(ref: Referential) -> None:
    """Property over random profiles and jobs (seeded): own skills, other jobs' skills, users'
    words and transversal phrases, added one at a time."""
    rng = random.Random(20261202)
    jobs = [j for j in ref.jobs() if sum(1 for s in j.skills if s.kind != "contexte") >= 5]
    labels = [s.label for j in rng.sample(jobs, 200) for s in j.skills if s.kind != "contexte"]
    words = ["service en salle", "toilette", "sql", "caisse", "plonge", "câblage", "vente"]
    compared = raised = 0
    for _ in range(60):
        job = rng.choice(jobs)
        own = [s.label for s in job.skills if s.kind != "contexte"]
        pool = own + rng.sample(labels, 10) + words + TRANSVERSAL
        phrases: list[str] = []
        previous = match_job(phrases, job, referential=ref).coverage
        for _step in range(rng.randint(2, 6)):
            phrases.append(rng.choice(pool))
            coverage = match_job(phrases, job, referential=ref).coverage
            assert coverage >= previous, (job.code, phrases)
            raised += coverage > previous
            previous = coverage
            compared += 1
    assert compared >= 200
    assert raised >= 30  # the additions really moved coverage, so the check can fail


@pytest.mark.parametrize("extra", [["permis B"], ["travail en équipe"], ["permis B", "anglais"]])
def test_transversal_phrases_never_lower_any_shown_percentage(
    ref: Referential, extra: list[str]
) -> None:
    """The issue's waiter: adding true soft skills must not lower "couvrent X %", nor
    /metiers' percentages, nor the relevance of the job."""
    waiter = ["prise de commande", "encaissement", "service en salle", "mise en place"]
    for code in ("G1803", "G1603", "N4105"):
        before = match_job(waiter, _job(ref, code), referential=ref)
        after = match_job(waiter + extra, _job(ref, code), referential=ref)
        assert after.score >= before.score
        assert after.coverage >= before.coverage
        assert after.relevance >= before.relevance
    before_jobs = {s.rome_code: s.score for s in suggest_jobs(waiter, ref, limit=10)}
    after_jobs = {s.rome_code: s.score for s in suggest_jobs(waiter + extra, ref, limit=10)}
    for code in set(before_jobs) & set(after_jobs):
        assert after_jobs[code] >= before_jobs[code]


def test_issue_waiter_no_longer_drops(ref: Referential) -> None:
    waiter = ["prise de commande", "service en salle", "mise en place"]
    more = [*waiter, "anglais", "caisse", "travail en équipe", "port de plateaux"]
    job = _job(ref, "G1803")
    assert (
        match_job(more, job, referential=ref).score > match_job(waiter, job, referential=ref).score
    )


# --------------------------------------------------------------------------- transversal
@pytest.mark.parametrize(
    ("phrase", "category", "label"),
    [
        ("permis B", LICENCE, "Permis B"),
        ("Permis C/CE", LICENCE, "Permis C / CE"),
        ("permis D", LICENCE, "Permis D"),
        ("travail en équipe", SAVOIR_ETRE, "travail en équipe"),
        ("Ponctuel et rigoureux", SAVOIR_ETRE, "Ponctuel et rigoureux"),
        ("anglais courant", LANGUAGE, "Anglais"),
        ("CACES R489 cat 3", CERTIFICATION, "CACES"),
        ("SST", CERTIFICATION, "SST (sauveteur secouriste du travail)"),
        ("HACCP", CERTIFICATION, "HACCP"),
        ("habilitations électriques B1V", CERTIFICATION, "Habilitation électrique"),
        ("FIMO", CERTIFICATION, "FIMO"),
        ("FCO marchandises", CERTIFICATION, "FCO"),
    ],
)
def test_transversal_phrases_are_classified(phrase: str, category: str, label: str) -> None:
    found = classify(phrase)
    assert found is not None
    assert (found.phrase, found.category, found.label) == (phrase, category, label)


@pytest.mark.parametrize(
    "phrase",
    ["prise de commande", "communication digitale", "organisation d'événements", "cuisine", ""],
)
def test_trade_skills_are_not_transversal(phrase: str) -> None:
    assert classify(phrase) is None


def test_match_report_lists_transversal_phrases(ref: Referential) -> None:
    report = match_job(["service en salle", "permis B", "anglais"], _job(ref, "G1803"))
    assert [(t.phrase, t.category) for t in report.transversal] == [
        ("permis B", LICENCE),
        ("anglais", LANGUAGE),
    ]
    assert classify_phrases(["caisse"]) == ()


# --------------------------------------------------------------------------- full text
def test_text_terms_fold_feminine_plural_and_accents() -> None:
    assert text_terms("Serveuses") == text_terms("serveur")
    assert text_terms("Infirmière") == text_terms("infirmiers")
    assert text_terms("") == []


def test_fulltext_points_to_the_right_fiche(ref: Referential) -> None:
    index = fulltext_for(ref)
    for words, expected in (
        (["plonge", "vaisselle"], "G1605"),
        (["ehpad", "toilette", "aide soignante"], "J1501"),
        (["cariste", "chariot élévateur"], "N1101"),
    ):
        scores = index.scores(index.query_terms(words))
        top = sorted(scores, key=lambda c: (-scores[c], c))[:3]
        assert expected in top, (words, top)


def test_fulltext_tolerates_typos(ref: Referential) -> None:
    index = fulltext_for(ref)
    assert index.known_term(text_terms("vaiselle")[0]) == text_terms("vaisselle")[0]
    assert index.known_term("zzzzzzzz") is None


def test_shipped_term_counts_match_the_referential(ref: Referential) -> None:
    """The shipped fulltext.json.gz is what the build script would compute (a stale file would
    silently rank with old data)."""
    assert (DATA_DIR / FULLTEXT_FILE).is_file()
    shipped = fulltext_for(ref)
    rome = ref.rome_data
    sample = {"jobs": [j for j in rome["jobs"] if j["code"] in {"G1803", "J1501", "M1805"}]}
    computed = document_term_counts({"skills": rome["skills"], **sample})
    rebuilt = FullTextIndex(unpack_term_counts(pack_term_counts(computed)))
    assert rebuilt.codes == ["G1803", "J1501", "M1805"]
    for code in rebuilt.codes:
        doc = shipped.codes.index(code)
        terms = {t for t, items in shipped.postings.items() if any(d == doc for d, _ in items)}
        assert terms == set(computed[code])
