"""Generation of one realistic fictitious offer from the ROME 4.0 and commune referentials.

The tables give the real distribution of contracts, natures, experience levels and schedules;
half of the offers go to popular jobs so that common searches find enough results.
"""

from __future__ import annotations

import functools
import itertools
import random
import string
from dataclasses import dataclass
from typing import Any

from sandbox.france_travail.referentials import Referentials, sandbox_referentials

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


@functools.cache
def _place_table(refs: Referentials) -> tuple[list[dict[str, Any]], list[float]]:
    places, weights = _places(refs)
    return places, list(itertools.accumulate(weights))


def make_generator(refs: Referentials, rng: random.Random, used_ids: set[str]) -> _Generator:
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
