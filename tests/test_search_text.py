"""Free French search parsing and place resolution: the task's examples, the issue's "Why"
examples, bad input, and resolution against the bundled referential (never a substituted town)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest

from ft_client.place_names import (
    PlaceKind,
    PlaceNames,
    ResolutionStatus,
    bundled_place_names,
    name_key,
    place_names_from_data,
    resolve_place,
)
from ft_client.referential import Place, Referential
from ft_client.search_text import (
    MAX_SEARCH_CHARS,
    SearchErrorKind,
    SearchRequest,
    SearchTextError,
    parse_search_text,
)


def parse(text: str) -> SearchRequest:
    result = parse_search_text(text)
    assert isinstance(result, SearchRequest), result
    return result


def error(text: str) -> SearchErrorKind:
    result = parse_search_text(text)
    assert isinstance(result, SearchTextError), result
    return result.kind


# ---------------------------------------------------------------- the task's examples


@pytest.mark.parametrize(
    ("text", "job", "place", "kind", "code"),
    [
        ("serveur paris", ("serveur",), "paris", PlaceKind.COMMUNE, None),
        ("serveuse à Paris 20 km en CDI", ("serveuse",), "Paris", PlaceKind.COMMUNE, None),
        ("aide soignante a lyon temps partiel", ("aide", "soignante"), "lyon", "commune", None),
        (
            "je cherche un travail de développeur à Rennes",
            ("développeur",),
            "Rennes",
            PlaceKind.COMMUNE,
            None,
        ),
        ("cariste près de 69003 débutant", ("cariste",), "69003", "postal_code", "69003"),
        ("vendeur partout", ("vendeur",), "partout", PlaceKind.EVERYWHERE, None),
        ("boulanger dans le 93", ("boulanger",), "93", PlaceKind.DEPARTEMENT, "93"),
        ("plombier Saint-Denis", ("plombier",), "Saint-Denis", PlaceKind.COMMUNE, None),
        (
            "télétravail développeur toute la France",
            ("développeur",),
            "toute la France",
            PlaceKind.EVERYWHERE,
            None,
        ),
    ],
)
def test_task_examples_job_and_place(
    text: str, job: tuple[str, ...], place: str, kind: str, code: str | None
) -> None:
    request = parse(text)
    assert request.job_words == job
    assert request.place_text == place
    assert request.place_kind == kind
    assert request.place_code == code


def test_task_examples_flags() -> None:
    waitress = parse("serveuse à Paris 20 km en CDI")
    assert waitress.radius_km == 20 and waitress.contract_types == ("CDI",)
    assert waitress.part_time is None and not waitress.remote and not waitress.beginner
    carer = parse("aide soignante a lyon temps partiel")
    assert carer.part_time is True and carer.radius_km is None
    assert carer.job_text == "aide soignante"
    assert parse("cariste près de 69003 débutant").beginner
    remote = parse("télétravail développeur toute la France")
    assert remote.remote and remote.place_kind is PlaceKind.EVERYWHERE
    assert parse("serveur paris").contract_types == ()


# ---------------------------------------------------------------- the "Why"


def test_why_paris_20_km_is_a_radius_not_the_20th_arrondissement() -> None:
    request = parse("à Paris 20 km")
    assert (request.place_text, request.radius_km, request.job_words) == ("Paris", 20, ())
    assert parse("serveur à Paris 20 km").radius_km == 20


def test_why_france_is_everywhere_not_fort_de_france() -> None:
    for text in ("serveur à France", "serveur en France", "serveur France", "serveur partout"):
        assert parse(text).place_kind is PlaceKind.EVERYWHERE, text
    fort = parse("serveur à Fort-de-France")
    assert (fort.place_kind, fort.place_text) == (PlaceKind.COMMUNE, "Fort-de-France")


def test_why_rhone_is_the_departement() -> None:
    request = parse("serveur à Rhône")
    assert (request.place_kind, request.place_code) == (PlaceKind.DEPARTEMENT, "69")
    assert parse("serveur dans le Rhône").place_code == "69"
    tournon = parse("serveur à Tournon-sur-Rhône")
    assert tournon.place_kind is PlaceKind.COMMUNE


def test_why_unknown_place_stays_what_was_typed() -> None:
    request = parse("serveur à Trifouillis-les-Oies")
    assert request.place_text == "Trifouillis-les-Oies"
    assert request.place_kind is PlaceKind.COMMUNE  # resolution says it is unknown


def test_why_plain_sentence_reads_as_a_search() -> None:
    for text in (
        "je cherche un travail de développeur à Rennes",
        "Bonjour, je recherche un emploi de développeur à Rennes svp",
        "je voudrais un poste de développeur à Rennes",
    ):
        request = parse(text)
        assert request.job_words == ("développeur",), text
        assert request.place_text == "Rennes", text


# ---------------------------------------------------------------- more phrasings


@pytest.mark.parametrize(
    ("text", "job", "place", "kind"),
    [
        ("aide à domicile", ("aide", "à", "domicile"), None, PlaceKind.NONE),
        ("aide à domicile à Lyon", ("aide", "à", "domicile"), "Lyon", PlaceKind.COMMUNE),
        ("agent au sol", ("agent", "au", "sol"), None, PlaceKind.NONE),
        ("technicien sur site", ("technicien", "sur", "site"), None, PlaceKind.NONE),
        ("serveur dans la restauration", ("serveur", "dans", "la", "restauration"), None, "none"),
        ("chef de rang", ("chef", "de", "rang"), None, PlaceKind.NONE),  # Rang is a commune
        ("peintre", ("peintre",), None, PlaceKind.NONE),  # so is Peintre
        ("chef de chantier maçon", ("chef", "de", "chantier", "maçon"), None, "none"),  # Mâcon
        ("serveur au Mans", ("serveur",), "Le Mans", PlaceKind.COMMUNE),
        ("vendeur evreux", ("vendeur",), "evreux", PlaceKind.COMMUNE),  # accents optional
        ("agent de sécurité dans l'Isère", ("agent", "de", "sécurité"), "Isère", "departement"),
        ("serveur en Bretagne", ("serveur",), "Bretagne", PlaceKind.REGION),
        ("serveur à Saint Denis", ("serveur",), "Saint Denis", PlaceKind.COMMUNE),
        ("vendeur Lyon 3e", ("vendeur",), "Lyon 3e", PlaceKind.COMMUNE),
        ("serveur 93", ("serveur",), "93", PlaceKind.DEPARTEMENT),
        ("Lyon", (), "Lyon", PlaceKind.COMMUNE),
        ("à Lyon serveur", ("serveur",), "Lyon", PlaceKind.COMMUNE),
        ("serveur à l'Isle-Adam", ("serveur",), "l'Isle-Adam", PlaceKind.COMMUNE),
        ("serveur dans le 99", ("serveur",), "99", PlaceKind.DEPARTEMENT),
        ("serveur", ("serveur",), None, PlaceKind.NONE),
    ],
)
def test_phrasings(
    text: str, job: tuple[str, ...], place: str | None, kind: PlaceKind | str
) -> None:
    request = parse(text)
    assert (request.job_words, request.place_text, request.place_kind) == (job, place, kind)


@pytest.mark.parametrize(
    ("text", "radius"),
    [
        ("serveur à 20 km de Lyon", 20),
        ("serveur 20 km autour de Lyon", 20),
        ("développeur dans un rayon de 30 km de Rennes", 30),
        ("serveur à moins de 15km de Lyon", 15),
        ("serveur Lyon rayon 25", 25),
        ("serveur à 0,5 km de Lyon", 1),
        ("serveur Lyon 100 km", 100),
    ],
)
def test_radius_phrasings_keep_the_place(text: str, radius: int) -> None:
    request = parse(text)
    assert request.radius_km == radius
    assert request.place_text == ("Rennes" if "Rennes" in text else "Lyon")
    assert request.job_words in (("serveur",), ("développeur",))


def test_contracts_alternance_and_time() -> None:
    both = parse("cdd ou cdi serveur à Lyon svp")
    assert set(both.contract_types) == {"CDI", "CDD"} and both.job_words == ("serveur",)
    assert both.leftover_words == ("svp",)
    assert parse("cariste en intérim à Lyon").contract_types == ("MIS",)
    assert parse("serveur saisonnier").contract_types == ("SAI",)
    alternance = parse("serveur en alternance à Nantes")
    assert alternance.alternance and alternance.contract_types == ()
    assert parse("comptable en apprentissage").alternance
    assert parse("serveur temps plein").part_time is False
    assert parse("serveur à mi-temps").part_time is True
    assert parse("développeur full remote").remote
    assert parse("vendeur sans expérience").beginner
    assert parse("vendeur débutant accepté à Lyon").beginner


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", SearchErrorKind.EMPTY),
        ("   ", SearchErrorKind.EMPTY),
        ("x" * 5000, SearchErrorKind.TOO_LONG),
        ("serveur " * 30, SearchErrorKind.TOO_LONG),
        ("🙂🙂🙂", SearchErrorKind.NO_WORDS),
        ("?!… ---", SearchErrorKind.NO_WORDS),
        ("serveur à <b>Paris</b>", SearchErrorKind.MARKUP),
        ("serveur à <script>alert(1)</script>", SearchErrorKind.MARKUP),
        ("serveur à &lt;Paris&gt;", SearchErrorKind.MARKUP),
        ("serveur à Paris 0 km", SearchErrorKind.RADIUS_ZERO),
        ("serveur à Paris 5000 km", SearchErrorKind.RADIUS_TOO_LARGE),
        ("serveur à Paris 5 000 km", SearchErrorKind.RADIUS_TOO_LARGE),
        ("serveur à Paris 101 km", SearchErrorKind.RADIUS_TOO_LARGE),
        ("serveur à Paris abc km", SearchErrorKind.RADIUS_NOT_A_NUMBER),
        ("serveur rayon 0", SearchErrorKind.RADIUS_ZERO),
    ],
)
def test_bad_input_is_a_typed_error(text: str, kind: SearchErrorKind) -> None:
    assert error(text) is kind


def test_radius_error_names_the_fragment() -> None:
    result = parse_search_text("serveur à Paris 5 000 km")
    assert isinstance(result, SearchTextError) and result.fragment == "5 000 km"


def test_non_text_and_odd_characters_never_raise() -> None:
    assert isinstance(parse_search_text(None), SearchTextError)  # type: ignore[arg-type]
    assert isinstance(parse_search_text(42), SearchTextError)  # type: ignore[arg-type]
    odd = parse("serveur\x00 à\u200b Lyon")
    assert odd.job_words == ("serveur",) and odd.place_text == "Lyon"
    assert len("x" * MAX_SEARCH_CHARS) == MAX_SEARCH_CHARS
    assert isinstance(parse_search_text("x" * MAX_SEARCH_CHARS), SearchRequest)
    emoji_job = parse("🍽️ serveur 🍽️ à Lyon")
    assert emoji_job.job_words == ("serveur",) and emoji_job.place_text == "Lyon"


# ---------------------------------------------------------------- names


def test_name_keys() -> None:
    assert name_key("Saint-Denis") == name_key("saint denis") == name_key("St Denis")
    assert name_key("Paris 12e Arrondissement") == name_key("paris 12ème") == "paris 12"
    assert name_key("Mâcon") == name_key("macon") == "macon"
    assert name_key("L'Haÿ-les-Roses") == "l hay les roses"


def test_bundled_names() -> None:
    names = bundled_place_names()
    assert names.departement_code("Rhône") == "69"
    assert names.departement_code("le Rhône") == "69"
    assert names.departement_code("2a") == "2A"
    assert names.departement_code("Seine-Saint-Denis") == "93"
    assert names.departement_code("Trifouillis") is None
    assert names.region("Île-de-France") == ("11", "Île-de-France")
    assert names.is_commune("Paris") and names.is_commune("saint denis")
    assert not names.is_commune("Trifouillis-les-Oies")
    assert "serveur" in names.job_words and "paris" not in names.job_words
    assert names.region_of("974") == "La Réunion"


# ---------------------------------------------------------------- resolution


@pytest.fixture(scope="module")
def referential() -> Referential:
    return Referential.load()


def resolve(text: str, referential: Referential) -> tuple[ResolutionStatus, list[str]]:
    request = parse(text)
    resolution = resolve_place(
        request.place_kind, request.place_text, lambda q: referential.find_places(q, limit=20)
    )
    return resolution.status, [choice.label for choice in resolution.choices]


def test_resolution_saint_denis_is_asked_with_departement_and_region(
    referential: Referential,
) -> None:
    status, labels = resolve("serveur à Saint-Denis", referential)
    assert status is ResolutionStatus.AMBIGUOUS
    assert "Saint-Denis (93, Île-de-France)" in labels
    assert "Saint-Denis (974, La Réunion)" in labels
    assert all(label.startswith("Saint-Denis (") for label in labels)  # no Vert-Saint-Denis
    assert resolve("plombier Saint-Denis", referential) == (status, labels)


def test_resolution_never_substitutes_a_town(referential: Referential) -> None:
    assert resolve("serveur à Trifouillis-les-Oies", referential) == (
        ResolutionStatus.UNKNOWN,
        [],
    )
    status, labels = resolve("serveur à Marseile", referential)
    assert status is ResolutionStatus.SUGGESTIONS  # asked, never taken
    assert labels[0] == "Marseille (13, Provence-Alpes-Côte d'Azur)"
    assert resolve("serveur à 99999", referential)[0] is ResolutionStatus.UNKNOWN
    assert resolve("serveur dans le 99", referential)[0] is ResolutionStatus.UNKNOWN


@pytest.mark.parametrize(
    ("text", "status", "labels"),
    [
        ("serveur paris", "unique", ["Paris (75, Île-de-France)"]),
        ("serveur à Paris 12e", "unique", ["Paris 12e Arrondissement (75, Île-de-France)"]),
        (
            "cariste près de 69003",
            "unique",
            ["Lyon 3e Arrondissement (69, Auvergne-Rhône-Alpes)"],
        ),
        ("serveur 93200", "unique", ["Saint-Denis (93, Île-de-France)"]),
        ("serveur à Rhône", "unique", ["Rhône (département 69)"]),
        ("serveur en Bretagne", "unique", ["Bretagne (région)"]),
        (
            "serveur à Vienne",
            "ambiguous",
            ["Vienne (38, Auvergne-Rhône-Alpes)", "Vienne (département 86)"],
        ),
        ("serveur à France", "everywhere", []),
        ("serveur", "none", []),
    ],
)
def test_resolution_cases(
    text: str, status: str, labels: list[str], referential: Referential
) -> None:
    assert resolve(text, referential) == (status, labels)


def test_resolution_with_a_small_names_table() -> None:
    data = {
        "regions": {"11": "Île-de-France", "04": "La Réunion"},
        "departements": {
            "93": {"name": "Seine-Saint-Denis", "region": "11"},
            "974": {"name": "La Réunion", "region": "04"},
        },
        "communes": [{"name": "Saint-Denis"}],
    }
    names: PlaceNames = place_names_from_data(data, ["Serveur / Serveuse"])
    places = [
        Place("93066", "Saint-Denis", ("93200",), "93", 48.9, 2.35, population=100),
        Place("97411", "Saint-Denis", ("97400",), "974", -20.9, 55.4, population=200),
        Place("77495", "Vert-Saint-Denis", ("77240",), "77", 48.5, 2.6, population=9),
    ]

    def find(query: str) -> Sequence[Place]:
        return places

    resolution = resolve_place(PlaceKind.COMMUNE, "saint denis", find, names)
    assert resolution.status is ResolutionStatus.AMBIGUOUS
    assert [c.label for c in resolution.choices] == [
        "Saint-Denis (974, La Réunion)",
        "Saint-Denis (93, Île-de-France)",
    ]
    assert resolution.choices[0].place is places[1] and resolution.unique is None
    postal = resolve_place(PlaceKind.POSTAL_CODE, "93200", find, names)
    assert postal.unique is not None and postal.unique.code == "93066"
    assert resolve_place(PlaceKind.COMMUNE, "Oies", find, names).status is (
        ResolutionStatus.UNKNOWN
    )
    assert names.job_words == frozenset({"serveur", "serveuse"})


@pytest.mark.parametrize("pattern", ["à ", "aide à ", "dans le ", "à la la la ", "1 km "])
def test_adversarial_lines_stay_cheap(pattern: str) -> None:
    # Each preposition starts a place look-up; the place length is capped so a line full of
    # them costs milliseconds, not seconds (generous bound: the test machine is shared).
    bundled_place_names()
    line = (pattern * 200)[:MAX_SEARCH_CHARS]
    started = time.perf_counter()
    result = parse_search_text(line)
    assert time.perf_counter() - started < 0.5
    assert isinstance(result, SearchRequest)
