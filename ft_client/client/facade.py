""":class:`FranceTravailClient`: the offers, referentials and ROME APIs over one transport.

Layers, bottom up: ``base`` (settings, lifecycle, cache), ``auth`` (tokens), ``transport``
(calls, retries, errors), then one module per API surface, composed here.
"""

from __future__ import annotations

from ft_client.client.offers import OffersApi
from ft_client.client.referentials import ReferentialsApi
from ft_client.client.rome import RomeApi


class FranceTravailClient(OffersApi, ReferentialsApi, RomeApi):
    """Async client of the France Travail partner APIs; use ``async with`` or ``aclose()``."""
