"""``FranceTravailEmulator``: the aiohttp app on loopback, its lifecycle, the dataset helpers,
and the gateway middleware (stats, auth, scopes, rate limits, faults) in front of the routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.france_travail.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    KNOWN_SCOPES,
    EmulatorConfig,
)
from sandbox.france_travail.dataset import build_offers, generate_offer
from sandbox.france_travail.endpoints import endpoint_of, scope_for
from sandbox.france_travail.faults import FaultResponses, Faults
from sandbox.france_travail.field_selector import parse_champs, select_response
from sandbox.france_travail.growth import OfferGrowth
from sandbox.france_travail.labonneboite import LaBonneBoiteRoutes
from sandbox.france_travail.market import MarketRoutes
from sandbox.france_travail.messages import MSG_CHAMPS
from sandbox.france_travail.oauth import IssuedToken, TokenRoutes
from sandbox.france_travail.offer_detail import OfferDetailRoutes
from sandbox.france_travail.rate_limit import RateLimiting, TokenBucket
from sandbox.france_travail.referentials import (
    DEFAULT_REFERENTIAL_DIR,
    Referentials,
    load_referentials,
)
from sandbox.france_travail.referentiel import ReferentielRoutes
from sandbox.france_travail.responses import ft_error, json_response, unauthorized
from sandbox.france_travail.rome import RomeRoutes
from sandbox.france_travail.romeo import RomeoRoutes
from sandbox.france_travail.search import OfferInfo, OfferSearchRoutes
from sandbox.france_travail.soft_skills import SoftSkillsRoutes
from sandbox.france_travail.stats import Stats


class FranceTravailEmulator(
    TokenRoutes,
    RateLimiting,
    FaultResponses,
    OfferSearchRoutes,
    OfferDetailRoutes,
    ReferentielRoutes,
    RomeRoutes,
    SoftSkillsRoutes,
    LaBonneBoiteRoutes,
    MarketRoutes,
    RomeoRoutes,
    OfferGrowth,
):
    """The France Travail partner API on a loopback port. Use as an async context manager.

    The routes and gateway steps live in the mixins (one module each); this class holds the state
    they share, the app and its middleware.
    """

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
        self._refs: Referentials = load_referentials(
            Path(self.config.data_dir or DEFAULT_REFERENTIAL_DIR)
        )
        self._fixed_now = self.config.now.astimezone(UTC) if self.config.now else None
        self.offers: list[dict[str, Any]] = build_offers(
            self.config.seed,
            self.config.offer_count,
            self.now(),
            include_samples=self.config.include_samples,
            data_dir=self.config.data_dir,
        )
        self._new_offer_count = 0
        self._published_batches = 0
        self._rate_carry = 0.0
        self._referentiel_cache: dict[str, tuple[bytes, int]] = {}
        self._appellation_index: list[tuple[str, str, str, str, str]] | None = None
        self._tokens: dict[str, IssuedToken] = {}
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._info_cache: dict[str, OfferInfo] = {}
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
        offer = generate_offer(
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
        r.add_get("/partenaire/labonneboite/v2/recherche", self._labonneboite)
        stats = "/partenaire/stats-offres-demandes-emploi/v1/indicateur"
        r.add_post(f"{stats}/{{name}}", self._market_indicator)
        r.add_get(f"{stats}/salaire-rome-fap/{{kind}}/{{code}}", self._market_salary)
        r.add_post("/partenaire/romeo/v2/predictionMetiers", self._romeo_predict)
        return app

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        arrived = time.monotonic()
        endpoint, api = endpoint_of(request.method, request.path)
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
            return unauthorized()
        scope = scope_for(request.path)
        if scope is None or api is None:
            return web.Response(status=404)
        if scope not in token.scopes:
            return json_response({"message": "Invalid scope", "codeHttp": 403}, status=403)
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
                return ft_error(400, MSG_CHAMPS)
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
                response = select_response(response, selector, endpoint)
        for key, value in headers.items():
            response.headers.setdefault(key, value)
        return response

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)
