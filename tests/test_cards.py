"""Pure tests of bot/cards.py: escaping, Telegram limits, callback data, content."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot import callbacks, cards, offer_cards
from bot.criteria import Criteria
from ft_client.models import Offer

SAMPLES = Path(__file__).parent / "fixtures" / "ft_samples"
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
EVIL = '<script>alert("x")</script> & Tom & Jerry <b>gras</b> ; DROP TABLE users; --'


class _TelegramHtmlChecker(HTMLParser):
    """Parses like Telegram: only allowed tags, every tag closed, no stray '<'."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> not allowed by Telegram"
        if tag == "a":
            assert dict(attrs).get("href", "").startswith("https://")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_telegram_html(html: str) -> str:
    """Valid Telegram HTML within 4096 characters; returns the visible text."""
    assert cards.telegram_length(html) <= cards.MESSAGE_LIMIT
    # A '<' not starting an allowed tag or '&' not starting an entity would be refused.
    for match in re.finditer(r"<(/?)([a-zA-Z]*)", html):
        assert match.group(2).lower() in ALLOWED_TAGS, html[match.start() : match.start() + 30]
    for match in re.finditer(r"&", html):
        assert re.match(r"&(?:amp|lt|gt|quot|#\d+);", html[match.start() :]), "bare &"
    checker = _TelegramHtmlChecker()
    checker.feed(html)
    checker.close()
    assert not checker.stack, f"unclosed tags {checker.stack}"
    return "".join(checker.text)


def assert_keyboard(markup) -> list[callbacks.CallbackData]:
    decoded = []
    for row in markup.inline_keyboard:
        for button in row:
            assert button.text and len(button.text) <= 64
            if button.callback_data is not None:
                assert len(button.callback_data.encode()) <= 64
                data = callbacks.decode(button.callback_data)
                assert data is not None, button.callback_data
                decoded.append(data)
    return decoded


def sample_offer() -> Offer:
    offer = Offer.from_json(json.loads((SAMPLES / "offre_detail_179PPHH.json").read_text()))
    assert offer is not None
    return offer


def evil_offer(description_size: int = 20_000) -> Offer:
    return Offer.from_json(
        {
            "id": "999ZZZZ",
            "intitule": EVIL * 5,
            "description": (EVIL + "\n") * (description_size // len(EVIL)),
            "dateCreation": "2026-11-20T10:00:00Z",
            "lieuTravail": {"libelle": "75 - Paris <15e>", "commune": "75115"},
            "entreprise": {"nom": "Brasserie <Chez Léa> & fils"},
            "typeContratLibelle": "CDI <temps plein>",
            "salaire": {"libelle": "Mensuel de 2000 € < 2500 €"},
            "experienceLibelle": "Débutant accepté",
            "competences": [
                {"code": str(100000 + i), "libelle": f"Compétence <{i}> & co", "exigence": "E"}
                for i in range(40)
            ],
            "qualitesProfessionnelles": [{"libelle": "Rigueur <sic>", "description": "x"}],
        }
    )


def test_offer_card_has_every_field_escaped() -> None:
    offer = sample_offer()
    html = cards.offer_card(offer)
    text = assert_telegram_html(html)
    assert offer.title.split()[0] in text
    assert offer.id in text
    assert "Voir l'offre sur France Travail" in text
    assert f'href="{offer.page_url}"' in html
    if offer.company.name:
        assert offer.company.name in text
    assert "€ brut/mois" in text or "non précisé" in text  # normalised, never raw
    if offer.salary and offer.salary.label:
        assert offer.salary.label not in text
    assert "publiée le" in text


def test_offer_card_evil_and_huge_offer_stays_valid_and_keeps_link() -> None:
    offer = evil_offer()
    html = cards.offer_card(offer)
    text = assert_telegram_html(html)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Brasserie <Chez Léa> & fils" in text  # shown to the user as typed by the API
    assert text.rstrip().endswith("Voir l'offre sur France Travail")
    assert "…" in text
    assert "Compétences demandées" in text


def test_offer_card_minimal_offer() -> None:
    offer = Offer.from_json({"id": "1234567"})
    html = cards.offer_card(offer)
    text = assert_telegram_html(html)
    assert "Offre sans intitulé" in text
    assert "1234567" in text


def test_offer_keyboard_callback_data_valid() -> None:
    offer = sample_offer()
    decoded = assert_keyboard(cards.offer_keyboard(offer))
    assert [(d.action, d.args) for d in decoded] == [
        (cards.ACTION_SAVE, (offer.id,)),
        (offer_cards.ACTION_HIDE, (offer.id,)),
    ]
    saved = assert_keyboard(cards.offer_keyboard(offer, saved=True))
    assert saved[0].action == offer_cards.ACTION_UNSAVE  # the star toggles
    url_buttons = [b for row in cards.offer_keyboard(offer).inline_keyboard for b in row if b.url]
    assert url_buttons[0].text == "Postuler"
    assert url_buttons[0].url.startswith("https://")


def test_offer_card_you_have_you_lack_and_distance() -> None:
    offer = sample_offer()
    paris = (48.8566, 2.3522)
    text = assert_telegram_html(
        cards.offer_card(offer, origin=paris, have=["Service en salle"], lack=["Encaissement"])
    )
    assert "Vous avez" in text and "• Service en salle" in text
    assert "Il vous manque" in text and "• Encaissement" in text
    if offer.place.latitude is not None:
        assert "\u00a0km" in text


def test_offer_line_single_line_escaped() -> None:
    line = cards.offer_line(evil_offer(100), index=3)
    assert line.count("\n") == 1  # title and company, then place, contract, salary, date
    assert line.startswith("3. <b>")
    assert len(line) < 260
    assert_telegram_html(line)


def _view(**kw) -> cards.MatchView:
    base = {
        "job_code": "G1803",
        "job_label": "Serveur / Serveuse en restauration",
        "score": 0.724,
        "matched": (cards.MatchedSkillView("service en salle", "Service en salle"),),
        "missing": ("Encaissement", "Prise de commande <caisse>"),
        "recommendations": ("Suivez une formation courte à l'encaissement.",),
        "offers": (cards.RankedOfferView(sample_offer(), 0.8, ("Métier visé", "à 3 km")),),
        "place_label": "Paris",
        "radius_km": 10,
    }
    base.update(kw)
    return cards.MatchView(**base)


def test_match_report_content() -> None:
    html = cards.match_report(_view())
    text = assert_telegram_html(html)
    assert "72\u00a0%" in text
    assert "▰" in text
    assert "Reconnues : service en salle" in text
    assert "Prise de commande <caisse>" in text
    assert "Métier visé" in text
    assert "près de Paris (10\u00a0km)" in text
    decoded = assert_keyboard(cards.match_keyboard(_view()))
    assert decoded[0].action == cards.ACTION_OFFER
    assert decoded[-1].action == cards.ACTION_MATCH_DETAIL
    detail = assert_telegram_html(cards.match_detail(_view()))
    assert "« service en salle » ↔ Service en salle" in detail


def test_match_report_reasons_positive_or_neutral() -> None:
    reasons = ("Aucune des compétences demandées n'est dans votre profil", "Publiée hier")
    view = _view(offers=(cards.RankedOfferView(sample_offer(), 0.5, reasons),))
    text = assert_telegram_html(cards.match_report(view))
    assert "Aucune des compétences" not in text
    assert "Publiée hier" in text


def test_match_report_without_place_or_offers_or_skills() -> None:
    text = assert_telegram_html(
        cards.match_report(_view(matched=(), offers=(), place_label=None, score=0.0))
    )
    assert "Aucune de vos compétences" in text
    assert "Aucune offre en cours" in text
    assert "indiquez votre ville" in text
    decoded = assert_keyboard(cards.match_keyboard(_view(offers=())))
    assert [d.action for d in decoded] == [cards.ACTION_MATCH_DETAIL]


def test_match_report_ft_error_says_so() -> None:
    text = assert_telegram_html(cards.match_report(_view(offers=(), offers_error=True)))
    assert "France Travail ne répond pas" in text


def test_match_report_huge_inputs_fit() -> None:
    many = tuple(cards.MatchedSkillView(EVIL * 3, EVIL * 3) for _ in range(50))
    offers = tuple(cards.RankedOfferView(evil_offer(100), 0.5, (EVIL * 4,) * 5) for _ in range(5))
    view = _view(
        matched=many, missing=(EVIL * 5,) * 50, recommendations=(EVIL * 9,) * 9, offers=offers
    )
    assert_telegram_html(cards.match_report(view))
    assert_keyboard(cards.match_keyboard(view))


def test_target_jobs_and_suggestions_keyboards() -> None:
    markup = cards.target_jobs_keyboard([("G1603", "Personnel polyvalent"), ("J1501", "Aide")])
    assert [d.args for d in assert_keyboard(markup)] == [("G1603",), ("J1501",)]
    suggestions = [cards.JobSuggestionView("G1803", "Serveur <en> salle " * 10, 0.61)]
    text = assert_telegram_html(cards.job_suggestions(suggestions))
    assert "61\u00a0%" in text
    assert "(G1803)" in text
    decoded = assert_keyboard(cards.job_suggestions_keyboard(suggestions))
    assert decoded[0].action == cards.ACTION_MATCH


def test_favourites_list_and_keyboard() -> None:
    favs = [
        cards.FavouriteView(
            "193XKZP", EVIL, "Léa & Cie", "Lyon", "CDI", datetime(2026, 11, 1, tzinfo=UTC)
        ),
        cards.FavouriteView("4007869", "Boulanger"),
    ]
    text = assert_telegram_html(cards.favourites_list(favs))
    assert "Vos offres sauvegardées (2)" in text
    assert "sauvegardée le 1er novembre 2026" in text
    decoded = assert_keyboard(cards.favourites_keyboard(favs))
    assert {(d.action, d.args) for d in decoded} == {
        (cards.ACTION_OFFER, ("193XKZP",)),
        (cards.ACTION_REMOVE, ("193XKZP",)),
        (cards.ACTION_OFFER, ("4007869",)),
        (cards.ACTION_REMOVE, ("4007869",)),
    }
    assert "aucune offre sauvegardée" in cards.favourites_list([])
    assert cards.favourites_keyboard([]) is None


def test_favourites_list_many_fits() -> None:
    favs = [cards.FavouriteView(f"{i:07d}", EVIL * 4, EVIL, EVIL) for i in range(200)]
    text = assert_telegram_html(cards.favourites_list(favs))
    assert text.endswith("…")


@pytest.mark.parametrize(("page", "total"), [(0, 23), (2, 23), (4, 23), (0, 3), (0, 0)])
def test_search_page_and_paging_buttons(page: int, total: int) -> None:
    offers = tuple(evil_offer(50) for _ in range(min(5, max(0, total - page * 5))))
    lyon = Criteria(keywords="serveur", commune_code="69123", place_label="Lyon", radius_km=10)
    view = cards.SearchPageView("serveur <b>", lyon, offers, total, page, 5)
    text = assert_telegram_html(cards.search_page(view))
    assert "serveur <b>" in text
    assert len(text) <= 1200
    markup = cards.search_keyboard(view, "k1")
    if total == 0:
        assert "Aucune offre" in text
        exits = [d.args[1] for d in assert_keyboard(markup)]
        assert exits == ["wide", "all"]  # never a dead end
        return
    assert f"page {page + 1}/{-(-total // 5)}" in text
    decoded = assert_keyboard(markup)
    pages = [d.args for d in decoded if d.action == cards.ACTION_SEARCH_PAGE]
    expected = []
    if page > 0:
        expected.append(("k1", str(page - 1)))
    if (page + 1) * 5 < total:
        expected.append(("k1", str(page + 1)))
    assert pages == expected
    assert sum(d.action == cards.ACTION_OFFER for d in decoded) == len(offers)


def test_search_page_numbering_and_total_in_french() -> None:
    view = cards.SearchPageView("boulanger", Criteria(), (sample_offer(),), 1234, 1, 5)
    text = assert_telegram_html(cards.search_page(view))
    assert "1\u202f234 offres" in text
    assert "tous contrats · toute la France" in text  # no place: said so
    assert "6. " in text


def test_alert_settings_card_and_keyboard() -> None:
    text = assert_telegram_html(cards.alert_settings(True, "08:00", frozenset({0, 2})))
    assert "Activées" in text
    assert "lundi, mercredi" in text
    markup = cards.alert_settings_keyboard(True, "08:00", frozenset({0, 2}))
    decoded = assert_keyboard(markup)
    assert (cards.ACTION_ALERTS, ("off",)) in [(d.action, d.args) for d in decoded]
    assert (cards.ACTION_ALERT_TIME, ("0800",)) in [(d.action, d.args) for d in decoded]
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert "✅ 08:00" in labels
    assert "✅ Lun" in labels
    assert "Mar" in labels
    off = assert_telegram_html(cards.alert_settings(False, "07:30", frozenset(range(7))))
    assert "Désactivées" in off
    assert "tous les jours" in off


def test_stats_card() -> None:
    text = assert_telegram_html(cards.stats_card(1200, 3, 45, 2, ["offres_search (500) : 2 <x>"]))
    assert "Utilisateurs : 1\u202f200" in text
    assert "<x>" in text


def test_fit_lines_drops_whole_lines() -> None:
    lines = ["<b>x</b>" * 100] * 100
    out = cards.fit_lines(lines, 1000)
    assert len(out) <= 1000
    assert out.endswith("\n…")
    assert_telegram_html(out)


def test_telegram_length_counts_utf16() -> None:
    assert cards.telegram_length("é") == 1
    assert cards.telegram_length("😀") == 2


def test_match_report_advice_first_then_other_missing_skills_once() -> None:
    view = _view(
        missing=("Encaissement", "Accueil", "Hygiène"),
        recommendations=("Compétence clé du métier à acquérir : Encaissement.",),
    )
    text = assert_telegram_html(cards.match_detail(view))
    assert text.index("Compétence clé du métier à acquérir :") < text.index(
        "Autres compétences du métier"
    )
    assert text.count("• Encaissement") == 1  # said once, under the advice heading
    assert "• Accueil" in text
    assert "• Hygiène" in text
    repeated = _view(
        missing=("A", "B", "C"),
        recommendations=tuple(f"Compétence clé du métier à acquérir : {x}." for x in "ABC"),
    )
    grouped = assert_telegram_html(cards.match_detail(repeated))
    assert grouped.count("Compétence clé du métier") == 1


def test_and_others_plural() -> None:
    assert cards.and_others(1) == "• … et 1 autre"
    assert cards.and_others(28) == "• … et 28 autres"
