"""Where the client connects, which scopes and rates each API has, and the configuration error."""

from __future__ import annotations

from collections.abc import Iterable

from ft_client.errors import FTError

DEFAULT_API_BASE_URL = "https://api.francetravail.io/partenaire"
DEFAULT_TOKEN_URL = (
    "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire"  # noqa: S105
)

# The APIs this client calls, the scopes each needs, and the documented rates (calls/s).
API_SCOPES: dict[str, tuple[str, ...]] = {
    "offres": ("api_offresdemploiv2", "o2dsoffre"),
    "rome": ("api_rome-metiersv1", "api_rome-fiches-metiersv1", "nomenclatureRome"),
    "softskills": ("api_matchviasoftskillsv1",),
    "labonneboite": ("api_labonneboitev2",),
    "marche": ("api_stats-offres-demandes-emploiv1", "offresetdemandesemploi"),
    "romeo": ("api_romeov2",),
}
# Seed's table: offers 10/s, ROMEO 2/s, La Bonne Boîte 2/s, soft skills 1/s; ROME 1/s measured;
# Marché du travail 10/s comes from one third-party note only (a guess, keep it overridable).
DEFAULT_RATE_LIMITS: dict[str, float] = {
    "offres": 10.0,
    "rome": 1.0,
    "softskills": 1.0,
    "labonneboite": 2.0,
    "marche": 10.0,
    "romeo": 2.0,
}
# Services the application may not be subscribed to: a refused scope switches them off (the
# rest keeps working) and they are tried again after ``service_recheck_seconds``.
OPTIONAL_APIS: frozenset[str] = frozenset({"rome", "softskills", "labonneboite", "marche", "romeo"})

DEFAULT_MAX_START = 3000  # documented caps of `range=p-d` (older doc: 1000 / 1149)
DEFAULT_MAX_END = 3149


class FTConfigError(FTError, ValueError):
    """A missing or malformed configuration value (names the variable)."""


def _join_scopes(scopes: Iterable[str]) -> str:
    seen: dict[str, None] = {}
    for scope in scopes:
        for part in scope.split():
            seen.setdefault(part, None)
    return " ".join(seen)
