"""The :class:`Storage` facade: one object offering every repository's methods.

Each repository (one table or concern, one module) subclasses :class:`storage.db.Database`, so
they all share the one connection, lock and transaction helpers; :class:`Storage` only composes
them. A later move to another backend can replace one repository at a time.
"""

from __future__ import annotations

from storage.alert_delivery import AlertDeliveryRepository
from storage.favourites import FavouriteRepository
from storage.monitoring import MonitoringRepository
from storage.privacy import PrivacyRepository
from storage.profiles import ProfileRepository
from storage.ptb_tables import PtbTablesRepository
from storage.users import UserRepository


class Storage(
    UserRepository,
    ProfileRepository,
    AlertDeliveryRepository,
    MonitoringRepository,
    FavouriteRepository,
    PrivacyRepository,
    PtbTablesRepository,
):
    """Repository over one SQLite file.

    One aiosqlite connection per instance: aiosqlite runs every call on one worker thread, so
    access is serialised. An :class:`asyncio.Lock` additionally keeps tasks from interleaving
    statements inside someone else's transaction. Every multi-row change runs in one
    ``BEGIN IMMEDIATE … COMMIT`` (IMMEDIATE takes the write lock up front, so two processes on
    the same file wait on ``busy_timeout`` instead of failing with a deadlock on upgrade).
    """
