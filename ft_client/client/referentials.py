"""Offres d'emploi v2 referentials (contract types, communes…), cached."""

from __future__ import annotations

import re
from typing import Any

from ft_client.client.transport import Transport
from ft_client.models import CommuneEntry, ReferentialEntry

REFERENTIAL_NAME_RE = re.compile(r"^[a-zA-Z]{2,40}$")


class ReferentialsApi(Transport):
    """Read the referential lists of the offers API."""

    async def get_referential(self, name: str) -> list[ReferentialEntry]:
        """``/offresdemploi/v2/referentiel/{name}`` as ``{code, label}`` entries (cached)."""
        if not REFERENTIAL_NAME_RE.match(name or ""):
            raise ValueError(f"name: {name!r} is not a referential name (e.g. 'typesContrats')")
        items = await self._cached(f"referentiel:{name}", lambda: self._referential_raw(name))
        return [e for item in items if (e := ReferentialEntry.from_json(item)) is not None]

    async def list_communes(self) -> list[CommuneEntry]:
        """The ``communes`` referential (INSEE code, name, postal code, département)."""
        items = await self._cached(
            "referentiel:communes", lambda: self._referential_raw("communes")
        )
        return [c for item in items if (c := CommuneEntry.from_json(item)) is not None]

    async def _referential_raw(self, name: str) -> tuple[Any, ...]:
        endpoint = "referentiel"
        response = await self._call(
            "offres", endpoint, "GET", f"/offresdemploi/v2/referentiel/{name}", accept=(200, 206)
        )
        body = self._json(response, endpoint)
        if not isinstance(body, list):
            raise self._invalid(f"referential {name!r} is not a JSON array", response, endpoint)
        return tuple(body)
