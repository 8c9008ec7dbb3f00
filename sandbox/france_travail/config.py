"""Emulator settings: the sandbox client, the APIs with their scopes and rate limits, the config."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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
    "labonneboite": (("/partenaire/labonneboite/", "api_labonneboitev2"),),
    "marche": (
        ("/partenaire/stats-offres-demandes-emploi/", "api_stats-offres-demandes-emploiv1"),
    ),
    "romeo": (("/partenaire/romeo/", "api_romeov2"),),
}
# The seed's table (offers 10/s, ROMEO 2/s, La Bonne Boîte 2/s, soft skills 1/s); ROME measured;
# Marché du travail 10/s from one third-party note (a guess).
DEFAULT_RATE_LIMITS: Mapping[str, float] = {
    "offres": 10.0,
    "rome": 1.0,
    "softskills": 1.0,
    "labonneboite": 2.0,
    "marche": 10.0,
    "romeo": 2.0,
}
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
        "api_stats-offres-demandes-emploiv1",
        "offresetdemandesemploi",
    }
)
ACCEPTED_REALMS = frozenset({"/partenaire", "partenaire"})


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
    # offers published per hour of emulated time by ``advance_clock`` (France Travail publishes
    # some tens of thousands a day: 1 500/h is a realistic working-hours figure)
    new_offers_per_hour: float = 0.0

    def __post_init__(self) -> None:
        if self.new_offers_per_hour < 0:
            raise ValueError("new_offers_per_hour must not be negative")
        # APIs left out keep their documented default; float("inf") means unlimited.
        self.rate_limits = {**DEFAULT_RATE_LIMITS, **self.rate_limits}

    def burst_for(self, api: str) -> float:
        if isinstance(self.burst, int | float):
            return float(self.burst)
        if isinstance(self.burst, dict) and api in self.burst:
            return float(self.burst[api])
        return max(1.0, float(self.rate_limits.get(api, 1.0)))
