"""Deterministic offer dataset for the France Travail emulator.

The dataset is the real sample offers bundled in ``sandbox/data/sample_offers.json`` (dates
shifted so that they look recent) plus ``count`` offers generated from the open ROME 4.0 and
commune files that ``scripts/build_referentials.py`` writes to ``ft_client/data/``. The files
are read as data (gzip + json); no project code is imported.

Generation depends only on the seed and the count: it is cached per (seed, count, data dir) as JSON
text with the age of every offer, and each build re-dates the offers relative to ``now`` and returns
fresh dicts that callers may mutate.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import gzip
import itertools
import json
import math
import random
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SANDBOX_DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_REFERENTIAL_DIR = Path(__file__).resolve().parent.parent / "ft_client" / "data"

FT_DETAIL_URL = "https://candidat.francetravail.fr/offres/recherche/detail/{id}"
GENERATED_FOOTER = (
    "\n\n— Offre fictive générée par l'émulateur France Travail (sandbox ft-job-bot), "
    "à partir des référentiels ouverts ROME 4.0 et COG."
)
GENERATED_COMPANY_NOTE = "Entreprise fictive (offre générée par l'émulateur France Travail)."
WHOLE_CITIES = ("75056", "69123", "13055")

# Jobs that get half of the generated offers, so that common searches find enough results.
POPULAR_ROME_CODES = (
    "G1603", "G1602", "G1604", "G1703", "G1803", "D1106", "D1211", "D1212", "D1102", "D1104",
    "D1507", "D1505", "K2204", "K1304", "K1302", "J1501", "J1506", "N1103", "N1105", "N4101",
    "N4105", "M1607", "M1602", "M1203", "M1805", "M1810", "M1855", "H2102", "H2903", "H3302",
    "F1703", "F1603", "F1602", "I1304", "I1604", "C1302", "K2111", "K2202", "A1203", "E1103",
)  # fmt: skip


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per data dir (cached)
class Referentials:
    """The bundled referential files, indexed for the emulator."""

    rome: dict[str, Any]
    communes: dict[str, dict[str, Any]]  # insee -> commune record
    departements: dict[str, dict[str, Any]]
    regions: dict[str, str]
    points: dict[str, tuple[float, float]]
    jobs: dict[str, dict[str, Any]]  # ROME code -> job record
    skills: dict[str, tuple[str, str]]  # OGR code -> (label, kind)
    children: dict[str, tuple[str, ...]]  # whole city -> arrondissements
    appellation_codes: dict[str, str]  # appellation label -> OGR code
    appellations: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # code -> (label, rome, P/S)

    def commune_centre(self, insee: str) -> tuple[float, float] | None:
        """Centre of a commune: its point, else the mean of its arrondissements' points."""
        if insee in self.points:
            return self.points[insee]
        pts = [self.points[c] for c in self.children.get(insee, ()) if c in self.points]
        if not pts:
            return None
        return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Building many small dicts triggers full collections over the big referentials: pause them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_gz_json(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _read_json(name: str) -> Any:
    return json.loads((SANDBOX_DATA_DIR / name).read_text(encoding="utf-8"))


@functools.cache
def load_referentials(data_dir: Path = DEFAULT_REFERENTIAL_DIR) -> Referentials:
    """Read ``rome.json.gz``, ``communes.json.gz`` and ``commune_points.odbl.json.gz`` (cached)."""
    with _gc_paused():
        return _load_referentials(data_dir)


def _load_referentials(data_dir: Path) -> Referentials:
    rome = _read_gz_json(data_dir / "rome.json.gz")
    geo = _read_gz_json(data_dir / "communes.json.gz")
    raw_points = _read_gz_json(data_dir / "commune_points.odbl.json.gz")["points"]
    communes = {c["insee"]: c for c in geo["communes"]}
    children: dict[str, list[str]] = {}
    for c in geo["communes"]:
        if c.get("kind") == "arrondissement" and c.get("parent"):
            children.setdefault(c["parent"], []).append(c["insee"])
    appellation_codes: dict[str, str] = {}
    appellations: dict[str, tuple[str, str, str]] = {}
    for job in rome["jobs"]:
        for code, label, kind in job["titles"]:
            appellation_codes.setdefault(label, code)
            appellations[code] = (label, job["code"], kind)
    return Referentials(
        rome=rome,
        communes=communes,
        departements=geo["departements"],
        regions=geo["regions"],
        points={k: (float(v[0]), float(v[1])) for k, v in raw_points.items()},
        jobs={j["code"]: j for j in rome["jobs"]},
        skills={k: (v[0], v[1]) for k, v in rome["skills"].items()},
        children={k: tuple(sorted(v)) for k, v in children.items()},
        appellation_codes=appellation_codes,
        appellations=appellations,
    )


@functools.cache
def sandbox_referentials() -> dict[str, Any]:
    """typesContrats, naturesContrats and qualités descriptions bundled in ``sandbox/data``."""
    return _read_json("referentiels.json")


@functools.cache
def soft_skill_labels() -> tuple[dict[str, str], ...]:
    """The 23 real soft skills: ``{"key": "soft_skill_01", "summary": ..., "details": ...}``."""
    return tuple(_read_json("soft_skills.json")["skills"])


def normalize_text(text: str) -> str:
    """Lower case without accents, for accent- and case-insensitive matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("œ", "oe")


def format_ft_datetime(moment: datetime) -> str:
    """``2026-11-25T10:15:42.000Z`` like real offers."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_ft_datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except (AttributeError, ValueError):
        return None


# --------------------------------------------------------------------------------------------------
# generation tables

_CONTRACTS: tuple[tuple[str, str, int], ...] = (
    ("CDI", "Contrat à durée indéterminée", 46),
    ("CDD", "CDD - {n} Mois", 24),
    ("MIS", "Intérim - {n} Mois", 19),
    ("SAI", "Contrat travail saisonnier - {n} Mois", 4),
    ("LIB", "Profession libérale", 2),
    ("DIN", "CDI Intérimaire", 2),
    ("CCE", "Profession commerciale", 1),
    ("FRA", "Franchise", 1),
    ("DDI", "CDD insertion - {n} Mois", 1),
)
_NATURES: tuple[tuple[str, int], ...] = (
    ("Contrat travail", 90),
    ("Contrat apprentissage", 5),
    ("Cont. professionnalisation", 2),
    ("Emploi non salarié", 2),
    ("Insertion par l'activ.éco.", 1),
)
_EXPERIENCES: tuple[tuple[str, str, int], ...] = (
    ("D", "Débutant accepté", 40),
    ("S", "6 Mois", 6),
    ("S", "1 An(s)", 14),
    ("E", "1 An(s)", 10),
    ("E", "2 An(s)", 14),
    ("E", "3 An(s)", 8),
    ("E", "5 An(s)", 5),
    ("S", "Expérience souhaitée", 3),
)
_QUALIFICATIONS = {
    "1": "Manœuvre",
    "2": "Ouvrier spécialisé",
    "3": "Ouvrier qualifié (P1,P2)",
    "4": "Ouvrier qualifié (P3,P4,OHQ)",
    "5": "Employé non qualifié",
    "6": "Employé qualifié",
    "7": "Technicien",
    "8": "Agent de maîtrise",
    "9": "Cadre",
}
# Grand domaine -> plausible (codeNAF, division, label) of the employer.
_SECTORS: dict[str, tuple[str, str, str]] = {
    "A": ("01.61Z", "01", "Activités de soutien aux cultures"),
    "B": ("90.03A", "90", "Création artistique relevant des arts plastiques"),
    "C": ("66.22Z", "66", "Activités des agents et courtiers d'assurances"),
    "D": ("47.11F", "47", "Hypermarchés"),
    "E": ("73.11Z", "73", "Activités des agences de publicité"),
    "F": ("43.99C", "43", "Travaux de maçonnerie générale et gros œuvre de bâtiment"),
    "G": ("56.10A", "56", "Restauration traditionnelle"),
    "H": ("25.62B", "25", "Mécanique industrielle"),
    "I": ("33.12Z", "33", "Réparation de machines et équipements mécaniques"),
    "J": ("86.10Z", "86", "Activités hospitalières"),
    "K": ("88.10A", "88", "Aide à domicile"),
    "L": ("90.01Z", "90", "Arts du spectacle vivant"),
    "M": ("62.02A", "62", "Conseil en systèmes et logiciels informatiques"),
    "N": ("49.41A", "49", "Transports routiers de fret interurbains"),
}
_INTERIM_SECTOR = ("78.20Z", "78", "Activités des agences de travail temporaire")
_FAMILY_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller",
    "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont",
)  # fmt: skip
_COMPANY_FORMS = (
    "SARL {n}",
    "SAS {n}",
    "{n} et Fils",
    "Groupe {n}",
    "Établissements {n}",
    "{n} SA",
)
_COMPANY_WORDS = (
    "Services", "Solutions", "Avenir", "Horizon", "Conseil", "Industrie", "Distribution",
    "Habitat", "Logistique", "Restauration", "Santé", "Bâtiment",
)  # fmt: skip
_SCHEDULES = (
    "35H Horaires normaux",
    "35H Travail en journée",
    "39H Travail en équipe",
    "35H Travail en horaires fractionnés",
    "35H Travail le samedi",
)
_PART_TIME = ("24H Horaires normaux", "20H Travail en journée", "28H Travail le week-end")
_ID_LETTERS = string.ascii_uppercase
_SAMPLE_AGE_DAYS = 30


def masculine_title(label: str) -> str:
    """``Auditeur / Auditrice comptable`` -> ``Auditeur comptable`` (the shared suffix is kept)."""
    if " / " not in label:
        return label
    left, right = label.split(" / ", 1)
    left_words, right_words = left.split(), right.split()
    if len(right_words) > len(left_words):
        return " ".join([*left_words, *right_words[len(left_words) :]])
    return left


def commune_libelle(commune: dict[str, Any]) -> str:
    """``75 - Paris 12e Arrondissement`` like ``lieuTravail.libelle``."""
    return f"{commune['departement']} - {commune['name']}"


def _weighted(rng: random.Random, table: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    return rng.choices(table, weights=[row[-1] for row in table])[0]


@dataclass
class _Generator:
    refs: Referentials
    rng: random.Random
    places: list[dict[str, Any]]
    place_cum_weights: list[float]
    all_qualities: list[str]
    jobs: list[dict[str, Any]]
    popular: list[dict[str, Any]]
    qualites: dict[str, str]
    used_ids: set[str]

    def offer_id(self) -> str:
        while True:
            offer_id = f"{self.rng.randint(190, 215)}" + "".join(self.rng.choices(_ID_LETTERS, k=4))
            if offer_id not in self.used_ids:
                self.used_ids.add(offer_id)
                return offer_id

    def company(self, grand_domaine: str) -> str:
        form = self.rng.choice(_COMPANY_FORMS)
        name = self.rng.choice(_FAMILY_NAMES)
        if self.rng.random() < 0.4:
            name = f"{name} {self.rng.choice(_COMPANY_WORDS)}"
        return form.format(n=name).upper() if self.rng.random() < 0.3 else form.format(n=name)

    def build(
        self,
        age_seconds: float,
        job: dict[str, Any] | None = None,
        place: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        if job is None:
            job = (
                rng.choice(self.popular)
                if self.popular and rng.random() < 0.5
                else rng.choice(self.jobs)
            )
        code, rome_label = job["code"], job["label"]
        principal = [t for t in job["titles"] if t[2] == "P"]
        title_row = (
            rng.choice(principal) if principal and rng.random() < 0.6 else rng.choice(job["titles"])
        )
        appellation = title_row[1]
        if place is None:
            place = rng.choices(self.places, cum_weights=self.place_cum_weights)[0]
        lat, lon = self.refs.commune_centre(place["insee"]) or (46.6, 2.4)
        lat += rng.uniform(-0.012, 0.012)
        lon += rng.uniform(-0.016, 0.016)
        contract, contract_label, _ = _weighted(rng, _CONTRACTS)
        contract_label = contract_label.format(n=rng.choice((1, 2, 3, 6, 6, 12, 18)))
        nature = "Contrat travail" if contract in {"MIS", "DIN"} else _weighted(rng, _NATURES)[0]
        alternance = nature in {"Contrat apprentissage", "Cont. professionnalisation"}
        exp_code, exp_label, _ = _weighted(rng, _EXPERIENCES)
        if alternance:
            exp_code, exp_label = "D", "Débutant accepté"
        grand_domaine = code[0]
        cadre = grand_domaine in "CEM" and rng.random() < 0.35
        qual = "9" if cadre else rng.choice(("3", "5", "6", "6", "6", "7", "7", "8"))
        full_time = rng.random() < 0.82
        hours = rng.choice(_SCHEDULES if full_time else _PART_TIME)
        company = self.company(grand_domaine)
        naf = _INTERIM_SECTOR if contract in {"MIS", "DIN"} else _SECTORS.get(grand_domaine)
        competences = self.competences(job)
        qualites = self.qualities(job)
        offer_id = self.offer_id()
        place_name = place["name"]
        salary = self.salary(cadre, full_time)
        description = self.description(
            masculine_title(appellation), company, place_name, contract_label, competences, hours
        )
        offer: dict[str, Any] = {
            "id": offer_id,
            "intitule": f"{masculine_title(appellation)} (H/F)",
            "description": description + GENERATED_FOOTER,
            "dateCreation": age_seconds,  # replaced by a date when the dataset is built
            "dateActualisation": age_seconds,
            "lieuTravail": {
                "libelle": commune_libelle(place),
                "latitude": round(lat, 6),
                "longitude": round(lon, 6),
                "codePostal": place["postal_codes"][0] if place["postal_codes"] else None,
                "commune": place["insee"],
            },
            "romeCode": code,
            "romeLibelle": rome_label,
            "appellationlibelle": appellation,
            "entreprise": {
                "nom": company,
                "description": GENERATED_COMPANY_NOTE,
                "entrepriseAdaptee": False,
            },
            "typeContrat": contract,
            "typeContratLibelle": contract_label,
            "natureContrat": nature,
            "experienceExige": exp_code,
            "experienceLibelle": exp_label,
            "competences": competences,
            "salaire": salary,
            "dureeTravailLibelle": hours,
            "dureeTravailLibelleConverti": "Temps plein" if full_time else "Temps partiel",
            "alternance": alternance,
            "contact": {
                "nom": f"{company} - Service recrutement",
                "coordonnees1": "Pour postuler, utiliser le lien suivant : "
                + FT_DETAIL_URL.format(id=offer_id),
            },
            "nombrePostes": rng.choice((1, 1, 1, 1, 2, 3)),
            "accessibleTH": rng.random() < 0.2,
            "qualificationCode": qual,
            "qualificationLibelle": _QUALIFICATIONS[qual],
            "qualitesProfessionnelles": qualites,
            "origineOffre": {"origine": "1", "urlOrigine": FT_DETAIL_URL.format(id=offer_id)},
            "offresManqueCandidats": rng.random() < 0.1,
            "contexteTravail": {"horaires": [hours.split(" ", 1)[1]]},
        }
        if naf:
            offer["codeNAF"], offer["secteurActivite"], offer["secteurActiviteLibelle"] = naf
        if rng.random() < 0.07:  # ~9 % of real offers lack a postal code
            del offer["lieuTravail"]["codePostal"]
        return offer

    def competences(self, job: dict[str, Any]) -> list[dict[str, str]]:
        doable = [
            (c, core)
            for c, core in job["skills"]
            if self.refs.skills.get(c, ("", ""))[1] == "savoir-faire"
        ]
        if not doable:
            return []
        core = [c for c, is_core in doable if is_core]
        other = [c for c, is_core in doable if not is_core]
        picked = self.rng.sample(core, min(len(core), self.rng.randint(2, 4)))
        picked += self.rng.sample(other, min(len(other), self.rng.randint(0, 3)))
        return [
            {
                "code": c,
                "libelle": self.refs.skills[c][0],
                "exigence": "E" if c in core and self.rng.random() < 0.6 else "S",
            }
            for c in picked
        ]

    def qualities(self, job: dict[str, Any]) -> list[dict[str, str]]:
        own = [c for c, _ in job["skills"] if self.refs.skills.get(c, ("", ""))[1] == "savoir-etre"]
        if not own:
            own = self.all_qualities
        picked = self.rng.sample(own, min(len(own), self.rng.randint(0, 3)))
        out = []
        for c in picked:
            label = self.refs.skills[c][0]
            description = self.qualites.get(
                label, f"Qualité attendue pour ce poste : {label.lower()}."
            )
            out.append({"libelle": label, "description": description})
        return out

    def salary(self, cadre: bool, full_time: bool) -> dict[str, str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.15:
            return {"commentaire": rng.choice(("Selon profil", "Selon expérience", "À négocier"))}
        if cadre:
            low = rng.randrange(34000, 60000, 1000)
            high = low + rng.randrange(3000, 12000, 1000)
            return {
                "libelle": f"Annuel de {low:.1f} Euros à {high:.1f} Euros sur 12.0 mois",
                "complement1": "Mutuelle",
            }
        if roll < 0.35:
            hourly = round(rng.uniform(11.88, 16.5), 2)
            return {"libelle": f"Horaire de {hourly:.2f} Euros sur 12 mois"}
        low = rng.randrange(1800, 2600, 10) if full_time else rng.randrange(1000, 1500, 10)
        high = low + rng.randrange(0, 500, 10)
        text = f"Mensuel de {low},00 Euros à {high},00 Euros sur 12 mois"
        extra = (
            {"complement1": rng.choice(("Chèque repas", "Mutuelle", "Prime"))} if roll > 0.7 else {}
        )
        return {"libelle": text, **extra}

    def description(
        self,
        title: str,
        company: str,
        city: str,
        contract_label: str,
        competences: list[dict[str, str]],
        hours: str,
    ) -> str:
        lines = [
            f"{company} recrute un(e) {title} pour son établissement de {city}.",
            f"Contrat : {contract_label}, {hours}.",
        ]
        if competences:
            lines.append("Vos missions :")
            lines += [f"- {c['libelle']}" for c in competences]
        lines.append(
            self.rng.choice(
                (
                    "Vous êtes rigoureux(se) et aimez le travail en équipe.",
                    "Une première expérience sur un poste similaire est un plus.",
                    "Poste accessible aux débutants motivés, formation assurée en interne.",
                    "Rejoignez une équipe dynamique dans une entreprise à taille humaine.",
                )
            )
        )
        return "\n".join(lines)


def _places(refs: Referentials) -> tuple[list[dict[str, Any]], list[float]]:
    """Communes (and arrondissements, not their whole city) with a point, weighted by population."""
    places, weights = [], []
    for insee, commune in refs.communes.items():
        if insee in WHOLE_CITIES or commune.get("kind") not in {"commune", "arrondissement"}:
            continue
        pop = commune.get("population") or 0
        if pop < 200 or insee not in refs.points:
            continue
        places.append(commune)
        # super-linear: job offers concentrate in cities more than population does
        weights.append(pop**1.3)
    return places, weights


def _ages(rng: random.Random, count: int) -> list[float]:
    """Ages in seconds over the last 30 days; at least ~4 % in the last 24 h, several per day."""
    day = 86400.0
    ages = []
    for i in range(count):
        if i % 25 == 0:
            ages.append(rng.uniform(60.0, day - 60.0))
        else:
            ages.append(rng.uniform(60.0, 30 * day))
    return ages


@functools.cache
def _place_table(refs: Referentials) -> tuple[list[dict[str, Any]], list[float]]:
    places, weights = _places(refs)
    return places, list(itertools.accumulate(weights))


def _make_generator(refs: Referentials, rng: random.Random, used_ids: set[str]) -> _Generator:
    places, cum_weights = _place_table(refs)
    return _Generator(
        refs=refs,
        rng=rng,
        places=places,
        place_cum_weights=cum_weights,
        all_qualities=sorted(c for c, (_, kind) in refs.skills.items() if kind == "savoir-etre"),
        jobs=[j for j in refs.rome["jobs"] if j["titles"]],
        popular=[
            refs.jobs[c] for c in POPULAR_ROME_CODES if c in refs.jobs and refs.jobs[c]["titles"]
        ],
        qualites=sandbox_referentials()["qualites"],
        used_ids=used_ids,
    )


def generate_offer(
    rng: random.Random,
    *,
    created: datetime,
    rome_code: str | None = None,
    commune: str | None = None,
    used_ids: set[str] | None = None,
    data_dir: Path | None = None,
) -> dict[str, Any]:
    """One generated offer dated ``created``, for a given ROME code and/or commune (INSEE).

    Raises ValueError for an unknown ROME code or commune. ``used_ids`` (updated) avoids id clashes.
    """
    refs = load_referentials(Path(data_dir or DEFAULT_REFERENTIAL_DIR))
    job = place = None
    if rome_code is not None:
        job = refs.jobs.get(rome_code)
        if job is None or not job["titles"]:
            raise ValueError(f"unknown ROME code {rome_code!r}")
    if commune is not None:
        place = refs.communes.get(commune)
        if place is None or refs.commune_centre(commune) is None:
            raise ValueError(f"unknown commune (or commune without coordinates) {commune!r}")
    ids = used_ids if used_ids is not None else set()
    offer = _make_generator(refs, rng, ids).build(0.0, job=job, place=place)
    offer["dateCreation"] = offer["dateActualisation"] = format_ft_datetime(created)
    return offer


@functools.cache
def _generated(
    seed: int, count: int, data_dir: Path
) -> tuple[str, tuple[tuple[float, float], ...]]:
    refs = load_referentials(data_dir)
    with _gc_paused():
        return _generate(seed, count, refs)


def _generate(
    seed: int, count: int, refs: Referentials
) -> tuple[str, tuple[tuple[float, float], ...]]:
    rng = random.Random(seed)
    sample_ids = {e["offer"]["id"] for e in _read_json("sample_offers.json")["offers"]}
    gen = _make_generator(refs, rng, set(sample_ids))
    ages = _ages(rng, count)
    offers, dates = [], []
    for age in ages:
        offers.append(gen.build(age))
        # most offers are never updated; some were refreshed since
        updated = age - rng.uniform(0, min(age - 1, 3 * 86400)) if rng.random() < 0.3 else age
        dates.append((age, updated))
    return json.dumps(offers, ensure_ascii=False), tuple(dates)


def _samples(now: datetime) -> list[dict[str, Any]]:
    """Real sample offers with their dates moved into the last 30 days (deterministic per id)."""
    out = []
    for entry in _read_json("sample_offers.json")["offers"]:
        offer = entry["offer"]
        created = parse_ft_datetime(offer.get("dateCreation") or "")
        updated = parse_ft_datetime(offer.get("dateActualisation") or "") or created
        if created is not None:
            days = 1 + sum(offer["id"].encode()) % (_SAMPLE_AGE_DAYS - 1)
            base = now - timedelta(days=days)
            new_created = base.replace(
                hour=created.hour, minute=created.minute, second=created.second, microsecond=0
            )
            delta = (updated - created) if updated else timedelta(0)
            offer["dateCreation"] = format_ft_datetime(new_created)
            offer["dateActualisation"] = format_ft_datetime(new_created + delta)
        out.append(offer)
    return out


def build_offers(
    seed: int = 42,
    count: int = 3000,
    now: datetime | None = None,
    *,
    include_samples: bool = True,
    data_dir: Path | None = None,
) -> list[dict[str, Any]]:
    """The dataset as fresh dicts: the samples, then the generated offers (stable order)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    text, dates = _generated(seed, count, Path(data_dir or DEFAULT_REFERENTIAL_DIR))
    offers: list[dict[str, Any]] = _samples(moment) if include_samples else []
    for offer, (created_age, updated_age) in zip(json.loads(text), dates, strict=True):
        offer["dateCreation"] = format_ft_datetime(moment - timedelta(seconds=created_age))
        offer["dateActualisation"] = format_ft_datetime(moment - timedelta(seconds=updated_age))
        offers.append(offer)
    return offers


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))
