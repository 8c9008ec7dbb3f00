"""Pure digest selection and rendering (bot/digest.py): no I/O."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.alerts import digest as d
from ft_client.models import Offer

SAMPLES = Path(__file__).parent / "fixtures" / "ft_samples"
ALLOWED_TAGS = {"b", "i", "a"}


@dataclass(frozen=True)
class Ranked:
    """The part of `ft_client.matching.RankedOffer` the digest reads."""

    offer: Offer
    score: float  # ranking relevance: orders the digest, never shown
    matched: tuple[Any, ...] = ()
    missing: tuple[Any, ...] = ()
    reasons: tuple[str, ...] = field(default=())
    skill_score: float | None = None  # skill coverage: the percentage shown


@dataclass(frozen=True)
class Match:
    user_phrase: str
    skill_label: str
    similarity: float = 1.0


def real_offers() -> list[Offer]:
    raw = json.loads((SAMPLES / "offres_search_resultats_partenaires_2021.json").read_text())
    offers = [Offer.from_json(item) for item in raw["resultats"]]
    return [o for o in offers if o is not None]


def make_offer(offer_id: str, **fields: Any) -> Offer:
    base: dict[str, Any] = {
        "id": offer_id,
        "intitule": f"Serveur {offer_id}",
        "lieuTravail": {"libelle": "69 - Lyon 3e Arrondissement", "commune": "69383"},
        "entreprise": {"nom": "Brasserie du Port"},
        "typeContrat": "CDI",
        "typeContratLibelle": "Contrat à durée indéterminée",
    }
    base.update(fields)
    offer = Offer.from_json(base)
    assert offer is not None
    return offer


def tags_of(html_text: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"</?([a-zA-Z-]+)", html_text)}


def test_top_n_best_first_and_count_of_the_rest() -> None:
    ranked = [Ranked(make_offer(f"{i:03d}AAAA"), score=i / 10) for i in range(10)]
    digest = d.build_digest(ranked, min_score=0.35, size=3)
    assert digest.offer_ids == ("009AAAA", "008AAAA", "007AAAA")
    # 0.4, 0.5, 0.6 also qualify; 0.0–0.3 do not.
    assert digest.more_count == 3


def test_min_score_is_inclusive_and_nothing_qualifying_is_empty() -> None:
    ranked = [Ranked(make_offer("AAA0001"), 0.35), Ranked(make_offer("AAA0002"), 0.3499)]
    assert d.build_digest(ranked, min_score=0.35, size=5).offer_ids == ("AAA0001",)
    empty = d.build_digest(ranked[1:], min_score=0.35, size=5)
    assert empty.empty and empty.more_count == 0
    assert d.build_digest([], min_score=0.0, size=5).empty


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        d.build_digest([], min_score=0.1, size=0)


def test_render_has_every_field_the_user_needs() -> None:
    offer = make_offer("193XKZP")
    matched = (Match("service en salle", "Service en salle"),)
    ranked = [Ranked(offer, 0.78, matched=matched, skill_score=0.61)]
    digest = d.build_digest(ranked, min_score=0.35, size=5)
    text = d.render_digest(digest, day=date(2026, 11, 24))
    assert "mardi 24 novembre" in text
    assert "Serveur 193XKZP" in text
    assert "Brasserie du Port" in text
    assert "Lyon 3e Arrondissement (69)" in text
    assert "Contrat à durée indéterminée" in text
    # The skill coverage, in the words /match and /metiers use; the relevance is not shown.
    assert "Vos compétences couvrent 61\u00a0% de l'offre — vos atouts : Service en salle" in text
    assert "78" not in text and "Adéquation" not in text
    assert f'href="{offer.page_url}"' in text
    assert "autres offres" not in text
    assert tags_of(text) <= ALLOWED_TAGS


def test_more_line_and_button_text() -> None:
    ranked = [Ranked(make_offer(f"B{i:06d}"), 0.9) for i in range(17)]
    digest = d.build_digest(ranked, min_score=0.35, size=5)
    assert digest.more_count == 12
    text = d.render_digest(digest)
    assert "➕ <b>12</b> autres offres correspondent" in text
    assert d.more_button_text(12) == "Voir les 12 autres offres"
    assert d.more_button_text(1) == "Voir l'autre offre"
    one = d.build_digest(ranked[:6], min_score=0.35, size=5)
    assert "1</b> autre offre correspond" in d.render_digest(one)


def test_offer_text_is_escaped() -> None:
    evil = make_offer(
        "EVIL001",
        intitule='<script>alert("x")</script> & <b>Chef</b>',
        entreprise={"nom": "A&B <Corp>"},
        lieuTravail={"libelle": "75 - Paris <i>1er</i>"},
        typeContratLibelle="CDD </a><a href='javascript:x'>",
    )
    ranked = [Ranked(evil, 0.9, matched=(Match("x", "'; DROP TABLE users; --<u>"),))]
    text = d.render_digest(d.build_digest(ranked, min_score=0.1, size=5))
    assert "<script>" not in text and "<u>" not in text and "<Corp>" not in text
    assert "&lt;script&gt;" in text
    assert "A&amp;B &lt;Corp&gt;" in text
    # Only our own tags survive.
    assert tags_of(text) <= ALLOWED_TAGS
    assert text.count("<a ") == 1


def test_huge_fields_are_cut_and_message_fits_telegram() -> None:
    long_title = "Développeur " * 2000
    offers = [
        make_offer(f"L{i:06d}", intitule=long_title, entreprise={"nom": "X" * 5000})
        for i in range(20)
    ]
    ranked = [
        Ranked(o, 0.9, matched=tuple(Match("a", "compétence " * 100) for _ in range(30)))
        for o in offers
    ]
    digest = d.build_digest(ranked, min_score=0.1, size=20)
    text = d.render_digest(digest, day=date(2026, 3, 29))
    assert d.telegram_length(text) <= d.TELEGRAM_TEXT_LIMIT
    assert digest.items  # something is still shown
    assert len(digest.items) + digest.more_count == 20


def test_entries_that_do_not_fit_move_to_the_remainder() -> None:
    ranked = [Ranked(make_offer(f"F{i:06d}"), 0.9) for i in range(5)]
    one_item = d.telegram_length(d.render_digest(d.build_digest(ranked[:1], min_score=0, size=1)))
    digest = d.build_digest(ranked, min_score=0.1, size=5, limit=one_item + 120)
    assert 1 <= len(digest.items) < 5
    assert len(digest.items) + digest.more_count == 5


def test_real_offers_render_without_crashing() -> None:
    offers = real_offers()
    assert offers
    ranked = [Ranked(o, 0.5 + i / 100) for i, o in enumerate(offers)]
    digest = d.build_digest(ranked, min_score=0.35, size=5)
    text = d.render_digest(digest, day=date(2026, 11, 25))
    assert len(digest.items) == min(5, len(offers))
    for item in digest.items:
        assert item.offer_id in text or item.url in text
    assert tags_of(text) <= ALLOWED_TAGS


def test_town_label_forms() -> None:
    assert d.town_label(make_offer("T000001")) == "Lyon 3e Arrondissement (69)"
    assert d.town_label(make_offer("T000002", lieuTravail={"libelle": "2A - AJACCIO"})) == (
        "AJACCIO (2A)"
    )
    assert d.town_label(make_offer("T000003", lieuTravail={"libelle": "Télétravail"})) == (
        "Télétravail"
    )
    assert d.town_label(make_offer("T000004", lieuTravail={})) is None


def test_matched_skill_labels_dedup_and_shapes() -> None:
    matched = [
        Match("encaisser", "Encaissement"),
        Match("caisse", "encaissement"),  # same skill matched by two phrases: shown once
        ("accueil", "Accueil de la clientèle", 0.9),
        "Service en salle",
        object(),  # unknown shape: ignored
    ]
    assert d.matched_skill_labels(matched) == (
        "Encaissement",
        "Accueil de la clientèle",
        "Service en salle",
    )


def test_more_page() -> None:
    ranked = [Ranked(make_offer(f"M{i:06d}"), 0.9 - i / 100) for i in range(8)]
    page = d.build_more_page(ranked, min_score=0.35, size=5)
    assert page.offer_ids == tuple(f"M{i:06d}" for i in range(5))
    assert page.more_count == 3
    text = d.render_more_page(page)
    assert "Autres offres de votre alerte" in text and "3</b> autres offres" in text
    assert "toutes vues" in d.render_more_page(d.Digest(items=()))


def test_without_skills_no_percentage_is_shown() -> None:
    # A profile without skills has no coverage (skill_score None): no made-up percentage.
    text = d.render_digest(
        d.build_digest([Ranked(make_offer("N000001"), 0.7)], min_score=0.1, size=5)
    )
    assert "%" not in text and "couvrent" not in text
    assert "Serveur N000001" in text
