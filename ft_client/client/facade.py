""":class:`FranceTravailClient`: every France Travail API this bot uses, over one transport.

Layers, bottom up: ``base`` (settings, lifecycle, cache, optional services), ``auth`` (tokens,
refused scopes), ``transport`` (calls, retries, errors), then one module per API surface,
composed here: offers, referentials, ROME and soft skills, La Bonne Boîte, Marché du travail,
ROMEO.
"""

from __future__ import annotations

from ft_client.client.labonneboite import LaBonneBoiteApi
from ft_client.client.market import MarketApi
from ft_client.client.offers import OffersApi
from ft_client.client.referentials import ReferentialsApi
from ft_client.client.rome import RomeApi
from ft_client.client.romeo import RomeoApi


class FranceTravailClient(
    OffersApi, ReferentialsApi, RomeApi, LaBonneBoiteApi, MarketApi, RomeoApi
):
    """Async client of the France Travail partner APIs; use ``async with`` or ``aclose()``."""
