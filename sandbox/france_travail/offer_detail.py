"""``offres/{id}``: one offer by id (204 for an unknown well-formed id, as live)."""

from __future__ import annotations

import re

from aiohttp import web

from sandbox.france_travail.config import EmulatorConfig
from sandbox.france_travail.messages import MSG_OFFER_ID
from sandbox.france_travail.responses import bad_request, json_response

OFFER_ID_RE = re.compile(r"^[0-9A-Z]{7}$")


class OfferDetailRoutes:
    """Mixed into ``FranceTravailEmulator`` (which provides ``get_offer``)."""

    config: EmulatorConfig

    async def _detail(self, request: web.Request) -> web.Response:
        offer_id = request.match_info["id"]
        if not OFFER_ID_RE.match(offer_id):
            return bad_request(MSG_OFFER_ID)
        offer = self.get_offer(offer_id)
        if offer is None:
            if self.config.missing_offer_status == 204:
                return web.Response(status=204)
            return bad_request(MSG_OFFER_ID)
        return json_response(offer)
