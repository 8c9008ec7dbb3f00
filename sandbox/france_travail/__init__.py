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

Layout (one concern per module):

- ``server``: ``FranceTravailEmulator``, the aiohttp app and the gateway middleware in front of
  the routes (stats, bearer token, scope, rate limit, faults, ``champs`` selection);
- ``config``: ``EmulatorConfig``, the sandbox client, the APIs with their scopes and rate limits;
- ``oauth``: the token endpoint; ``rate_limit``: token buckets and 429; ``faults``: fault
  injection; ``stats``: call counters; ``endpoints``: endpoint and scope of a path;
- routes: ``search_query`` (query validation) and ``search`` (``offres/search``),
  ``offer_detail``, ``referentiel``, ``rome`` (with ``field_selector`` for ``champs``),
  ``soft_skills``; ``messages``: the live 400 messages; ``responses``: response builders;
- data: ``referentials`` (the bundled referential files), ``offer_generator`` (one generated
  offer), ``dataset`` (the deterministic offer set), ``growth`` (the clock tests move and the
  offers published per hour), ``formats`` (text and date formats);
- ``cli``: ``python -m sandbox.france_travail``.

This package re-exports the names that tests, benchmarks and the demo import from it.
"""

from __future__ import annotations

from sandbox.france_travail.cli import main
from sandbox.france_travail.config import (
    ACCEPTED_REALMS,
    APIS,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_RATE_LIMITS,
    KNOWN_SCOPES,
    EmulatorConfig,
)
from sandbox.france_travail.faults import FaultKind, Faults
from sandbox.france_travail.field_selector import Selector, parse_champs, select_fields
from sandbox.france_travail.messages import (
    MSG_CHAMPS,
    MSG_EXPERIENCE_EXIGENCE,
    MSG_FORMAT,
    MSG_GRAND_DOMAINE,
    MSG_MOTS_CLES,
    MSG_OFFER_ID,
    MSG_RANGE_END,
    MSG_RANGE_FORMAT,
    MSG_RANGE_START,
    MSG_RANGE_TOO_WIDE,
    MSG_TEMPS_PLEIN,
    MSG_VALUE,
)
from sandbox.france_travail.server import FranceTravailEmulator
from sandbox.france_travail.stats import Stats

__all__ = [
    "ACCEPTED_REALMS",
    "APIS",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_RATE_LIMITS",
    "KNOWN_SCOPES",
    "MSG_CHAMPS",
    "MSG_EXPERIENCE_EXIGENCE",
    "MSG_FORMAT",
    "MSG_GRAND_DOMAINE",
    "MSG_MOTS_CLES",
    "MSG_OFFER_ID",
    "MSG_RANGE_END",
    "MSG_RANGE_FORMAT",
    "MSG_RANGE_START",
    "MSG_RANGE_TOO_WIDE",
    "MSG_TEMPS_PLEIN",
    "MSG_VALUE",
    "EmulatorConfig",
    "FaultKind",
    "Faults",
    "FranceTravailEmulator",
    "Selector",
    "Stats",
    "main",
    "parse_champs",
    "select_fields",
]
