"""``OfferQuery``: every search parameter of ``GET /offresdemploi/v2/offres/search``.

Values are normalised (codes upper-cased, lists turned into sorted tuples without duplicates)
and validated in ``__post_init__`` so a wrong value fails before any HTTP call, with a
``ValueError`` naming the field and the reason (the value coercions are in
``ft_client/query_values.py``). Queries are frozen and hashable: the alerts group users by
identical queries. ``to_params()`` builds the API's own parameter names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from ft_client.models import format_ft_datetime
from ft_client.query_values import (
    _codes,
    _fail,
    _hhmm,
    _number_param,
    _optional_bool,
    _optional_code,
    _optional_int,
    _optional_number,
)

ROME_CODE_RE = re.compile(r"^[A-N]\d{4}$")
# INSEE commune codes: département part 01-19, 21-95, 2A/2B (Corsica), 971-978 (overseas).
INSEE_CODE_RE = re.compile(
    r"^(?:(?:0[1-9]|1\d|[3-8]\d|9[0-5]|2[1-9])\d{3}|2[AB]\d{3}|97[1-8]\d{2})$"
)
DEPARTEMENT_RE = re.compile(r"^(?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|2[AB]|97[1-8])$")
APPELLATION_RE = re.compile(r"^\d{1,6}$")
DOMAIN_RE = re.compile(r"^[A-N]\d{2}$")
NAF_RE = re.compile(r"^\d{2}\.\d{2}[A-Z]$")
SECTOR_RE = re.compile(r"^\d{2}$")
THEME_RE = re.compile(r"^\d{2}$")
NATURE_RE = re.compile(r"^[A-Z0-9]{2}$")
COUNTRY_RE = re.compile(r"^(?:\d{2}|\d{5})$")
TRAINING_LEVEL_RE = re.compile(r"^[A-Z0-9]{2,4}$")
LICENCE_RE = re.compile(r"^[A-Z0-9]{1,4}$")
PARTNER_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
# The doc's allowed characters are "[aA-zZ]+[0-9]+[espace]+[@#$%^&+./-"]"; accented letters
# are accepted here because French users type them (the doc example only shows ASCII).
_KEYWORD_FORBIDDEN_RE = re.compile(r'[^\w\s@#$%^&+./\-"]|_')

# Codes of the typesContrats referential (recorded list plus FRA and TTI seen in facets).
CONTRACT_TYPES: frozenset[str] = frozenset(
    {"CDI", "CDD", "MIS", "SAI", "LIB", "FRA", "CCE", "DIN", "DDI", "TTI"}
)
# Codes accepted by the API for grandDomaine (verbatim from its 400 message).
BROAD_DOMAINS: frozenset[str] = frozenset(
    {"A", "B", "C", "C15", "D", "E", "F", "G", "H", "I", "J", "K", "L", "L14"}
    | {"M", "M13", "M14", "M15", "M16", "M17", "M18", "N"}
)
# Current INSEE region codes (2016 regions and overseas).
REGIONS: frozenset[str] = frozenset(
    {"01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76"}
    | {"84", "93", "94"}
)
PUBLISHED_SINCE_DAYS: tuple[int, ...] = (1, 3, 7, 14, 31)
SORTS = (0, 1, 2)  # 0 relevance, 1 creation date (newest first), 2 distance
EXPERIENCE_LEVELS = (0, 1, 2, 3)  # 0 unspecified, 1 < 1 year, 2 1–3 years, 3 > 3 years
EXPERIENCE_REQUIREMENTS = frozenset({"D", "S", "E"})  # débutant accepté, souhaitée, exigée
QUALIFICATIONS = (0, 9)  # 0 non-cadre, 9 cadre
WEEKLY_HOURS_TYPES = (0, 1, 2)  # 0 unspecified, 1 full time, 2 part time
SALARY_PERIODS = frozenset({"M", "A", "H", "C"})  # monthly, yearly, hourly, per fee
PARTNER_MODES = frozenset({"INCLUS", "EXCLU"})
ORIGINS = (1, 2)  # 1 France Travail, 2 partner
MAX_DISTANCE_KM = 200
MAX_KEYWORDS = 7
MAX_KEYWORDS_LENGTH = 500  # keeps URLs short; the API documents no bound
MAX_COMMUNES = 5
MAX_DEPARTEMENTS = 5
MAX_ROME_CODES = 200
MAX_SECTORS = 2
MAX_NAF_CODES = 2


def clean_keywords(text: str | None) -> str | None:
    """Turn free user text into a ``keywords`` value the API accepts.

    Characters the API refuses (apostrophes, brackets…) become spaces, terms shorter than two
    characters are dropped, and at most seven comma-separated terms are kept.
    """
    if not text:
        return None
    terms = [" ".join(_KEYWORD_FORBIDDEN_RE.sub(" ", term).split()) for term in text.split(",")]
    kept = [t for t in terms if len(t) >= 2][:MAX_KEYWORDS]
    return ",".join(kept) or None


@dataclass(frozen=True, slots=True)
class OfferQuery:
    """Search criteria for offers; every field is optional (``None``/empty = not filtered)."""

    keywords: str | None = None  # motsCles: comma-separated terms, combined with AND
    rome_codes: tuple[str, ...] = ()  # codeROME
    appellation: str | None = None  # appellation (ROME OGR appellation code)
    domain: str | None = None  # domaine (professional domain, e.g. "G17")
    broad_domain: str | None = None  # grandDomaine ("A".."N", "C15", "M18"…)
    theme: str | None = None  # theme (2 digits)
    sectors: tuple[str, ...] = ()  # secteurActivite (NAF divisions, 2 digits, ≤ 2)
    naf_codes: tuple[str, ...] = ()  # codeNAF ("78.20Z", ≤ 2)
    commune: str | None = None  # commune: INSEE code(s), ≤ 5, canonical "75056" or "13055,75056"
    distance_km: int | None = None  # distance around the commune; 0 = the commune only
    departements: tuple[str, ...] = ()  # departement (≤ 5)
    include_neighbouring: bool | None = None  # inclureLimitrophes
    region: str | None = None  # region (INSEE region code)
    country_or_continent: str | None = None  # paysContinent ("01" France, "99127"…)
    contract_types: tuple[str, ...] = ()  # typeContrat (OR with contract_natures)
    contract_natures: tuple[str, ...] = ()  # natureContrat ("E1", "E2", "FS"…)
    experience: int | None = None  # experience: 0 unspecified, 1 < 1 y, 2 1–3 y, 3 > 3 y
    experience_requirement: str | None = None  # experienceExigence: D, S, E
    qualification: int | None = None  # qualification: 0 non-cadre, 9 cadre
    training_level: str | None = None  # niveauFormation ("NV3"…)
    driving_licence: str | None = None  # permis ("B"…)
    full_time: bool | None = None  # tempsPlein
    weekly_hours_type: int | None = None  # dureeHebdo: 0 unspecified, 1 full, 2 part time
    weekly_hours_min: float | None = None  # dureeHebdoMin, in hours (sent as HHMM)
    weekly_hours_max: float | None = None  # dureeHebdoMax, in hours (sent as HHMM)
    contract_months_min: float | None = None  # dureeContratMin (0–99 months)
    contract_months_max: float | None = None  # dureeContratMax (0–99 months)
    salary_min: float | None = None  # salaireMin (needs salary_period)
    salary_period: str | None = None  # periodeSalaire: M, A, H, C
    created_after: datetime | None = None  # minCreationDate (aware datetime)
    created_before: datetime | None = None  # maxCreationDate (aware datetime)
    published_since_days: int | None = None  # publieeDepuis: 1, 3, 7, 14 or 31
    origin: int | None = None  # origineOffre: 1 France Travail, 2 partner
    partners: tuple[str, ...] = ()  # partenaires
    partner_mode: str | None = None  # modeSelectionPartenaires: INCLUS / EXCLU
    disabled_workers: bool | None = None  # accesTravailleurHandicape
    adapted_companies: bool | None = None  # entreprisesAdaptees
    disability_committed_employers: bool | None = None  # employeursHandiEngages
    simulation_recruitment: bool | None = None  # offresMRS
    lacking_candidates: bool | None = None  # offresManqueCandidats
    sort: int | None = None  # 0 relevance, 1 creation date, 2 distance

    # field name → API parameter name, for the simple one-to-one fields
    _PARAM_NAMES: ClassVar[dict[str, str]] = {
        "keywords": "motsCles",
        "rome_codes": "codeROME",
        "appellation": "appellation",
        "domain": "domaine",
        "broad_domain": "grandDomaine",
        "theme": "theme",
        "sectors": "secteurActivite",
        "naf_codes": "codeNAF",
        "commune": "commune",
        "distance_km": "distance",
        "departements": "departement",
        "include_neighbouring": "inclureLimitrophes",
        "region": "region",
        "country_or_continent": "paysContinent",
        "contract_types": "typeContrat",
        "contract_natures": "natureContrat",
        "experience": "experience",
        "experience_requirement": "experienceExigence",
        "qualification": "qualification",
        "training_level": "niveauFormation",
        "driving_licence": "permis",
        "full_time": "tempsPlein",
        "weekly_hours_type": "dureeHebdo",
        "weekly_hours_min": "dureeHebdoMin",
        "weekly_hours_max": "dureeHebdoMax",
        "contract_months_min": "dureeContratMin",
        "contract_months_max": "dureeContratMax",
        "salary_min": "salaireMin",
        "salary_period": "periodeSalaire",
        "created_after": "minCreationDate",
        "created_before": "maxCreationDate",
        "published_since_days": "publieeDepuis",
        "origin": "origineOffre",
        "partners": "partenaires",
        "partner_mode": "modeSelectionPartenaires",
        "disabled_workers": "accesTravailleurHandicape",
        "adapted_companies": "entreprisesAdaptees",
        "disability_committed_employers": "employeursHandiEngages",
        "simulation_recruitment": "offresMRS",
        "lacking_candidates": "offresManqueCandidats",
        "sort": "sort",
    }

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "keywords", self._check_keywords(self.keywords))

        rome_codes = _codes("rome_codes", self.rome_codes)
        for code in rome_codes:
            if not ROME_CODE_RE.match(code):
                raise _fail(
                    "rome_codes", f"{code!r} is not a ROME code (a letter A–N and 4 digits)"
                )
        if len(rome_codes) > MAX_ROME_CODES:
            raise _fail("rome_codes", f"at most {MAX_ROME_CODES} codes, got {len(rome_codes)}")
        set_(self, "rome_codes", rome_codes)

        appellation = _optional_code("appellation", self.appellation)
        if appellation is not None and not APPELLATION_RE.match(appellation):
            raise _fail("appellation", f"{appellation!r} is not an appellation code (digits)")
        set_(self, "appellation", appellation)

        self._single("domain", DOMAIN_RE, "a letter A–N and 2 digits, e.g. 'G17'")
        broad = _optional_code("broad_domain", self.broad_domain)
        if broad is not None and broad not in BROAD_DOMAINS:
            raise _fail("broad_domain", f"{broad!r} is not one of {sorted(BROAD_DOMAINS)}")
        set_(self, "broad_domain", broad)
        self._single("theme", THEME_RE, "2 digits")

        self._many("sectors", SECTOR_RE, "a NAF division (2 digits)", MAX_SECTORS)
        self._many("naf_codes", NAF_RE, "a NAF code like '78.20Z'", MAX_NAF_CODES)

        communes = _codes("commune", self.commune)
        for code in communes:
            if not INSEE_CODE_RE.match(code):
                raise _fail(
                    "commune",
                    f"{code!r} is not an INSEE commune code (5 characters: 75056, 2A004, 97411)",
                )
        if len(communes) > MAX_COMMUNES:
            raise _fail("commune", f"at most {MAX_COMMUNES} communes, got {len(communes)}")
        set_(self, "commune", ",".join(communes) or None)

        distance = _optional_int("distance_km", self.distance_km)
        if distance is not None:
            if not 0 <= distance <= MAX_DISTANCE_KM:
                raise _fail(
                    "distance_km", f"must be between 0 and {MAX_DISTANCE_KM}, got {distance}"
                )
            if not communes:
                raise _fail("distance_km", "needs a commune (the API ignores it otherwise)")
        set_(self, "distance_km", distance)

        self._many(
            "departements", DEPARTEMENT_RE, "a département code (01–95, 2A, 2B, 971–978)",
            MAX_DEPARTEMENTS,
        )  # fmt: skip
        set_(
            self,
            "include_neighbouring",
            _optional_bool("include_neighbouring", self.include_neighbouring),
        )
        region = _optional_code("region", self.region)
        if region is not None and region not in REGIONS:
            raise _fail("region", f"{region!r} is not a region code ({', '.join(sorted(REGIONS))})")
        set_(self, "region", region)
        self._single(
            "country_or_continent", COUNTRY_RE, "2 digits (continent/France) or 5 (country)"
        )

        contract_types = _codes("contract_types", self.contract_types)
        for code in contract_types:
            if code not in CONTRACT_TYPES:
                raise _fail(
                    "contract_types",
                    f"{code!r} is not a contract type ({', '.join(sorted(CONTRACT_TYPES))})",
                )
        set_(self, "contract_types", contract_types)
        self._many("contract_natures", NATURE_RE, "a contract nature code like 'E1' or 'E2'", None)

        self._choice_int("experience", EXPERIENCE_LEVELS)
        requirement = _optional_code("experience_requirement", self.experience_requirement)
        if requirement is not None and requirement not in EXPERIENCE_REQUIREMENTS:
            raise _fail("experience_requirement", f"must be D, S or E, got {requirement!r}")
        set_(self, "experience_requirement", requirement)
        self._choice_int("qualification", QUALIFICATIONS)
        self._single("training_level", TRAINING_LEVEL_RE, "a level code like 'NV3'")
        self._single("driving_licence", LICENCE_RE, "a licence code like 'B'")
        set_(self, "full_time", _optional_bool("full_time", self.full_time))
        self._choice_int("weekly_hours_type", WEEKLY_HOURS_TYPES)
        self._range("weekly_hours_min", "weekly_hours_max", 0, 99.98, "hours")
        self._range("contract_months_min", "contract_months_max", 0, 99, "months")

        salary = _optional_number("salary_min", self.salary_min)
        if salary is not None and salary < 0:
            raise _fail("salary_min", f"must not be negative, got {salary:g}")
        set_(self, "salary_min", salary)
        period = _optional_code("salary_period", self.salary_period)
        if period is not None and period not in SALARY_PERIODS:
            raise _fail("salary_period", f"must be M, A, H or C, got {period!r}")
        set_(self, "salary_period", period)
        if (salary is None) != (period is None):
            missing = "salary_period" if period is None else "salary_min"
            raise _fail(missing, "salary_min and salary_period go together (the API needs both)")

        after = self._aware("created_after")
        before = self._aware("created_before")
        if after is not None and before is not None and after > before:
            raise _fail(
                "created_after",
                f"must not be later than created_before "
                f"({after.isoformat()} > {before.isoformat()})",
            )

        self._choice_int("published_since_days", PUBLISHED_SINCE_DAYS)
        self._choice_int("origin", ORIGINS)
        set_(self, "partners", _codes("partners", self.partners, upper=False))
        for code in self.partners:
            if not PARTNER_RE.match(code):
                raise _fail("partners", f"{code!r} is not a partner code")
        mode = _optional_code("partner_mode", self.partner_mode)
        if mode is not None and mode not in PARTNER_MODES:
            raise _fail("partner_mode", f"must be INCLUS or EXCLU, got {mode!r}")
        if mode is not None and not self.partners:
            raise _fail("partner_mode", "needs partners")
        set_(self, "partner_mode", mode)
        for name in (
            "disabled_workers",
            "adapted_companies",
            "disability_committed_employers",
            "simulation_recruitment",
            "lacking_candidates",
        ):
            set_(self, name, _optional_bool(name, getattr(self, name)))
        self._choice_int("sort", SORTS)

    # -- validation helpers -------------------------------------------------------------------

    @staticmethod
    def _check_keywords(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, Sequence) and not isinstance(value, str):
            if not all(isinstance(v, str) for v in value):
                raise _fail("keywords", f"expected a string, got {value!r}")
            value = ",".join(value)
        if not isinstance(value, str):
            raise _fail("keywords", f"expected a string, got {value!r}")
        if len(value) > MAX_KEYWORDS_LENGTH:
            reason = f"at most {MAX_KEYWORDS_LENGTH} characters, got {len(value)}"
            raise _fail("keywords", reason)
        terms = [" ".join(term.split()) for term in value.split(",")]
        terms = [t for t in terms if t]
        if not terms:
            return None
        for term in terms:
            if len(term) < 2:
                raise _fail("keywords", f"each term needs at least 2 characters, got {term!r}")
            bad = _KEYWORD_FORBIDDEN_RE.search(term)
            if bad:
                raise _fail(
                    "keywords",
                    f"character {bad.group()!r} is not accepted by the API "
                    '(letters, digits, spaces and @#$%^&+./-" only; see clean_keywords())',
                )
        if len(terms) > MAX_KEYWORDS:
            raise _fail(
                "keywords", f"at most {MAX_KEYWORDS} comma-separated terms, got {len(terms)}"
            )
        return ",".join(terms)

    def _single(self, name: str, pattern: re.Pattern[str], what: str) -> None:
        code = _optional_code(name, getattr(self, name))
        if code is not None and not pattern.match(code):
            raise _fail(name, f"{code!r} is not {what}")
        object.__setattr__(self, name, code)

    def _many(self, name: str, pattern: re.Pattern[str], what: str, limit: int | None) -> None:
        codes = _codes(name, getattr(self, name))
        for code in codes:
            if not pattern.match(code):
                raise _fail(name, f"{code!r} is not {what}")
        if limit is not None and len(codes) > limit:
            raise _fail(name, f"at most {limit} values, got {len(codes)}")
        object.__setattr__(self, name, codes)

    def _choice_int(self, name: str, allowed: Sequence[int]) -> None:
        value = _optional_int(name, getattr(self, name))
        if value is not None and value not in allowed:
            raise _fail(name, f"must be one of {', '.join(map(str, allowed))}, got {value}")
        object.__setattr__(self, name, value)

    def _range(self, low: str, high: str, minimum: float, maximum: float, unit: str) -> None:
        values = []
        for name in (low, high):
            value = _optional_number(name, getattr(self, name))
            if value is not None and not minimum <= value <= maximum:
                raise _fail(
                    name, f"must be between {minimum:g} and {maximum:g} {unit}, got {value:g}"
                )
            object.__setattr__(self, name, value)
            values.append(value)
        if values[0] is not None and values[1] is not None and values[0] > values[1]:
            raise _fail(low, f"must not exceed {high} ({values[0]:g} > {values[1]:g})")

    def _aware(self, name: str) -> datetime | None:
        value = getattr(self, name)
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise _fail(name, f"expected a datetime, got {value!r}")
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise _fail(name, "must be timezone-aware (e.g. datetime.now(UTC))")
        # The API has second precision; dropping microseconds keeps equal queries equal.
        value = value.astimezone(UTC).replace(microsecond=0)
        object.__setattr__(self, name, value)
        return value

    # -- API parameters -----------------------------------------------------------------------

    @property
    def commune_codes(self) -> tuple[str, ...]:
        return tuple(self.commune.split(",")) if self.commune else ()

    def to_params(self) -> dict[str, str]:
        """The query string parameters of ``/offres/search`` (without ``range``)."""
        params: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            name = self._PARAM_NAMES[f.name]
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, tuple):
                text = ",".join(value)
            elif isinstance(value, datetime):
                text = format_ft_datetime(value)
            elif f.name in ("weekly_hours_min", "weekly_hours_max"):
                text = _hhmm(value)
            elif isinstance(value, float):
                text = _number_param(value)
            else:
                text = str(value)
            params[name] = text
        return params

    def since(self, moment: datetime) -> OfferQuery:
        """The same query restricted to offers created at or after ``moment`` (for alerts)."""
        return replace(self, created_after=moment, published_since_days=None)

    def window(self, start: datetime, end: datetime) -> OfferQuery:
        """The same query over the creation window [start, end] (used to split deep searches)."""
        return replace(self, created_after=start, created_before=end, published_since_days=None)

    def split_window(self, parts: int = 2) -> list[OfferQuery]:
        """Split the creation window into ``parts`` consecutive windows (both ends required)."""
        if self.created_after is None or self.created_before is None:
            raise ValueError("OfferQuery.split_window: created_after and created_before are needed")
        step: timedelta = (self.created_before - self.created_after) / parts
        bounds = [self.created_after + step * i for i in range(parts)] + [self.created_before]
        return [self.window(bounds[i], bounds[i + 1]) for i in range(parts)]


__all__ = [
    "BROAD_DOMAINS",
    "CONTRACT_TYPES",
    "PUBLISHED_SINCE_DAYS",
    "REGIONS",
    "OfferQuery",
    "clean_keywords",
]
