"""Job look-up people can rely on: nicknames, acronyms, workplaces, English titles, with a
confidence and a reason; junk and towns are told apart."""

from __future__ import annotations

import json

import pytest

from ft_client.matching import (
    FIND_JOBS_THRESHOLD,
    find_jobs,
    is_recognised,
    looks_like_place,
    town_or_job,
)
from ft_client.matching.jobs import ALIASES_PATH, JobAliases, alias_key
from ft_client.referential import Referential

# The issue's minimum list, with the métier that must come first.
ISSUE_QUERIES = [
    ("ehpad", "J1501"),
    ("plongeur", "G1605"),
    ("plongeuse", "G1605"),
    ("AESH", "K2113"),
    ("ATSEM", "K1308"),
    ("ASH", "J1301"),
    ("nounou", "K1303"),
    ("serveuse", "G1803"),
    ("femme de ménage", "K1304"),
    ("femme de menage", "K1304"),
    ("dev junior", "M1805"),
    ("cariste", "N1101"),
    ("préparateur de commandes", "N1103"),
    ("VTC", "N4112"),
    ("livreur", "N4105"),
    ("DRH", "M1503"),
    ("commercial terrain", "D1402"),
    ("community manager", "E1101"),
    ("barista", "G1809"),
    ("runner", "G1803"),
    ("night auditor", "G1703"),
    ("infirmière", "J1506"),
]


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


@pytest.mark.parametrize(("query", "expected"), ISSUE_QUERIES)
def test_issue_queries_are_recognised(ref: Referential, query: str, expected: str) -> None:
    hits = find_jobs(query, ref, limit=5)
    assert hits[0].rome_code == expected, [(h.rome_code, h.job_label) for h in hits]
    assert is_recognised(hits)
    assert hits[0].why  # every hit says where it comes from
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.rome_code for h in hits}) == len(hits)


def test_avs_points_to_both_meanings(ref: Referential) -> None:
    codes = [h.rome_code for h in find_jobs("AVS", ref, limit=5)]
    assert {"K2113", "K1306"} <= set(codes)


@pytest.mark.parametrize(
    ("query", "wrong"),
    [("serveuse", "M1843"), ("plongeur", "I1502"), ("AESH", "A1439"), ("ehpad", "L1507")],
)
def test_the_issue_nonsense_is_no_longer_recognised(
    ref: Referential, query: str, wrong: str
) -> None:
    """Title look-alikes stay close matches at most: never a recognised job."""
    for hit in find_jobs(query, ref, limit=10):
        if hit.rome_code == wrong:
            assert hit.score < FIND_JOBS_THRESHOLD


@pytest.mark.parametrize("query", ["zzzz", "😀😀", "!!!", "x" * 5000, "   "])
def test_junk_is_not_recognised(ref: Referential, query: str) -> None:
    assert not is_recognised(find_jobs(query, ref))


def test_town_names_are_not_jobs(ref: Referential) -> None:
    for town in ("Paris", "Marseille", "Lyon"):
        assert not is_recognised(find_jobs(town, ref)), town
        place = looks_like_place(town, ref)
        assert place is not None and place.name == town


@pytest.mark.parametrize(
    ("town", "look_alike"), [("Tours", "H2912"), ("tours", "H2912"), ("Agen", "F1140")]
)
def test_a_town_that_reads_as_a_job_title_is_asked_about_not_taken(
    ref: Referential, town: str, look_alike: str
) -> None:
    """ "Tours" is close to "Régleur sur tour" (0.9 as a title): a close match to offer in a
    question « Tours : la ville ou un métier ? », never a recognised job."""
    assert ref.find_jobs(town, limit=1)[0].score >= FIND_JOBS_THRESHOLD  # the trap is real
    hits = find_jobs(town, ref)
    assert hits[0].rome_code == look_alike and not is_recognised(hits)
    asked = town_or_job(town, ref)
    assert asked is not None and asked.name.casefold() == town.casefold()
    assert looks_like_place(town, ref) == asked


@pytest.mark.parametrize(
    "query", ["Paris", "Marin", "serveur", "plongeur", "Tours 37000", "zzzz", ""]
)
def test_no_question_when_the_words_are_one_thing(ref: Referential, query: str) -> None:
    """A town that reads as no job ("Paris"), an exact title that is also a commune ("Marin"),
    an alias, a job, junk: nothing to ask."""
    assert town_or_job(query, ref) is None
    if query == "Marin":
        hits = find_jobs(query, ref)
        assert hits[0].rome_code == "N3102" and is_recognised(hits)


@pytest.mark.parametrize("query", ["Vendeuse", "serveur", "boulanger", "zzzz", "", "75"])
def test_jobs_and_junk_are_not_places(ref: Referential, query: str) -> None:
    assert looks_like_place(query, ref) is None


def test_postal_code_is_a_place(ref: Referential) -> None:
    place = looks_like_place("69003", ref)
    assert place is not None and "Lyon" in place.name


def test_rome_code_and_titles_still_work(ref: Referential) -> None:
    assert find_jobs("g1803", ref)[0].rome_code == "G1803"
    hit = find_jobs("Serveuse de bar", ref)[0]
    assert hit.rome_code == "G1803" and hit.score >= FIND_JOBS_THRESHOLD
    assert find_jobs("soudeuse tig", ref)[0].rome_code == "H2916"


def test_words_that_are_no_title_give_close_matches_only(ref: Referential) -> None:
    hits = find_jobs("vaisselle", ref)
    assert hits and hits[0].rome_code == "G1605"
    assert not is_recognised(hits)


def test_bad_arguments(ref: Referential) -> None:
    with pytest.raises(ValueError):
        find_jobs(None, ref)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        find_jobs("serveur", ref, limit=0)


def test_alias_file_is_valid(ref: Referential) -> None:
    data = json.loads(ALIASES_PATH.read_text(encoding="utf-8"))
    keys = [alias_key(k) for k in data["aliases"]]
    assert all(keys)
    for text, entry in data["aliases"].items():
        assert entry["codes"] and entry["why"], text
        for code in entry["codes"]:
            assert ref.job(code) is not None, (text, code)


def test_alias_keys_fold_case_accents_plural_and_fillers() -> None:
    assert alias_key("Serveuses H/F") == alias_key("serveur")
    assert alias_key("Dev Junior") == alias_key("dev")
    aliases = JobAliases({"femme de ménage": {"codes": ["K1304"], "why": "x"}})
    assert aliases.exact(alias_key("FEMME DE MENAGE")) == (("K1304",), "x")
    assert aliases.inside(alias_key("femme de ménage à domicile")) == [(("K1304",), "x")]


@pytest.mark.parametrize("query", ["travail", "un emploi", "cdi", "job", "non", "oui"])
def test_fillers_and_short_words_are_no_job(ref: Referential, query: str) -> None:
    """Fillers only, or one word of three letters that only matches inside a longer title
    (« non » → « non-conformité »), name no job: close matches at most."""
    assert not is_recognised(find_jobs(query, ref, limit=5))


@pytest.mark.parametrize(
    ("query", "expected"), [("AS", "J1501"), ("IDE", "J1506"), ("ASH", "J1301"), ("DJ", "L1101")]
)
def test_short_aliases_and_whole_titles_stay_jobs(
    ref: Referential, query: str, expected: str
) -> None:
    hits = find_jobs(query, ref, limit=5)
    assert is_recognised(hits) and hits[0].rome_code == expected


def test_equal_title_confidences_are_told_apart_by_the_fiche_text(ref: Referential) -> None:
    """« gestionnaire de stock » is a title of the accountant and of the storekeeper, both at
    the same confidence: the fiche whose full text speaks of stocks comes first."""
    hits = find_jobs("gestionnaire de stock", ref, limit=5)
    same = [h for h in hits if h.score == hits[0].score]
    assert len(same) > 1
    assert hits[0].rome_code == "N1110"
