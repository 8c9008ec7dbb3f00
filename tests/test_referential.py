"""Offline referentials: bundled data, job and place look-ups, bad input."""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from ft_client.referential import DATA_DIR, Job, JobHit, Place, Referential, title_variants
from ft_client.textnorm import MAX_QUERY_CHARS, normalize, tokens


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


# --------------------------------------------------------------------------- bundled files
def _read(name: str) -> dict:
    with gzip.open(DATA_DIR / name, "rb") as handle:
        return json.loads(handle.read())


def test_bundled_files_follow_the_contract() -> None:
    rome = _read("rome.json.gz")
    assert rome["source"]["version"] == "60"
    assert "Licence Ouverte" in rome["source"]["licence"]
    assert len(rome["jobs"]) == 1584
    assert sum(len(j["titles"]) for j in rome["jobs"]) == 13120
    job = next(j for j in rome["jobs"] if j["code"] == "G1603")
    assert job["domain"] == "G16" and "G16" in rome["domains"] and "G" in rome["domains"]
    assert all(flag in ("P", "S") for _code, _title, flag in job["titles"])
    assert sum(1 for t in job["titles"] if t[2] == "P") == 1
    assert all(core in (0, 1) and code in rome["skills"] for code, core in job["skills"])
    kinds = {kind for _label, kind in rome["skills"].values()}
    assert kinds <= {"savoir-faire", "savoir-etre", "savoir", "contexte"}
    # The competence code of the real offer sample 161JGGW is a ROME skill code.
    assert rome["skills"]["104174"][1] == "savoir-faire"

    communes = _read("communes.json.gz")
    by_code = {c["insee"]: c for c in communes["communes"] if c["kind"] != "deleguee"}
    assert by_code["75115"]["parent"] == "75056"
    assert by_code["75115"]["kind"] == "arrondissement"
    assert "75015" in by_code["75115"]["postal_codes"]
    assert communes["departements"]["75"]["name"] == "Paris"
    assert communes["regions"]["11"] == "Île-de-France"

    points = _read("commune_points.odbl.json.gz")
    assert "ODbL" in points["source"]["licence"] and "La Poste" in points["source"]["credit"]
    paris = points["points"]["75056"]
    arrondissements = [points["points"][f"751{i:02d}"] for i in range(1, 21)]
    assert paris[0] == pytest.approx(sum(p[0] for p in arrondissements) / 20, abs=1e-4)
    assert paris[1] == pytest.approx(sum(p[1] for p in arrondissements) / 20, abs=1e-4)
    assert {"69123", "13055"} <= set(points["points"])


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    lines = [",".join(f'"{h}"' for h in header)]
    lines += [",".join(f'"{v}"' for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _tiny_open_data(root: Path) -> Path:
    """A miniature copy of the open-data layout (same file names and headers)."""
    rome, communes = root / "rome", root / "communes"
    rome.mkdir(parents=True)
    communes.mkdir()

    def name(stem: str) -> Path:
        return rome / f"unix_{stem}_v460_utf8.csv"

    _write_csv(
        name("referentiel_code_rome"),
        ["code_rome", "code_fiche_metier", "code_ogr", "libelle_rome"],
        [["G1803", "1", "10", "Serveur / Serveuse en restauration"]],
    )
    _write_csv(
        name("referentiel_appellation"),
        ["code_ogr", "libelle_appellation_long", "code_rome", "classification"],
        [
            ["20", "Serveur / Serveuse en restauration", "G1803", "PRINCIPALE"],
            ["21", "Serveur / Serveuse de bar", "G1803", "SYNONYME"],
        ],
    )
    _write_csv(
        name("referentiel_competence"),
        ["code_ogr", "libelle_competence", "cat_comp"],
        [["104324", "Prendre une commande client", "Savoir-faire"]],
    )
    _write_csv(
        name("referentiel_savoir"), ["code_ogr_savoir", "libelle_savoir"], [["200", "Caisse"]]
    )
    _write_csv(
        name("referentiel_contexte_travail"),
        ["code_ogr", "libelle_cont_travail"],
        [["300", "Travail le week-end"]],
    )
    _write_csv(name("item"), ["code_ogr", "libelle", "code_rubrique"], [["104324", "x", "1"]])
    _write_csv(name("grand_domaine"), ["code_grand_domaine", "libelle_grand_domaine"], [["G", "H"]])
    _write_csv(
        name("domaine_professionnel"),
        ["code_domaine_professionnel", "libelle_domaine_professionnel"],
        [["G18", "Service"]],
    )
    _write_csv(name("cr_gd_dp"), ["code_rome", "code_domaine_professionel"], [["G1803", "G18"]])
    _write_csv(
        name("coherence_item"),
        ["code_rome", "code_ogr", "coeur_metier"],
        [["G1803", "104324", "Principale"], ["G1803", "200", ""], ["G1803", "300", ""]],
    )
    _write_csv(name("rubrique_mobilite"), ["code_rome", "code_rome_cible", "numero_ordre"], [])

    entries = [
        {"code": "75056", "nom": "Paris", "type": "commune-actuelle", "departement": "75",
         "region": "11", "codesPostaux": ["75001", "75002"], "population": 2000000},
        {"code": "75101", "nom": "Paris 1er Arrondissement", "type": "arrondissement-municipal",
         "commune": "75056", "departement": "75", "region": "11", "codesPostaux": ["75001"]},
        {"code": "75102", "nom": "Paris 2e Arrondissement", "type": "arrondissement-municipal",
         "commune": "75056", "departement": "75", "region": "11", "codesPostaux": ["75002"]},
        {"code": "01001", "nom": "Nouvelle", "type": "commune-actuelle", "departement": "01",
         "region": "84", "codesPostaux": ["01000"]},
        {"code": "01002", "nom": "Ancienne", "type": "commune-deleguee", "chefLieu": "01001",
         "departement": "01", "region": "84"},
        {"code": "01003", "nom": "Sans Point", "type": "commune-actuelle", "departement": "01",
         "region": "84", "codesPostaux": ["01000"]},
    ]  # fmt: skip
    (communes / "communes.json").write_text(json.dumps(entries), encoding="utf-8")
    (communes / "departements.json").write_text(
        json.dumps([{"code": "75", "nom": "Paris", "region": "11"}]), encoding="utf-8"
    )
    (communes / "regions.json").write_text(
        json.dumps([{"code": "11", "nom": "Île-de-France"}]), encoding="utf-8"
    )
    (communes / "laposte_hexasmal_2020.csv").write_text(
        "Code_commune_INSEE;Nom_commune;Code_postal;Ligne_5;Libellé_d_acheminement;coordonnees_gps\n"
        "75101;PARIS 01;75001;;PARIS;48.0,2.0\n"
        "75102;PARIS 02;75002;;PARIS;49.0,3.0\n"
        "01002;ANCIENNE;01000;;ANCIENNE;46.0,5.0\n",
        encoding="utf-8",
    )
    return root


def _run_build(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    script = Path(__file__).resolve().parent.parent / "scripts" / "build_referentials.py"
    return subprocess.run(
        [sys.executable, str(script), "--source", str(source), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_build_script_on_a_miniature_source(tmp_path: Path) -> None:
    source = _tiny_open_data(tmp_path / "data")
    first = _run_build(source, tmp_path / "out1")
    second = _run_build(source, tmp_path / "out2")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    # Reproducible bytes (gzip mtime 0, sorted keys where order is free).
    for name in ("rome.json.gz", "communes.json.gz", "commune_points.odbl.json.gz"):
        assert (tmp_path / "out1" / name).read_bytes() == (tmp_path / "out2" / name).read_bytes()
    # Communes still without a point are listed.
    assert "1 current communes still without a point" in first.stdout
    assert "01003 Sans Point" in first.stdout

    ref = Referential.from_files(tmp_path / "out1")
    paris = ref.place("75056")
    assert paris is not None
    assert (paris.latitude, paris.longitude) == (48.5, 2.5)  # mean of its arrondissements
    nouvelle = ref.place("01001")
    assert nouvelle is not None and (nouvelle.latitude, nouvelle.longitude) == (46.0, 5.0)
    job = ref.job("G1803")
    assert job is not None
    assert [s.core for s in job.skills if s.code == "104324"] == [True]
    assert {s.kind for s in job.skills} == {"savoir-faire", "savoir", "contexte"}
    assert ref.find_jobs("serveuse de bar")[0].rome_code == "G1803"


def test_build_script_rejects_a_wrong_source(tmp_path: Path) -> None:
    result = _run_build(tmp_path, tmp_path / "o")
    assert result.returncode == 2
    assert "rome/" in result.stderr


# --------------------------------------------------------------------------- jobs
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("serveur", "G1803"),
        ("Serveuse", "G1803"),
        ("équipier restauration rapide", "G1603"),
        ("equipiere polyvalente", "G1603"),
        ("aide soignante", "J1501"),
        ("AIDE-SOIGNANT(E)", "J1501"),
        ("développeur python", "M1805"),
        ("devloppeur informatique", "M1805"),
        ("dev informatique", "M1805"),
        ("resp. de magasin", "D1302"),
        ("assistant(e) de direction", "M1604"),
        ("chauffeur pl", "N4101"),
        ("boulangère", "D1102"),
    ],
)
def test_find_jobs_known_answers(ref: Referential, query: str, expected: str) -> None:
    hits = ref.find_jobs(query, limit=5)
    assert hits, query
    assert hits[0].rome_code == expected, [(h.rome_code, h.matched_title) for h in hits]
    assert isinstance(hits[0], JobHit)
    assert 0 < hits[0].score <= 1


def test_find_jobs_returns_one_hit_per_code_sorted(ref: Referential) -> None:
    hits = ref.find_jobs("serveur", limit=10)
    codes = [h.rome_code for h in hits]
    assert len(codes) == len(set(codes))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert 1 < len(hits) <= 10


def test_rome_code_query_returns_that_job_first(ref: Referential) -> None:
    for query in ("g1603", "G1603", " G 1603 "):
        hits = ref.find_jobs(query)
        assert hits[0].rome_code == "G1603"
        assert hits[0].score == 1.0
    assert ref.find_jobs("Z9999") == []
    assert ref.find_jobs("N9999") == []


def test_find_jobs_is_deterministic(ref: Referential) -> None:
    first = ref.find_jobs("agent entretien", limit=10)
    assert first == ref.find_jobs("agent entretien", limit=10)


@pytest.mark.parametrize(
    "query",
    ["", "   ", "!!!", "?!;:.", "😀🚀", "\x00\x01\x02", "<script>alert(1)</script>", "' OR 1=1 --"],
)
def test_find_jobs_bad_input_returns_a_list(ref: Referential, query: str) -> None:
    hits = ref.find_jobs(query)
    assert isinstance(hits, list)
    assert all(isinstance(h, JobHit) for h in hits)


def test_find_jobs_punctuation_and_emoji_only_is_empty(ref: Referential) -> None:
    assert ref.find_jobs("!!! ... ???") == []
    assert ref.find_jobs("😀🚀🔥") == []
    assert ref.find_jobs("") == []


def test_find_jobs_huge_input_is_cut(ref: Referential) -> None:
    huge = "serveur " + "x" * 10_000
    hits = ref.find_jobs(huge)
    assert isinstance(hits, list)
    assert len(normalize(huge)) <= MAX_QUERY_CHARS
    assert ref.find_jobs("serveur" * 2000) == ref.find_jobs("serveur" * 2000)


def test_find_jobs_rejects_wrong_types(ref: Referential) -> None:
    with pytest.raises(ValueError, match="text"):
        ref.find_jobs(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit"):
        ref.find_jobs("serveur", limit=0)
    with pytest.raises(ValueError, match="limit"):
        ref.find_jobs("serveur", limit=True)  # type: ignore[arg-type]


def test_job_details(ref: Referential) -> None:
    job = ref.job("g1603")
    assert isinstance(job, Job)
    assert job.code == "G1603"
    assert job.label.startswith("Equipier polyvalent")
    assert job.titles and all(isinstance(t, str) for t in job.titles)
    assert job.skills and any(s.core for s in job.skills) and any(not s.core for s in job.skills)
    assert job.core_skills == tuple(s for s in job.skills if s.core)
    assert job.mobility and all(ref.job(code) for code in job.mobility)
    assert ref.job("ZZZZZ") is None
    assert ref.job(None) is None  # type: ignore[arg-type]
    assert len(list(ref.jobs())) == 1584


def test_skill_and_names(ref: Referential) -> None:
    skill = ref.skill("104174")
    assert skill is not None and skill.label.startswith("Accueillir")
    assert ref.skill("nope") is None
    assert ref.departement_name("69") == "Rhône"
    assert ref.departement_name("2A") == "Corse-du-Sud"
    assert ref.departement_name("00") is None
    assert ref.domain_label("G16")


def test_title_variants_split_masculine_and_feminine() -> None:
    variants = title_variants("Serveur / Serveuse de bar")
    assert "Serveur de bar" in variants and "Serveuse de bar" in variants
    assert title_variants("Comptable") == ["Comptable"]


def test_tokens_fold_feminine_plural_and_abbreviations() -> None:
    assert tokens("Serveuse") == tokens("serveur")
    assert tokens("Aide-soignantes") == tokens("aide soignant")
    assert tokens("Conductrice") == tokens("conducteur")
    assert tokens("dev") == tokens("développeur")
    assert tokens("assistant(e)") == tokens("Assistant")


# --------------------------------------------------------------------------- places
def test_paris_first(ref: Referential) -> None:
    places = ref.find_places("Paris")
    assert places[0].insee_code == "75056"
    assert isinstance(places[0], Place)
    assert places[0].latitude is not None


def test_postal_code_gives_every_commune(ref: Referential) -> None:
    assert ref.find_places("33000")[0].insee_code == "33063"
    # A postal code shared by several communes returns them all.
    expected = {p.insee_code for p in ref.places() if "01400" in p.postal_codes}
    shared = ref.find_places("01400", limit=50)
    assert len(expected) > 1
    assert expected <= {p.insee_code for p in shared}
    # Postal-code matches come first; an INSEE code equal to the number may follow.
    assert all("01400" in p.postal_codes for p in shared[: len(expected)])


@pytest.mark.parametrize(
    ("query", "code", "parent"),
    [
        ("Lyon 3e", "69383", "69123"),
        ("lyon 3", "69383", "69123"),
        ("Paris 15", "75115", "75056"),
        ("paris 15ème", "75115", "75056"),
        ("75015", "75115", "75056"),
        ("13008", "13208", "13055"),
        ("Marseille 8e", "13208", "13055"),
    ],
)
def test_arrondissements(ref: Referential, query: str, code: str, parent: str) -> None:
    place = ref.find_places(query)[0]
    assert place.insee_code == code
    assert place.kind == "arrondissement"
    assert place.parent_code == parent
    assert ref.query_commune(place) == parent
    assert place.name in place.display_label and place.display_label.endswith(")")


def test_display_label_and_query_commune(ref: Referential) -> None:
    lyon3 = ref.place("69383")
    assert lyon3 is not None
    assert lyon3.display_label == "Lyon 3e Arrondissement (69)"
    bordeaux = ref.place("33063")
    assert bordeaux is not None and ref.query_commune(bordeaux) == "33063"
    assert ref.query_commune("75115") == "75056"
    with pytest.raises(ValueError, match="unknown"):
        ref.query_commune("00000")


def test_saint_denis_homonyms_told_apart(ref: Referential) -> None:
    places = [p for p in ref.find_places("Saint-Denis", limit=10) if p.name == "Saint-Denis"]
    departements = [p.departement for p in places]
    assert len(places) >= 3
    assert len(set(departements)) == len(departements)
    assert {"93", "974"} <= set(departements)
    populations = [p.population or 0 for p in places]
    assert populations == sorted(populations, reverse=True)
    assert len({p.display_label for p in places}) == len(places)
    # The département typed with the name picks the right one.
    assert ref.find_places("st denis 93")[0].insee_code == "93066"


def test_find_places_typos_and_accents(ref: Referential) -> None:
    assert ref.find_places("marseile")[0].insee_code == "13055"
    assert ref.find_places("AIX EN PROVENCE")[0].insee_code == "13001"
    assert ref.find_places("Ajaccio")[0].insee_code == "2A004"
    assert ref.find_places("2a004")[0].insee_code == "2A004"


@pytest.mark.parametrize(
    "query", ["", "  ", "!!!", "😀", "\x00\x07", "x" * 10_000, "<b>Paris</b>", "'; DROP TABLE--"]
)
def test_find_places_bad_input(ref: Referential, query: str) -> None:
    places = ref.find_places(query)
    assert isinstance(places, list)
    assert all(isinstance(p, Place) for p in places)


def test_find_places_rejects_wrong_types(ref: Referential) -> None:
    with pytest.raises(ValueError):
        ref.find_places(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ref.find_places("Paris", limit=-1)
    assert ref.place("99999") is None
    assert ref.place(None) is None  # type: ignore[arg-type]


def test_nearest_place(ref: Referential) -> None:
    lyon = ref.nearest_place(45.7640, 4.8357)
    assert lyon is not None and lyon.insee_code.startswith("6938")
    assert ref.query_commune(lyon) == "69123"
    bordeaux = ref.nearest_place(44.8378, -0.5792)
    assert bordeaux is not None and bordeaux.insee_code == "33063"
    # Mid-Atlantic: nothing within the default radius.
    assert ref.nearest_place(45.0, -30.0) is None
    for lat, lon in ((math.nan, 2.0), (91.0, 0.0), (0.0, 181.0)):
        with pytest.raises(ValueError):
            ref.nearest_place(lat, lon)
    with pytest.raises(ValueError):
        ref.nearest_place("north", 2.0)  # type: ignore[arg-type]


def test_load_is_cached() -> None:
    assert Referential.load() is Referential.load()


@pytest.mark.parametrize("query", ["\x00\x01\x02", "   ", "\u200b\u200b", "\t\n\r", "!!!", "😀"])
def test_input_without_letters_or_digits_finds_nothing(ref: Referential, query: str) -> None:
    assert ref.find_jobs(query) == []
    assert ref.find_places(query) == []


def test_control_characters_around_a_query_do_not_change_the_answer(ref: Referential) -> None:
    assert ref.find_jobs("\x00serveur\x07\n") == ref.find_jobs("serveur")
    assert ref.find_places("\tBordeaux\x00") == ref.find_places("Bordeaux")
    assert ref.find_places("\tBordeaux\x00")[0].insee_code == "33063"
