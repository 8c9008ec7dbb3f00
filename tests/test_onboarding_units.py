"""Pure helpers of the onboarding and the services: parsing answers, picking places, caching."""

from __future__ import annotations

import pytest

from bot.handlers.onboarding import (
    MAX_SHORT_INPUT,
    check_text,
    is_done_word,
    parse_skills,
    parse_time,
    pick_place,
)
from bot.services import SearchCache
from bot.texts import onboarding as T
from ft_client.referential import Referential


@pytest.fixture(scope="module")
def referential() -> Referential:
    return Referential.load()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", T.EMPTY_MESSAGE),
        ("   \n ", T.EMPTY_MESSAGE),
        (None, T.EMPTY_MESSAGE),
        ("x" * (MAX_SHORT_INPUT + 1), T.TOO_LONG),
        ("x" * 5000, T.TOO_LONG),
        ("😀🎉", T.ONLY_SYMBOLS),
        ("!!! ... ???", T.ONLY_SYMBOLS),
        ("serveur", None),
        ("aide-soignant(e)", None),
        ("<script>alert(1)</script>", None),
        ("G1603", None),
    ],
)
def test_check_text(text: str | None, problem: str | None) -> None:
    assert check_text(text) == problem


def test_parse_skills_splits_and_cleans() -> None:
    assert parse_skills("accueil, service en salle\nhygiène") == [
        "accueil",
        "service en salle",
        "hygiène",
    ]
    assert parse_skills("• caisse ; • mise en place - plonge / ménage") == [
        "caisse",
        "mise en place",
        "plonge",
        "ménage",
    ]
    assert parse_skills("  prise   de\tcommande.  ") == ["prise de commande"]
    assert parse_skills(", ; 😀 ,") == []
    assert parse_skills("12, 3") == []  # numbers alone are no skill
    assert parse_skills("CACES 3") == ["CACES 3"]
    assert parse_skills("aide-soignant, C++") == ["aide-soignant", "C++"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8", "08:00"),
        ("8h", "08:00"),
        ("8h30", "08:30"),
        ("08:30", "08:30"),
        ("18.45", "18:45"),
        (" 7 H 05 ", "07:05"),
        ("23:59", "23:59"),
        ("24:00", None),
        ("25:99", None),
        ("12:60", None),
        ("midi", None),
        ("", None),
        ("8h30 et 9h", None),
    ],
)
def test_parse_time(text: str, expected: str | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "done"),
    [
        ("Terminé", True),
        ("terminé !", True),
        ("C'est tout", True),
        ("ok", True),
        ("serveur", False),
    ],
)
def test_done_words(text: str, done: bool) -> None:
    assert is_done_word(text) is done


@pytest.mark.parametrize(
    ("query", "insee"),
    [
        ("Paris", "75056"),
        ("paris", "75056"),
        ("75015", "75115"),
        ("Paris 15", "75115"),
        ("Lyon 3e", "69383"),
        ("lyon", "69123"),
        ("33000", "33063"),
        ("saint denis", None),
        ("Saint-Denis", None),
    ],
)
def test_pick_place(referential: Referential, query: str, insee: str | None) -> None:
    chosen = pick_place(query, referential.find_places(query, limit=6))
    assert (chosen.insee_code if chosen else None) == insee


def test_pick_place_ambiguous_names_keep_every_departement(referential: Referential) -> None:
    places = referential.find_places("Saint-Denis", limit=6)
    labels = {p.display_label for p in places}
    assert {"Saint-Denis (93)", "Saint-Denis (974)"} <= labels


def test_search_cache_ttl_and_size() -> None:
    now = [0.0]
    cache = SearchCache(ttl=10.0, size=2, clock=lambda: now[0])
    assert cache.get("a") is None
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)  # "b" is the least recently used
    assert cache.get("b") is None
    assert cache.get("c") == 3
    now[0] = 10.0
    assert cache.get("a") is None  # expired
    assert (cache.hits, cache.misses) == (2, 3)
