"""find_jobs on the forms people type: English titles read in French, and the issue's list
kept intact by every such reading (towns, junk, aliases)."""

from __future__ import annotations

import pytest

from ft_client.matching import find_jobs, is_recognised, looks_like_place
from ft_client.matching.english import EnglishReader
from ft_client.matching.job_spans import title_words
from ft_client.referential import Referential


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


@pytest.fixture(scope="module")
def reader(ref: Referential) -> EnglishReader:
    return EnglishReader(title_words(ref).words)


def test_english_words_are_translated(reader: EnglishReader) -> None:
    assert reader.translate("Warehouse operator") == "entrepot operateur"
    assert reader.translate("kitchen porter") == "plongeur"  # a phrase, not its words
    assert reader.translate("night security guard") == "nuit securite agent de securite"


@pytest.mark.parametrize("query", ["serveuse", "chef de rang", "agent de sécurité", "manager", ""])
def test_french_and_shared_words_translate_nothing(reader: EnglishReader, query: str) -> None:
    # « manager », « chef », « agent » are French title words: no sign of English by themselves.
    assert reader.translate(query) is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cleaning agent", {"K2204", "K2205"}),
        ("warehouse operator", {"N1115", "N1103", "N1105"}),
        ("farm worker", {"A1402", "A1403", "A1419"}),
        ("bus driver", {"N4103"}),
        ("plumber", {"F1603"}),
    ],
)
def test_english_titles_are_recognised(ref: Referential, query: str, expected: set[str]) -> None:
    hits = find_jobs(query, ref, limit=5)
    assert is_recognised(hits), hits
    assert hits[0].rome_code in expected, [(h.rome_code, h.job_label) for h in hits]
    assert hits[0].why.startswith("traduit de l'anglais")
    assert hits[0].score < 0.97  # a translation is a little less sure than the French words


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ehpad", "J1501"),
        ("plongeur", "G1605"),
        ("AESH", "K2113"),
        ("nounou", "K1303"),
        ("serveuse", "G1803"),
        ("waiter", "G1803"),
        ("nurse", "J1506"),
    ],
)
def test_issue_list_unchanged(ref: Referential, query: str, expected: str) -> None:
    hits = find_jobs(query, ref, limit=5)
    assert hits[0].rome_code == expected
    assert is_recognised(hits)


@pytest.mark.parametrize(
    "query", ["zzzz", "😀🙂", "x" * 5000, "hello", "good morning", "no idea", "thank you"]
)
def test_junk_and_english_small_talk_are_no_job(ref: Referential, query: str) -> None:
    assert not is_recognised(find_jobs(query, ref, limit=5))


def test_paris_is_a_place(ref: Referential) -> None:
    assert not is_recognised(find_jobs("Paris", ref, limit=5))
    place = looks_like_place("Paris", ref)
    assert place is not None and place.name == "Paris"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cuisinière en ehpad", {"G1602", "G1606", "G1609"}),  # the job, not the ehpad trades
        ("serveuse en ehpad", {"G1803"}),
        ("équipier mcdo", {"G1603"}),  # the workplace tells which « équipier »
        ("vendeuse supermarché", {"D1106", "D1507"}),
    ],
)
def test_a_workplace_says_where_not_what(ref: Referential, query: str, expected: set[str]) -> None:
    hits = find_jobs(query, ref, limit=5)
    assert is_recognised(hits)
    assert hits[0].rome_code in expected, [(h.rome_code, h.job_label, h.score) for h in hits]


def test_a_clipped_word_starts_a_span(ref: Referential) -> None:
    words = title_words(ref)
    assert words.starts_title("kine")  # kinésithérapeute
    assert words.starts_title("manut")  # manutentionnaire
    assert not words.starts_title("magasin")  # a title word itself, not a clipped magasinier
    assert not words.starts_title("kin")  # too short to be read as clipped
    hits = find_jobs("kiné en libéral", ref, limit=5)
    assert hits[0].rome_code == "J1404", [(h.rome_code, h.job_label, h.score) for h in hits]


def test_workplace_reading(ref: Referential) -> None:
    from ft_client.matching.jobs import alias_key, default_aliases
    from ft_client.matching.workplaces import workplace_in

    known = title_words(ref)
    table = default_aliases()

    def place_of(query: str):
        key = alias_key(query)
        return workplace_in(table.inside_keys(key), key, known)

    specific = place_of("bouchère en grande surface")
    assert specific is not None and specific.job_word and "surface" in specific.words
    generic = place_of("ouvrier d'usine")  # « ouvrier » heads titles of dozens of fiches
    assert generic is not None and not generic.job_word
    assert place_of("serveuse de nuit") is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ouvrier d'usine", {"H2105", "H2906", "H2909", "H3302", "H2102"}),
        ("équipière fast food", {"G1603"}),
        ("cuistot", {"G1609", "G1602"}),
    ],
)
def test_workplaces_and_everyday_words(ref: Referential, query: str, expected: set[str]) -> None:
    hits = find_jobs(query, ref, limit=5)
    assert hits[0].rome_code in expected, [(h.rome_code, h.job_label, h.score) for h in hits]


def test_a_specific_job_word_stays_above_the_workplace(ref: Referential) -> None:
    hits = find_jobs("bouchère en grande surface", ref, limit=5)
    assert "D1101" in [h.rome_code for h in hits]
    assert not hits[0].why.startswith("lieu de travail")  # the supermarket trades go under


@pytest.mark.parametrize(
    ("query", "reading"),
    [
        ("carrosserie tôlerie", "carrossier tolier"),
        ("Maçonnerie", "macon"),
        ("comptabilité", "comptable"),
        ("électronique", "electronicien"),
        ("agent logistique", None),  # « agent » already starts titles: the words as typed
        ("pompiste station autoroute", None),  # « autoroute » derives to no worker
        ("zzzz", None),
    ],
)
def test_activity_nouns_read_as_workers(ref: Referential, query: str, reading: str | None) -> None:
    from ft_client.matching.sectors import worker_reading

    assert worker_reading(query, title_words(ref)) == reading


@pytest.mark.parametrize(
    ("query", "expected"),
    [("coiffure", "D1202"), ("plomberie", "F1603"), ("comptabilité", "M1203")],
)
def test_a_trade_name_finds_its_worker(ref: Referential, query: str, expected: str) -> None:
    hits = find_jobs(query, ref, limit=5)
    # Readings are squeezed under 0.9: a title with the noun itself (« Responsable
    # comptabilité » 0.91) may stay first, the worker comes next.
    assert expected in [h.rome_code for h in hits[:2]] and is_recognised(hits)


def test_generic_words_stay_close_matches(ref: Referential) -> None:
    # « gestion » would read « gestionnaire »: a word of most fiches names no job by itself.
    assert not is_recognised(find_jobs("gestion", ref, limit=5))


def test_synonym_readings() -> None:
    from ft_client.matching.synonyms import synonym_readings

    assert synonym_readings("Conseillère de vente électroménager") == ["vendeur electromenager"]
    assert synonym_readings("manageur de boutique") == ["responsable de boutique"]
    assert synonym_readings("serveuse") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("conseillère de vente électroménager", "D1212"),
        ("manageur de boutique", "D1302"),
        ("chef de rang", "G1810"),  # a ROME title as typed wins over any reading
    ],
)
def test_everyday_heads_read_as_rome_heads(ref: Referential, query: str, expected: str) -> None:
    hits = find_jobs(query, ref, limit=5)
    assert hits[0].rome_code == expected, [(h.rome_code, h.job_label, h.score) for h in hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("serveuze", "G1803"),
        ("vendeuze", "D1214"),
        ("conductrise de bus", "N4103"),
        ("secrétère", "M1607"),
        ("plombié", "F1603"),
    ],
)
def test_slips_by_ear_are_recognised(ref: Referential, query: str, expected: str) -> None:
    hits = find_jobs(query, ref, limit=5)
    assert hits[0].rome_code == expected, [(h.rome_code, h.job_label, h.score) for h in hits]
    assert is_recognised(hits)


def test_respelling_leaves_known_words_and_junk_alone(ref: Referential) -> None:
    from ft_client.matching.spelling import respelt

    words = title_words(ref).words
    assert respelt("opératrisse de production", words) == "operatrice de production"
    for query in ("serveuse", "Paris", "zzzz", "bonjour", "je sais pas"):
        assert respelt(query, words) is None
