"""Local emulator of the France Travail partner APIs (aiohttp, loopback only).

Emulates the OAuth2 token endpoint, Offres d'emploi v2 (search, detail, referentials), ROME 4.0
Métiers and Fiches métiers, and Match via Soft Skills, with the real paths, parameter names, JSON
shapes, status codes and headers described in the project's contract notes. Rate limits are
enforced per client and API with token buckets; faults (latency, 5xx, 429, timeouts, malformed
bodies, 401) can be injected; every call is counted.

In tests::

    async with FranceTravailEmulator(EmulatorConfig(seed=42, offer_count=500)) as emu:
        ...  # emu.base_url, emu.token_url, emu.client_id, emu.client_secret

Standalone: ``python -m sandbox.france_travail --port 8082 --seed 42 --offers 3000``.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import collections
import contextlib
import hashlib
import json
import math
import random
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, NamedTuple
from urllib.parse import parse_qsl

from aiohttp import web

from sandbox import ft_dataset
from sandbox.ft_dataset import (
    Referentials,
    format_ft_datetime,
    haversine_km,
    normalize_text,
    parse_ft_datetime,
)

DEFAULT_CLIENT_ID = "PAR_ftjobbotsandbox_" + hashlib.sha256(b"ft-job-bot sandbox id").hexdigest()
DEFAULT_CLIENT_SECRET = hashlib.sha256(b"ft-job-bot sandbox secret").hexdigest()

# API name -> (path prefix under /partenaire, scope that grants it)
APIS: dict[str, tuple[tuple[str, str], ...]] = {
    "offres": (("/partenaire/offresdemploi/", "api_offresdemploiv2"),),
    "rome": (
        ("/partenaire/rome-metiers/", "api_rome-metiersv1"),
        ("/partenaire/rome-fiches-metiers/", "api_rome-fiches-metiersv1"),
        ("/partenaire/rome-competences/", "api_rome-competencesv1"),
        ("/partenaire/rome-contextes-travail/", "api_rome-contextes-travailv1"),
    ),
    "softskills": (("/partenaire/matchviasoftskills/", "api_matchviasoftskillsv1"),),
}
DEFAULT_RATE_LIMITS: Mapping[str, float] = {"offres": 10.0, "rome": 1.0, "softskills": 1.0}
KNOWN_SCOPES = frozenset(
    {
        "api_offresdemploiv2",
        "o2dsoffre",
        "api_rome-metiersv1",
        "api_rome-fiches-metiersv1",
        "api_rome-competencesv1",
        "api_rome-contextes-travailv1",
        "nomenclatureRome",
        "api_matchviasoftskillsv1",
        "api_romeov2",
        "api_labonneboitev2",
    }
)
ACCEPTED_REALMS = frozenset({"/partenaire", "partenaire"})

MSG_RANGE_FORMAT = "Format du paramètre « range » incorrect. <entier>-<entier> attendu."
MSG_RANGE_TOO_WIDE = "La plage de résultats demandée est trop importante."
MSG_RANGE_START = "La position de début doit être inférieure ou égale à {max_start}."
MSG_RANGE_END = "La position de fin doit être inférieure ou égale à {max_end}."  # guessed wording
MSG_VALUE = "Valeur du paramètre « {name} » incorrecte."
MSG_FORMAT = "Format du paramètre « {name} » incorrect."  # generic, guessed wording
MSG_MOTS_CLES = (
    "Format du paramètre « motsCles » incorrect. 7 mots-clé au maximum séparés par des virgules "
    "et d'au moins 2 caractères."
)
MSG_TEMPS_PLEIN = "Format du paramètre « tempsPlein » incorrect. Booléen attendu."
MSG_EXPERIENCE_EXIGENCE = "Format du paramètre « experienceExigence » incorrect. D, E ou S attendu."
MSG_CHAMPS = "Le paramètre « champs » est incorrect."  # guessed wording
MSG_OFFER_ID = "Le format de l'id de l'offre recherchée est incorrect."

MSG_GRAND_DOMAINE = (
    "Format du paramètre « grandDomaine » incorrect. A, B, C, C15, D, E, F, G, H, I, J, K, L, "
    "L14, M15, M18, M, M16, M17, M13, M14 ou N attendu."
)
GRANDS_DOMAINES = frozenset(
    [
        "A",
        "B",
        "C",
        "C15",
        "D",
        "E",
        "F",
        "G",
        "H",
        "I",
        "J",
        "K",
        "L",
        "L14",
        "M15",
        "M18",
        "M",
        "M16",
        "M17",
        "M13",
        "M14",
        "N",
    ]
)
# live boolean parameter -> offer predicate name (see _flag)
BOOLEAN_FILTERS = {
    "accesTravailleurHandicape": "accessibleTH",
    "offresManqueCandidats": "offresManqueCandidats",
    "entreprisesAdaptees": "entrepriseAdaptee",
    "employeursHandiEngages": "employeurHandiEngage",
}

OFFER_ID_RE = re.compile(r"^[0-9A-Z]{7}$")
NAF_RE = re.compile(r"^\d{2}\.\d{2}[A-Z]$")
ROME_CODE_RE = re.compile(r"^[A-N]\d{4}$")
RANGE_RE = re.compile(r"^(\d+)-(\d+)$")
CREATION_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PUBLIEE_DEPUIS = frozenset({1, 3, 7, 14, 31})
NATURE_LABEL_TO_CODE = {
    "contrat travail": "E1",
    "contrat apprentissage": "E2",
    "cont. professionnalisation": "FS",
    "contrat de professionnalisation": "FS",
    "emploi non salarie": "NS",
    "insertion par l'activ.eco.": "I1",
    "cui - cae": "FT",
    "portage salarial": "PS",
    "contrat d'usage": "CU",
    "contrat intermittent": "CI",
    "cdi de chantier ou d'operation": "CC",
    "act. formation pre.recrut.": "FA",
}


# --------------------------------------------------------------------------------------------------
# configuration, faults, stats


@dataclass
class EmulatorConfig:
    """Everything tunable. Defaults follow the documented behaviour of the real API."""

    seed: int = 42
    offer_count: int = 3000
    now: datetime | None = (
        None  # dataset dates and publieeDepuis are relative to this (default: now)
    )
    token_ttl: float = 1499.0
    rate_limits: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    burst: dict[str, float] | float | None = None  # default: equal to the limit (min 1)
    enforce_rate_limits: bool = True
    retry_after: int = 1  # seconds, in the Retry-After header of a 429
    max_start: int = 3000
    max_end: int = 3149
    max_width: int = 150
    clients: dict[str, str] | None = None  # id -> secret; default one sandbox client
    client_scopes: dict[str, frozenset[str]] | None = None  # id -> scopes it may get; default all
    include_samples: bool = True
    data_dir: Path | None = None  # ft_client/data by default
    missing_offer_status: int = (
        204  # detail of an unknown well-formed id (live API: 204, maybe 400)
    )
    beyond_total_status: int = 204  # search whose start is past the total
    timeout_fault_seconds: float = 60.0  # how long a "timeout" fault holds the response

    def __post_init__(self) -> None:
        # APIs left out keep their documented default; float("inf") means unlimited.
        self.rate_limits = {**DEFAULT_RATE_LIMITS, **self.rate_limits}

    def burst_for(self, api: str) -> float:
        if isinstance(self.burst, int | float):
            return float(self.burst)
        if isinstance(self.burst, dict) and api in self.burst:
            return float(self.burst[api])
        return max(1.0, float(self.rate_limits.get(api, 1.0)))


FaultKind = int | str


@dataclass
class _PendingFault:
    remaining: int
    kind: FaultKind
    endpoint: str | None


class Faults:
    """Injected failures. ``fail_next(n, kind, endpoint)`` makes the next n matching calls fail.

    kind: an HTTP status (500, 502, 503, 429, 401, 403, 400, ...), ``"timeout"`` (the answer is
    held ``timeout_fault_seconds`` then a 504), ``"malformed"`` (200 with a truncated JSON body) or
    ``"disconnect"`` (the connection is closed without an answer).
    endpoint: an endpoint name (``"offres_search"``, ``"offres_detail"``, ``"token"``, ...), an API
    name (``"offres"``, ``"rome"``, ``"softskills"``) or None for any API call except the token
    endpoint (target the token endpoint with ``endpoint="token"``).
    """

    VALID_STR_KINDS = frozenset({"timeout", "malformed", "disconnect"})

    def __init__(self) -> None:
        self.latency: float = 0.0
        self._pending: list[_PendingFault] = []
        self.token_generation = 0  # tokens of an older generation are expired

    def fail_next(self, n: int = 1, kind: FaultKind = 500, endpoint: str | None = None) -> None:
        if n < 1:
            raise ValueError("n must be >= 1")
        if isinstance(kind, str) and kind not in self.VALID_STR_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if isinstance(kind, int) and not 400 <= kind <= 599:
            raise ValueError(f"fault status must be 4xx or 5xx, got {kind}")
        self._pending.append(_PendingFault(n, kind, endpoint))

    def expire_tokens(self) -> None:
        """Every token issued so far answers 401 from now on."""
        self.token_generation += 1

    def clear(self) -> None:
        self._pending.clear()
        self.latency = 0.0

    @property
    def pending(self) -> int:
        return sum(f.remaining for f in self._pending)

    def take(self, endpoint: str, api: str | None) -> FaultKind | None:
        for fault in self._pending:
            target = fault.endpoint
            matches = endpoint != "token" if target is None else target in (endpoint, api)
            if matches:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._pending.remove(fault)
                return fault.kind
        return None


class Stats:
    """Call counters. ``calls`` counts every request per endpoint when it arrives."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.responses: collections.Counter[tuple[str, int]] = collections.Counter()
        self.token_requests: int = 0
        self.tokens_issued: int = 0
        self.rate_limited: int = 0  # 429 answered by the rate limiter (injected ones not included)
        self.rate_limited_by_api: collections.Counter[str] = collections.Counter()
        self.faults_injected: collections.Counter[str] = collections.Counter()
        self._arrivals: dict[str, list[float]] = collections.defaultdict(list)
        self._accepted: dict[str, list[float]] = collections.defaultdict(list)

    def record_arrival(self, endpoint: str, api: str | None, at: float) -> None:
        self.calls[endpoint] += 1
        if api:
            self._arrivals[api].append(at)

    def record_accepted(self, api: str, at: float) -> None:
        self._accepted[api].append(at)

    def max_calls_in_window(
        self, api: str, window: float = 1.0, *, accepted_only: bool = False
    ) -> int:
        """Largest number of calls to ``api`` that arrived within any sliding ``window`` seconds.

        With ``accepted_only`` only calls that passed auth and the rate limiter are counted.
        """
        times = (self._accepted if accepted_only else self._arrivals).get(api, [])
        best = 0
        for i, start in enumerate(times):
            j = bisect.bisect_left(times, start + window, lo=i)
            best = max(best, j - i)
        return best

    def total_calls(self, api: str) -> int:
        return len(self._arrivals.get(api, []))

    def arrivals(self, api: str) -> list[float]:
        """When each call to ``api`` arrived (``time.monotonic()``, the event loop's clock)."""
        return list(self._arrivals.get(api, []))


@dataclass
class _Token:
    client_id: str
    scopes: frozenset[str]
    generation: int
    expires: float


class _Bucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.updated = burst, time.monotonic()

    def take(self, now: float) -> bool:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.updated = max(now, self.updated)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class _OfferInfo(NamedTuple):
    ident: int
    experience: str
    qualification: str
    nature: str | None
    created: datetime | None
    departement: str | None


class _BadRequest(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------------------
# helpers


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False).encode("utf-8"),
        content_type="application/json",
        charset="utf-8",
        headers=dict(headers or {}),
    )


def _ft_error(status: int, message: str) -> web.Response:
    body = {"message": message, "codeHttp": status, "codeErreur": str(int(time.time() * 1000))}
    return _json(body, status=status)


def _bad_request(message: str) -> web.Response:
    return _ft_error(400, message)


def _unauthorized() -> web.Response:
    return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})


def _split(value: str | None) -> list[str]:
    if value is None:
        return []
    return [v.strip() for v in value.split(",") if v.strip()]


def _endpoint_of(method: str, path: str) -> tuple[str, str | None]:
    """(endpoint name, API name) for stats, faults and rate limits."""
    if path.startswith("/connexion/oauth2/access_token"):
        return "token", None
    api = next(
        (name for name, prefixes in APIS.items() for p, _ in prefixes if path.startswith(p)), None
    )
    if path.startswith("/partenaire/offresdemploi/v2/offres/search"):
        return "offres_search", api
    if path.startswith("/partenaire/offresdemploi/v2/offres/"):
        return "offres_detail", api
    if path.startswith("/partenaire/offresdemploi/v2/referentiel/"):
        return "referentiel", api
    if path.startswith("/partenaire/rome-metiers/v1/metiers/appellation/requete"):
        return "rome_appellation_search", api
    if path.startswith("/partenaire/rome-metiers/v1/metiers/appellation"):
        return "rome_appellation", api
    if path.rstrip("/") == "/partenaire/rome-metiers/v1/metiers/metier":
        return "rome_metiers", api
    if path.startswith("/partenaire/rome-metiers/v1/metiers/metier/"):
        return "rome_metier", api
    if path.startswith("/partenaire/rome-fiches-metiers/"):
        return "rome_fiche", api
    if path.startswith("/partenaire/matchviasoftskills/"):
        return "softskills", api
    return ("unknown", api)


def _scope_for(path: str) -> str | None:
    for prefixes in APIS.values():
        for prefix, scope in prefixes:
            if path.startswith(prefix):
                return scope
    return None


def _experience_bucket(offer: Mapping[str, Any]) -> str:
    """Facet/filter ``experience``: 0 not specified, 1 < 1 year, 2 1–3 years, 3 > 3 years."""
    label = normalize_text(str(offer.get("experienceLibelle") or ""))
    exige = offer.get("experienceExige")
    match = re.search(r"(\d+)\s*(an|mois)", label)
    if match:
        months = int(match.group(1)) * (12 if match.group(2) == "an" else 1)
        return "1" if months < 12 else ("2" if months <= 36 else "3")
    if exige == "D" or "debutant" in label:
        return "1"
    return "0"


def _qualification_bucket(offer: Mapping[str, Any]) -> str:
    code = offer.get("qualificationCode")
    if code in (None, ""):
        return "X"
    return "9" if str(code) == "9" else "0"


Selector = dict[str, "Selector | None"]


def parse_champs(text: str) -> Selector:
    """ROME 4.0 field selector: ``code,libelle,formacodes(libelle,code)`` -> nested dict."""
    tokens = re.findall(r"[A-Za-z0-9_]+|[(),]|\S", text.replace(" ", ""))
    pos = 0

    def fields() -> Selector:
        nonlocal pos
        out: Selector = {}
        while True:
            if pos >= len(tokens) or not re.fullmatch(r"[A-Za-z0-9_]+", tokens[pos]):
                raise ValueError("field name expected")
            name = tokens[pos]
            pos += 1
            sub = None
            if pos < len(tokens) and tokens[pos] == "(":
                pos += 1
                sub = fields()
                if pos >= len(tokens) or tokens[pos] != ")":
                    raise ValueError("')' expected")
                pos += 1
            out[name] = sub
            if pos < len(tokens) and tokens[pos] == ",":
                pos += 1
                continue
            return out

    selector = fields()
    if pos != len(tokens):
        raise ValueError("unexpected text after the selector")
    return selector


def select_fields(data: Any, selector: Selector) -> Any:
    if isinstance(data, list):
        return [select_fields(item, selector) for item in data]
    if isinstance(data, dict):
        return {
            key: select_fields(data[key], sub) if sub else data[key]
            for key, sub in selector.items()
            if key in data
        }
    return data


def _select_response(response: web.Response, selector: Selector, endpoint: str) -> web.Response:
    assert isinstance(response.body, bytes)
    data = json.loads(response.body)
    if endpoint == "rome_appellation_search":  # the selector applies to each result
        data["resultats"] = select_fields(data["resultats"], selector)
    else:
        data = select_fields(data, selector)
    return _json(data, status=response.status)


def _flag(offer: Mapping[str, Any], name: str) -> bool:
    if name == "entrepriseAdaptee":
        company = offer.get("entreprise") or {}
        return bool(company.get("entrepriseAdaptee") or offer.get("entrepriseAdaptee"))
    return bool(offer.get(name))


def _nature_code(offer: Mapping[str, Any]) -> str | None:
    nature = offer.get("natureContrat")
    if not nature:
        return None
    return NATURE_LABEL_TO_CODE.get(normalize_text(str(nature)).replace("’", "'"), str(nature))


# --------------------------------------------------------------------------------------------------
# the emulator


class FranceTravailEmulator:
    """The France Travail partner API on a loopback port. Use as an async context manager."""

    def __init__(
        self, config: EmulatorConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or EmulatorConfig()
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the emulator only listens on loopback")
        self.host, self.port = host, port
        self.faults = Faults()
        self.stats = Stats()
        self.clients: dict[str, str] = dict(
            self.config.clients or {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}
        )
        self._refs: Referentials = ft_dataset.load_referentials(
            Path(self.config.data_dir or ft_dataset.DEFAULT_REFERENTIAL_DIR)
        )
        self._fixed_now = self.config.now.astimezone(UTC) if self.config.now else None
        self.offers: list[dict[str, Any]] = ft_dataset.build_offers(
            self.config.seed,
            self.config.offer_count,
            self.now(),
            include_samples=self.config.include_samples,
            data_dir=self.config.data_dir,
        )
        self._new_offer_count = 0
        self._referentiel_cache: dict[str, tuple[bytes, int]] = {}
        self._appellation_index: list[tuple[str, str, str, str, str]] | None = None
        self._tokens: dict[str, _Token] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._info_cache: dict[str, _OfferInfo] = {}
        self._text_cache: dict[str, tuple[int, str, str]] = {}
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._changed = asyncio.Condition()
        self.app = self._make_app()

    # ---- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        self._closing.clear()
        self._runner = web.AppRunner(self.app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server  # aiohttp exposes the bound port only through the server sockets
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FranceTravailEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- public helpers ------------------------------------------------------------------------
    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/partenaire"

    @property
    def token_url(self) -> str:
        return f"{self.root_url}/connexion/oauth2/access_token?realm=%2Fpartenaire"

    @property
    def client_id(self) -> str:
        return next(iter(self.clients))

    @property
    def client_secret(self) -> str:
        return self.clients[self.client_id]

    @property
    def referentials(self) -> Referentials:
        return self._refs

    def now(self) -> datetime:
        return self._fixed_now or datetime.now(UTC)

    def add_offer(self, offer: dict[str, Any]) -> None:
        """Add (or replace, by id) an offer in the dataset."""
        if not isinstance(offer, dict) or not offer.get("id"):
            raise ValueError("an offer needs an 'id'")
        self.remove_offer(str(offer["id"]))
        self.offers.append(offer)

    def new_offer(
        self,
        *,
        rome_code: str | None = None,
        commune: str | None = None,
        created_at: datetime | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Generate a realistic offer (dated now by default), add it and return it.

        ``fields`` override top-level offer fields (e.g. ``intitule="Serveur (H/F)"``).
        Deterministic for a given emulator seed and call order.
        """
        self._new_offer_count += 1
        rng = random.Random(f"{self.config.seed}:new:{self._new_offer_count}")
        offer = ft_dataset.generate_offer(
            rng,
            created=(created_at or self.now()).astimezone(UTC),
            rome_code=rome_code,
            commune=commune,
            used_ids={str(o.get("id")) for o in self.offers},
            data_dir=self.config.data_dir,
        )
        offer.update(fields)
        self.add_offer(offer)
        return offer

    def remove_offer(self, offer_id: str) -> bool:
        before = len(self.offers)
        self.offers[:] = [o for o in self.offers if o.get("id") != offer_id]
        self._info_cache.pop(offer_id, None)
        self._text_cache.pop(offer_id, None)
        return len(self.offers) != before

    def clear_offers(self) -> None:
        self.offers.clear()
        self._info_cache.clear()
        self._text_cache.clear()

    def get_offer(self, offer_id: str) -> dict[str, Any] | None:
        return next((o for o in self.offers if o.get("id") == offer_id), None)

    async def wait_until(self, predicate: Callable[[Stats], bool]) -> None:
        """Wait until ``predicate(emu.stats)`` holds (checked after every request event).

        Wrap it in ``asyncio.timeout(...)``. Lets tests synchronise without sleeping.
        """
        async with self._changed:
            await self._changed.wait_for(lambda: predicate(self.stats))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def issue_token(
        self, scopes: Iterable[str] = KNOWN_SCOPES, client_id: str | None = None
    ) -> str:
        """A valid token without an HTTP round trip (not counted in stats)."""
        return self._new_token(client_id or self.client_id, frozenset(scopes))

    # ---- app -----------------------------------------------------------------------------------
    def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_route("*", "/connexion/oauth2/access_token", self._token)
        base = "/partenaire/offresdemploi/v2"
        r.add_get(f"{base}/offres/search", self._search)
        r.add_get(f"{base}/offres/{{id}}", self._detail)
        r.add_get(f"{base}/referentiel/{{name}}", self._referentiel)
        metiers = "/partenaire/rome-metiers/v1/metiers"
        r.add_get(f"{metiers}/metier", self._rome_metiers)
        r.add_get(f"{metiers}/metier/{{code}}", self._rome_metier)
        r.add_get(f"{metiers}/appellation", self._rome_appellations)
        r.add_get(f"{metiers}/appellation/requete", self._rome_appellation_search)
        r.add_get(f"{metiers}/appellation/{{code}}", self._rome_appellation)
        fiches = "/partenaire/rome-fiches-metiers/v1/fiches-rome/fiche-metier"
        r.add_get(fiches, self._rome_fiches)
        r.add_get(f"{fiches}/{{code}}", self._rome_fiche)
        r.add_post("/partenaire/matchviasoftskills/v1/professions/job_skills", self._softskills)
        return app

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        arrived = time.monotonic()
        endpoint, api = _endpoint_of(request.method, request.path)
        self.stats.record_arrival(endpoint, api, arrived)
        await self._notify()
        try:
            response = await self._dispatch(request, handler, endpoint, api, arrived)
        except web.HTTPException as exc:  # e.g. 405 from the router
            self.stats.responses[(endpoint, exc.status)] += 1
            raise
        self.stats.responses[(endpoint, response.status)] += 1
        await self._notify()
        return response

    async def _dispatch(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        endpoint: str,
        api: str | None,
        arrived: float,
    ) -> web.StreamResponse:
        if self.faults.latency > 0:
            await self._wait(self.faults.latency)
        if endpoint == "token":
            self.stats.token_requests += 1
            fault = self.faults.take(endpoint, None)
            if fault is not None:
                return await self._fault_response(request, fault, endpoint)
            return await handler(request)
        if not request.path.startswith("/partenaire/"):
            return web.Response(status=404)
        # The gateway checks the token before routing, even for paths that do not exist.
        token = self._token_of(request)
        if token is None:
            return _unauthorized()
        scope = _scope_for(request.path)
        if scope is None or api is None:
            return web.Response(status=404)
        if scope not in token.scopes:
            return _json({"message": "Invalid scope", "codeHttp": 403}, status=403)
        headers = {}
        rate = self.config.rate_limits.get(api, math.inf)
        if self.config.enforce_rate_limits and math.isfinite(rate) and rate > 0:
            bucket = self._bucket(token.client_id, api)
            allowed = bucket.take(arrived)
            headers = {
                "X-RateLimit-Limit": f"{rate:g}",
                "X-RateLimit-Remaining": str(max(0, math.floor(bucket.tokens))),
            }
            if not allowed:
                self.stats.rate_limited += 1
                self.stats.rate_limited_by_api[api] += 1
                return self._too_many(headers)
        self.stats.record_accepted(api, arrived)
        selector = None
        if api == "rome" and "champs" in request.query:
            try:
                selector = parse_champs(request.query["champs"])
            except ValueError:
                return _ft_error(400, MSG_CHAMPS)
        fault = self.faults.take(endpoint, api)
        if fault is not None:
            response = await self._fault_response(request, fault, endpoint)
        else:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                if exc.status == 405:
                    raise
                response = web.Response(status=exc.status)
            if selector is not None and response.status == 200:
                response = _select_response(response, selector, endpoint)
        for key, value in headers.items():
            response.headers.setdefault(key, value)
        return response

    def _too_many(self, headers: Mapping[str, str]) -> web.Response:
        return web.Response(
            status=429,
            text="Too Many Requests",
            content_type="text/plain",
            headers={**headers, "Retry-After": str(self.config.retry_after)},
        )

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)

    async def _fault_response(
        self, request: web.Request, kind: FaultKind, endpoint: str
    ) -> web.StreamResponse:
        self.stats.faults_injected[str(kind)] += 1
        await self._notify()
        if kind == "timeout":
            await self._wait(self.config.timeout_fault_seconds)
            return web.Response(status=504, text="Gateway Timeout", content_type="text/plain")
        if kind == "malformed":
            truncated = '{"resultats": [{"id": "12' if endpoint != "token" else '{"access_token": "'
            return web.Response(
                status=200, body=truncated.encode(), content_type="application/json"
            )
        if kind == "disconnect":
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        status = int(kind)
        if status == 401:
            return _unauthorized()
        if status == 429:
            return self._too_many({})
        if endpoint == "token":
            return _json({"error": "server_error", "error_description": "Erreur technique"}, status)
        if status in (502, 503):
            text = "Bad Gateway" if status == 502 else "Service Unavailable"
            return web.Response(status=status, text=text, content_type="text/plain")
        return _json({"message": "Erreur technique (faute injectée)", "codeHttp": status}, status)

    # ---- auth ------------------------------------------------------------------------------------
    def _new_token(self, client_id: str, scopes: frozenset[str]) -> str:
        value = secrets.token_urlsafe(20)[:27]
        issued = time.monotonic()
        self._tokens[value] = _Token(
            client_id, scopes, self.faults.token_generation, issued + self.config.token_ttl
        )
        self.stats.tokens_issued += 1
        return value

    def _token_of(self, request: web.Request) -> _Token | None:
        header = request.headers.get("Authorization", "")
        kind, _, value = header.partition(" ")
        if kind.lower() != "bearer" or not value.strip():
            return None
        token = self._tokens.get(value.strip())
        now = time.monotonic()
        if (
            token is None
            or now >= token.expires
            or token.generation != self.faults.token_generation
        ):
            return None
        return token

    def _bucket(self, client_id: str, api: str) -> _Bucket:
        key = (client_id, api)
        rate, burst = self.config.rate_limits[api], self.config.burst_for(api)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(rate, burst)
        elif (bucket.rate, bucket.burst) != (rate, burst):  # config changed at run time
            bucket.rate, bucket.burst = rate, burst
            bucket.tokens = min(bucket.tokens, burst)
        return bucket

    async def _token(self, request: web.Request) -> web.Response:
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST"})
        realm = request.query.get("realm")
        if realm not in ACCEPTED_REALMS:
            return _json(
                {"error": "invalid_request", "error_description": "Invalid realm"}, status=400
            )
        form: dict[str, str] = {}
        body = await request.text()
        if body:
            form.update(parse_qsl(body, keep_blank_values=True))
        fields = {**{k: v for k, v in request.query.items() if k != "realm"}, **form}
        client_id, secret = fields.get("client_id"), fields.get("client_secret")
        basic = request.headers.get("Authorization", "")
        if not client_id and basic.lower().startswith("basic "):
            import base64

            with contextlib.suppress(ValueError):
                decoded = base64.b64decode(basic[6:]).decode()
                client_id, _, secret = decoded.partition(":")
        if not client_id or self.clients.get(client_id) != secret:
            return _json(
                {"error": "invalid_client", "error_description": "Client authentication failed"},
                status=400,
            )
        if fields.get("grant_type") != "client_credentials":
            return _json(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Grant type is not supported",
                },
                status=400,
            )
        requested = [s for s in fields.get("scope", "").split() if s]
        allowed = (self.config.client_scopes or {}).get(client_id, KNOWN_SCOPES)
        bad = [
            s
            for s in requested
            if s != f"application_{client_id}" and (s not in KNOWN_SCOPES or s not in allowed)
        ]
        if bad:
            return _json(
                {
                    "error": "invalid_scope",
                    "error_description": f"Unknown/invalid scope(s): [{', '.join(bad)}]",
                },
                status=400,
            )
        granted = frozenset(requested)
        token = self._new_token(client_id, granted)
        return _json(
            {
                "access_token": token,
                "scope": " ".join(requested),
                "token_type": "Bearer",
                "expires_in": int(self.config.token_ttl),
            }
        )

    # ---- offers: search ----------------------------------------------------------------------
    def _texts(self, offer: Mapping[str, Any]) -> tuple[str, str]:
        """Normalised (title, title + description), cached per offer (only keyword searches)."""
        offer_id = str(offer.get("id"))
        cached = self._text_cache.get(offer_id)
        if cached is not None and cached[0] == id(offer):
            return cached[1], cached[2]
        title = normalize_text(str(offer.get("intitule") or ""))
        full = title + "\n" + normalize_text(str(offer.get("description") or ""))
        self._text_cache[offer_id] = (id(offer), title, full)
        return title, full

    def _info(self, offer: Mapping[str, Any]) -> _OfferInfo:
        """Derived values used by filters and facets, cached per offer (dict identity)."""
        offer_id = str(offer.get("id"))
        cached = self._info_cache.get(offer_id)
        if cached is not None and cached.ident == id(offer):
            return cached
        info = _OfferInfo(
            ident=id(offer),
            experience=_experience_bucket(offer),
            qualification=_qualification_bucket(offer),
            nature=_nature_code(offer),
            created=parse_ft_datetime(str(offer.get("dateCreation") or "")),
            departement=self._commune_dept(offer),
        )
        self._info_cache[offer_id] = info
        return info

    def _commune_dept(self, offer: Mapping[str, Any]) -> str | None:
        place = offer.get("lieuTravail") or {}
        commune = self._refs.communes.get(str(place.get("commune") or ""))
        if commune:
            return commune["departement"]
        label = str(place.get("libelle") or "")
        return label.split(" - ", 1)[0].strip() if " - " in label else None

    def _area_matcher(
        self, communes: list[str], distance: int
    ) -> Callable[[Mapping[str, Any]], float | None]:
        """Returns a function giving the distance (km) of an offer to the area, or None if out."""
        areas = []
        for code in communes:
            members = {code, *self._refs.children.get(code, ())}
            centre = self._refs.commune_centre(code)
            dept = self._refs.communes[code]["departement"]
            areas.append((members, centre, dept))

        def match(offer: Mapping[str, Any]) -> float | None:
            place = offer.get("lieuTravail") or {}
            commune = str(place.get("commune") or "")
            lat, lon = place.get("latitude"), place.get("longitude")
            best: float | None = None
            for members, centre, dept in areas:
                dist: float | None = None
                if (
                    centre is not None
                    and isinstance(lat, int | float)
                    and isinstance(lon, int | float)
                ):
                    d = haversine_km(centre[0], centre[1], float(lat), float(lon))
                    if commune in members or (distance > 0 and d <= distance):
                        dist = d
                elif commune in members:
                    dist = 0.0
                elif centre is None and distance >= 50 and self._commune_dept(offer) == dept:
                    dist = float(distance)  # unknown centre: widened to the département
                if dist is not None and (best is None or dist < best):
                    best = dist
            return best

        return match

    def _parse_search(self, q: Mapping[str, str]) -> dict[str, Any]:
        crit: dict[str, Any] = {}
        raw_range = q.get("range", "0-149")
        m = RANGE_RE.match(raw_range)
        if not m or int(m.group(1)) > int(m.group(2)):
            raise _BadRequest(MSG_RANGE_FORMAT)
        start, end = int(m.group(1)), int(m.group(2))
        if end - start + 1 > self.config.max_width:
            raise _BadRequest(MSG_RANGE_TOO_WIDE)
        if start > self.config.max_start:
            raise _BadRequest(MSG_RANGE_START.format(max_start=self.config.max_start))
        if end > self.config.max_end:
            raise _BadRequest(MSG_RANGE_END.format(max_end=self.config.max_end))
        crit["range"] = (start, end)
        sort = q.get("sort", "0")
        if sort not in {"0", "1", "2"}:
            raise _BadRequest(MSG_VALUE.format(name="sort"))
        crit["sort"] = int(sort)
        if "motsCles" in q:
            terms = _split(q["motsCles"])
            if not terms or len(terms) > 7 or any(len(t) < 2 for t in terms):
                raise _BadRequest(MSG_MOTS_CLES)
            crit["keywords"] = [
                [
                    (w, re.compile(r"\b" + re.escape(w)))
                    for w in re.split(r"[\s\-']+", normalize_text(t))
                    if w
                ]
                for t in terms
            ]
        if "codeROME" in q:
            codes = _split(q["codeROME"])
            if not codes or len(codes) > 200 or not all(ROME_CODE_RE.match(c) for c in codes):
                raise _BadRequest(MSG_VALUE.format(name="codeROME"))
            crit["rome"] = set(codes)
        if "appellation" in q:
            codes = _split(q["appellation"])
            if not codes or not all(c.isdigit() for c in codes):
                raise _BadRequest(MSG_VALUE.format(name="appellation"))
            labels = {self._refs.appellations[c][0] for c in codes if c in self._refs.appellations}
            crit["appellation"] = labels
        if "commune" in q:
            codes = _split(q["commune"])
            if not codes or len(codes) > 5 or any(c not in self._refs.communes for c in codes):
                raise _BadRequest(MSG_VALUE.format(name="commune"))
            raw = q.get("distance", "10")
            if not raw.isdigit():
                raise _BadRequest(MSG_FORMAT.format(name="distance"))
            crit["area"] = self._area_matcher(codes, int(raw))
        if "departement" in q:
            codes = _split(q["departement"])
            if not codes or len(codes) > 5 or any(c not in self._refs.departements for c in codes):
                raise _BadRequest(MSG_VALUE.format(name="departement"))
            crit["departements"] = set(codes)
        if "region" in q:
            code = q["region"].strip()
            if code not in self._refs.regions:
                raise _BadRequest(MSG_VALUE.format(name="region"))
            crit["region"] = {d for d, v in self._refs.departements.items() if v["region"] == code}
        known_types = {t["code"] for t in ft_dataset.sandbox_referentials()["typesContrats"]}
        known_natures = {t["code"] for t in ft_dataset.sandbox_referentials()["naturesContrats"]}
        if "typeContrat" in q:
            codes = _split(q["typeContrat"])
            if not codes or any(c not in known_types for c in codes):
                raise _BadRequest(MSG_VALUE.format(name="typeContrat"))
            crit["types"] = set(codes)
        if "natureContrat" in q:
            codes = _split(q["natureContrat"])
            if not codes or any(c not in known_natures for c in codes):
                raise _BadRequest(MSG_VALUE.format(name="natureContrat"))
            crit["natures"] = set(codes)
        if "experienceExigence" in q:
            codes = _split(q["experienceExigence"])
            if not codes or any(c not in {"D", "S", "E"} for c in codes):
                raise _BadRequest(MSG_EXPERIENCE_EXIGENCE)
            crit["exigence"] = set(codes)
        if "experience" in q:
            codes = _split(q["experience"])
            if not codes or any(c not in {"0", "1", "2", "3"} for c in codes):
                raise _BadRequest(MSG_VALUE.format(name="experience"))
            crit["experience"] = set(codes)
        if "qualification" in q:
            code = q["qualification"].strip()
            if code not in {"0", "9"}:
                raise _BadRequest(MSG_VALUE.format(name="qualification"))
            crit["qualification"] = code
        if "tempsPlein" in q:
            value = q["tempsPlein"].strip().lower()
            if value not in {"true", "false"}:
                raise _BadRequest(MSG_TEMPS_PLEIN)
            crit["full_time"] = value == "true"
        for name, key in (("minCreationDate", "min_date"), ("maxCreationDate", "max_date")):
            if name in q:
                value = q[name].strip()
                parsed = parse_ft_datetime(value) if CREATION_DATE_RE.match(value) else None
                if parsed is None:
                    raise _BadRequest(MSG_FORMAT.format(name=name))
                crit[key] = parsed
        if "publieeDepuis" in q:
            raw = q["publieeDepuis"].strip()
            if not raw.isdigit() or int(raw) not in PUBLIEE_DEPUIS:
                raise _BadRequest(MSG_VALUE.format(name="publieeDepuis"))
            crit["since"] = self.now() - timedelta(days=int(raw))
        crit.update(self._parse_secondary(q))
        return crit

    @staticmethod
    def _parse_secondary(q: Mapping[str, str]) -> dict[str, Any]:
        """Sector, domain, origin and boolean filters (less used; same validation style)."""
        crit: dict[str, Any] = {}
        if "secteurActivite" in q:
            codes = _split(q["secteurActivite"])
            if not codes or len(codes) > 2 or not all(re.fullmatch(r"\d{2}", c) for c in codes):
                raise _BadRequest(MSG_VALUE.format(name="secteurActivite"))
            crit["sectors"] = set(codes)
        if "codeNAF" in q:
            codes = _split(q["codeNAF"])
            if not codes or len(codes) > 2 or not all(NAF_RE.match(c) for c in codes):
                raise _BadRequest(MSG_FORMAT.format(name="codeNAF"))
            crit["naf"] = set(codes)
        if "grandDomaine" in q:
            code = q["grandDomaine"].strip()
            if code not in GRANDS_DOMAINES:
                raise _BadRequest(MSG_GRAND_DOMAINE)
            crit["rome_prefix"] = code
        if "domaine" in q:
            code = q["domaine"].strip()
            if not re.fullmatch(r"[A-N]\d{2}", code):
                raise _BadRequest(MSG_VALUE.format(name="domaine"))
            crit["rome_prefix"] = code
        if "origineOffre" in q:
            code = q["origineOffre"].strip()
            if code not in {"1", "2"}:
                raise _BadRequest(MSG_VALUE.format(name="origineOffre"))
            crit["origin"] = code
        if "dureeHebdo" in q:
            code = q["dureeHebdo"].strip()
            if code not in {"0", "1", "2"}:
                raise _BadRequest(MSG_VALUE.format(name="dureeHebdo"))
            if code != "0":
                crit["full_time"] = code == "1"
        for name, key in BOOLEAN_FILTERS.items():
            if name in q:
                value = q[name].strip().lower()
                if value not in {"true", "false"}:
                    raise _BadRequest(f"Format du paramètre « {name} » incorrect. Booléen attendu.")
                if value == "true":  # false means "no filter" on the live API
                    crit.setdefault("flags", []).append(key)
        return crit

    def _matches(
        self, offer: Mapping[str, Any], crit: Mapping[str, Any]
    ) -> tuple[bool, float, float]:
        """(matches, relevance, distance)."""
        relevance, distance = 0.0, math.inf
        info = self._info(offer)
        if "rome" in crit and offer.get("romeCode") not in crit["rome"]:
            return False, 0, 0
        if "appellation" in crit and offer.get("appellationlibelle") not in crit["appellation"]:
            return False, 0, 0
        if "types" in crit or "natures" in crit:
            ok = offer.get("typeContrat") in crit.get("types", ()) or (
                info.nature in crit.get("natures", ())
            )
            if not ok:
                return False, 0, 0
        if "exigence" in crit and offer.get("experienceExige") not in crit["exigence"]:
            return False, 0, 0
        if "experience" in crit and info.experience not in crit["experience"]:
            return False, 0, 0
        if "qualification" in crit and info.qualification != crit["qualification"]:
            return False, 0, 0
        if "full_time" in crit:
            # offers that do not say which (some real ones) match neither value
            wanted = "Temps plein" if crit["full_time"] else "Temps partiel"
            if offer.get("dureeTravailLibelleConverti") != wanted:
                return False, 0, 0
        if "min_date" in crit or "max_date" in crit or "since" in crit:
            created = info.created
            if created is None:
                return False, 0, 0
            if "min_date" in crit and created < crit["min_date"]:
                return False, 0, 0
            if "max_date" in crit and created > crit["max_date"]:
                return False, 0, 0
            if "since" in crit and created < crit["since"]:
                return False, 0, 0
        if "departements" in crit or "region" in crit:
            dept = info.departement
            if "departements" in crit and dept not in crit["departements"]:
                return False, 0, 0
            if "region" in crit and dept not in crit["region"]:
                return False, 0, 0
        if "sectors" in crit and offer.get("secteurActivite") not in crit["sectors"]:
            return False, 0, 0
        if "naf" in crit and offer.get("codeNAF") not in crit["naf"]:
            return False, 0, 0
        if "rome_prefix" in crit and not str(offer.get("romeCode") or "").startswith(
            crit["rome_prefix"]
        ):
            return False, 0, 0
        if "origin" in crit and (offer.get("origineOffre") or {}).get("origine") != crit["origin"]:
            return False, 0, 0
        for flag in crit.get("flags", ()):
            if not _flag(offer, flag):
                return False, 0, 0
        if "area" in crit:
            d = crit["area"](offer)
            if d is None:
                return False, 0, 0
            distance = d
        if "keywords" in crit:
            title, text = self._texts(offer)
            for words in crit["keywords"]:
                for word, pattern in words:
                    # substring test first: cheap, and rules out most offers
                    if word not in text or not pattern.search(text):
                        return False, 0, 0
                    relevance += 3.0 if pattern.search(title) else 1.0
        return True, relevance, distance

    def _search_results(self, crit: Mapping[str, Any]) -> list[dict[str, Any]]:
        scored = []
        for offer in self.offers:
            ok, relevance, distance = self._matches(offer, crit)
            if ok:
                scored.append((offer, relevance, distance, str(offer.get("dateCreation") or "")))
        sort = crit.get("sort", 0)
        # Python sorts are stable: apply the keys from the least to the most significant.
        if sort == 1:
            scored.sort(key=lambda t: (-t[1], t[2]))
            scored.sort(key=lambda t: t[3], reverse=True)
        elif sort == 2:
            scored.sort(key=lambda t: t[3], reverse=True)
            scored.sort(key=lambda t: (t[2], -t[1]))
        else:
            scored.sort(key=lambda t: t[3], reverse=True)
            scored.sort(key=lambda t: (-t[1], t[2]))
        return [t[0] for t in scored]

    def _facets(self, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        extractors: tuple[tuple[str, Callable[[Mapping[str, Any]], str | None]], ...] = (
            ("typeContrat", lambda o: o.get("typeContrat")),
            ("experience", lambda o: self._info(o).experience),
            ("qualification", lambda o: self._info(o).qualification),
            ("natureContrat", lambda o: self._info(o).nature),
        )
        facets = []
        for name, extract in extractors:
            counts: collections.Counter[str] = collections.Counter()
            for offer in results:
                value = extract(offer)
                if value:
                    counts[str(value)] += 1
            facets.append(
                {
                    "filtre": name,
                    "agregation": [
                        {"valeurPossible": v, "nbResultats": n} for v, n in sorted(counts.items())
                    ],
                }
            )
        return facets

    async def _search(self, request: web.Request) -> web.Response:
        try:
            crit = self._parse_search(request.query)
        except _BadRequest as exc:
            return _bad_request(exc.message)
        results = self._search_results(crit)
        total = len(results)
        start, end = crit["range"]
        if total == 0 or start >= total:
            status = 204 if total == 0 else self.config.beyond_total_status
            if status == 204:
                return web.Response(status=204)
            return _json({"resultats": [], "filtresPossibles": self._facets(results)})
        last = min(end, total - 1)
        body = {"resultats": results[start : last + 1], "filtresPossibles": self._facets(results)}
        headers = {
            "Content-Range": f"offres {start}-{last}/{total}",
            "Accept-Range": str(self.config.max_width),  # as recorded live: "150"
        }
        return _json(body, status=206 if last < total - 1 else 200, headers=headers)

    # ---- offers: detail and referentials -----------------------------------------------------
    async def _detail(self, request: web.Request) -> web.Response:
        offer_id = request.match_info["id"]
        if not OFFER_ID_RE.match(offer_id):
            return _bad_request(MSG_OFFER_ID)
        offer = self.get_offer(offer_id)
        if offer is None:
            if self.config.missing_offer_status == 204:
                return web.Response(status=204)
            return _bad_request(MSG_OFFER_ID)
        return _json(offer)

    def _referentiel_items(self, name: str) -> list[dict[str, Any]] | None:
        refs = self._refs
        extra = ft_dataset.sandbox_referentials()
        if name == "metiers":
            return [{"code": j["code"], "libelle": j["label"]} for j in refs.rome["jobs"]]
        if name == "appellations":
            return [{"code": c, "libelle": v[0]} for c, v in sorted(refs.appellations.items())]
        if name == "communes":
            out = []
            for c in refs.communes.values():
                if c.get("kind") not in {"commune", "arrondissement"}:
                    continue
                out.append(
                    {
                        "code": c["insee"],
                        "libelle": _ft_commune_label(c),
                        "codePostal": c["postal_codes"][0] if c["postal_codes"] else None,
                        "codeDepartement": c["departement"],
                    }
                )
            return out
        if name == "departements":
            return [
                {
                    "code": code,
                    "libelle": d["name"],
                    "region": {"code": d["region"], "libelle": refs.regions.get(d["region"])},
                }
                for code, d in sorted(refs.departements.items())
            ]
        if name == "regions":
            return [{"code": c, "libelle": v} for c, v in sorted(refs.regions.items())]
        if name == "typesContrats":
            return list(extra["typesContrats"])
        if name == "naturesContrats":
            return list(extra["naturesContrats"])
        if name == "domaines":
            return [
                {"code": c, "libelle": v}
                for c, v in sorted(refs.rome["domains"].items())
                if len(c) == 3
            ]
        return None

    async def _referentiel(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        cached = self._referentiel_cache.get(name)
        if cached is None:
            items = self._referentiel_items(name)
            if items is None:
                return _ft_error(404, f"Le référentiel « {name} » n'existe pas.")
            cached = (json.dumps(items, ensure_ascii=False).encode("utf-8"), len(items))
            self._referentiel_cache[name] = cached  # static data: build and encode once
        body, count = cached
        return web.Response(
            body=body,
            content_type="application/json",
            charset="utf-8",
            headers={"Content-Range": f"{name} */{count}"},
        )

    # ---- ROME 4.0 ----------------------------------------------------------------------------
    _TYPE_BY_KIND: ClassVar[dict[str, str]] = {
        "savoir-faire": "COMPETENCE-DETAILLEE",
        "savoir-etre": "SAVOIR-ETRE-PROFESSIONNEL",
        "savoir": "SAVOIR",
        "contexte": "CONTEXTE-TRAVAIL",
    }

    def _job(self, code: str) -> dict[str, Any] | None:
        return self._refs.jobs.get(code)

    def _skill_item(self, code: str) -> dict[str, Any] | None:
        skill = self._refs.skills.get(code)
        if skill is None:
            return None
        return {
            "type": self._TYPE_BY_KIND.get(skill[1], skill[1].upper()),
            "code": code,
            "libelle": skill[0],
        }

    def _domain(self, job: Mapping[str, Any]) -> dict[str, Any]:
        domain = str(job.get("domain") or job["code"][:3])
        return {
            "code": domain,
            "libelle": self._refs.rome["domains"].get(domain),
            "grandDomaine": {
                "code": domain[0],
                "libelle": self._refs.rome["domains"].get(domain[0]),
            },
        }

    def _appellation_obj(
        self, code: str, label: str, kind: str, job: Mapping[str, Any]
    ) -> dict[str, Any]:
        return {
            "code": code,
            "libelle": label,
            "libelleCourt": label,
            "classification": "PRINCIPALE" if kind == "P" else "SYNONYME",
            "metier": {"code": job["code"], "libelle": job["label"]},
        }

    def _metier(self, job: Mapping[str, Any]) -> dict[str, Any]:
        skills = [(c, core) for c, core in job["skills"] if c in self._refs.skills]
        items = [self._skill_item(c) for c, _ in skills]
        core = [self._skill_item(c) for c, is_core in skills if is_core]
        contexts = [i for i in items if i and i["type"] == "CONTEXTE-TRAVAIL"]
        return {
            "code": job["code"],
            "libelle": job["label"],
            "appellations": [
                self._appellation_obj(c, label, kind, job) for c, label, kind in job["titles"]
            ],
            "domaineProfessionnel": self._domain(job),
            "competencesMobilisees": [i for i in items if i and i["type"] != "CONTEXTE-TRAVAIL"],
            "competencesMobiliseesPrincipales": [i for i in core if i],
            "contextesTravail": contexts,
            "mobilites": [
                {"metierCible": {"code": c, "libelle": self._refs.jobs[c]["label"]}}
                for c in job.get("mobility", [])
                if c in self._refs.jobs
            ],
            "obsolete": False,
        }

    @staticmethod
    def _not_found(what: str) -> web.Response:
        return _json({"message": f"{what} introuvable", "codeHttp": 404}, status=404)

    async def _rome_metiers(self, request: web.Request) -> web.Response:
        return _json([{"code": j["code"], "libelle": j["label"]} for j in self._refs.rome["jobs"]])

    async def _rome_metier(self, request: web.Request) -> web.Response:
        job = self._job(request.match_info["code"])
        if job is None:
            return self._not_found("Métier")
        return _json(self._metier(job))

    async def _rome_appellations(self, request: web.Request) -> web.Response:
        return _json(
            [
                {"code": c, "libelle": label, "metier": {"code": rome}}
                for c, (label, rome, _) in sorted(self._refs.appellations.items())
            ]
        )

    async def _rome_appellation(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        found = self._refs.appellations.get(code)
        if found is None:
            return self._not_found("Appellation")
        label, rome, kind = found
        return _json(self._appellation_obj(code, label, kind, self._refs.jobs[rome]))

    async def _rome_appellation_search(self, request: web.Request) -> web.Response:
        q = request.query.get("q", "").strip()
        if not q:
            return _ft_error(400, "Le paramètre « q » est obligatoire.")
        words = [w for w in re.split(r"[\s\-'/]+", normalize_text(q)) if w]
        patterns = [re.compile(r"\b" + re.escape(w)) for w in words]
        if self._appellation_index is None:
            self._appellation_index = [
                (code, label, rome, kind, normalize_text(label))
                for code, (label, rome, kind) in sorted(self._refs.appellations.items())
            ]
        results = []
        for code, label, rome, kind, norm in self._appellation_index:
            if all(w in norm for w in words) and all(p.search(norm) for p in patterns):
                results.append((kind != "P", len(label), code, label, rome, kind))
        results.sort()
        return _json(
            {
                "totalResultats": len(results),
                "requete": q,
                "resultats": [
                    self._appellation_obj(code, label, kind, self._refs.jobs[rome])
                    for _, _, code, label, rome, kind in results[:20]
                ],
            }
        )

    def _fiche(self, job: Mapping[str, Any]) -> dict[str, Any]:
        groups: dict[str, list[dict[str, Any]]] = {"core": [], "other": [], "etre": []}
        savoirs: list[dict[str, Any]] = []
        for code, core in job["skills"]:
            item = self._skill_item(code)
            if item is None:
                continue
            kind = self._refs.skills[code][1]
            if kind == "savoir-faire":
                groups["core" if core else "other"].append(item)
            elif kind == "savoir-etre":
                groups["etre"].append({**item, "type": "MACRO-SAVOIR-ETRE-PROFESSIONNEL"})
            elif kind == "savoir":
                savoirs.append(item)
        enjeux = (
            ("core", "ENJ-CORE", "Compétences cœur de métier"),
            ("other", "ENJ-OTHER", "Autres compétences mobilisées"),
            ("etre", "ENJ-SAVOIR-ETRE", "Savoir-être professionnels"),
        )
        return {
            "code": job["code"],
            "metier": {"code": job["code"], "libelle": job["label"]},
            "groupesCompetencesMobilisees": [
                {"enjeu": {"code": code, "libelle": label}, "competences": groups[key]}
                for key, code, label in enjeux
                if groups[key]
            ],
            "groupesSavoirs": (
                [
                    {
                        "categorieSavoirs": {"code": "CAT-SAVOIRS", "libelle": "Savoirs"},
                        "savoirs": savoirs,
                    }
                ]
                if savoirs
                else []
            ),
            "obsolete": False,
        }

    async def _rome_fiches(self, request: web.Request) -> web.Response:
        return _json(
            [
                {"code": j["code"], "metier": {"code": j["code"], "libelle": j["label"]}}
                for j in self._refs.rome["jobs"]
            ]
        )

    async def _rome_fiche(self, request: web.Request) -> web.Response:
        job = self._job(request.match_info["code"])
        if job is None:
            return self._not_found("Fiche métier")
        return _json(self._fiche(job))

    # ---- soft skills -------------------------------------------------------------------------
    async def _softskills(self, request: web.Request) -> web.Response:
        code = request.query.get("code")
        if not code:
            form = await request.post()
            value = form.get("code")
            code = value if isinstance(value, str) else None
        if not code:
            return _ft_error(400, "Le paramètre « code » est obligatoire.")
        job = self._job(code)
        if job is None:
            return self._not_found("Code ROME")
        skills = {}
        for item in ft_dataset.soft_skill_labels():
            digest = hashlib.sha256(f"{code}:{item['key']}".encode()).digest()
            score = int.from_bytes(digest[:4], "big") / 0xFFFFFFFF
            skills[item["key"]] = {
                "score": round(score, 6),
                "summary": item["summary"],
                "details": item["details"],
            }
        ordered = dict(sorted(skills.items(), key=lambda kv: -kv[1]["score"]))
        return _json(
            {
                "uuid": str(uuid.uuid4()),
                "code": code,
                "create_at": format_ft_datetime(self.now()),
                "skills": ordered,
            }
        )


def _ft_commune_label(commune: Mapping[str, Any]) -> str:
    """``PARIS 01``, ``ST MARTIN DU BEC``: the upper-case style of ``referentiel/communes``."""
    name = str(commune["name"])
    arr = re.match(r"^(Paris|Lyon|Marseille) (\d+)(?:er|e) Arrondissement$", name)
    if arr:
        return f"{arr.group(1).upper()} {int(arr.group(2)):02d}"
    text = normalize_text(name).upper().replace("-", " ").replace("'", " ")
    text = re.sub(r"\bSAINTE\b", "STE", text)
    text = re.sub(r"\bSAINT\b", "ST", text)
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------------------------------
# standalone


async def _serve(args: argparse.Namespace) -> None:
    clients = {args.client_id: args.client_secret} if args.client_id else None
    config = EmulatorConfig(
        seed=args.seed,
        offer_count=args.offers,
        token_ttl=args.token_ttl,
        enforce_rate_limits=not args.no_rate_limit,
        clients=clients,
    )
    async with FranceTravailEmulator(config, host=args.host, port=args.port) as emu:
        print(f"France Travail emulator: {len(emu.offers)} offers (seed {args.seed})", flush=True)
        print(f"  FT_API_BASE_URL={emu.base_url}", flush=True)
        print(f"  FT_TOKEN_URL={emu.token_url}", flush=True)
        print(f"  FT_CLIENT_ID={emu.client_id}", flush=True)
        print(f"  FT_CLIENT_SECRET={emu.client_secret}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.france_travail", description="Local France Travail API emulator"
    )
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost", "::1"])
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--offers", type=int, default=3000, help="number of generated offers")
    parser.add_argument("--token-ttl", type=float, default=1499.0)
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument("--client-id", default=None)
    parser.add_argument("--client-secret", default=None)
    args = parser.parse_args(argv)
    if bool(args.client_id) != bool(args.client_secret):
        parser.error("--client-id and --client-secret go together")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
