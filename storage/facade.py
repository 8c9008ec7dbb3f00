"""The :class:`Storage` facade: one object offering every repository's methods.

Each repository (one table or concern, one module) subclasses :class:`storage.db.Database`, so
they all share the one engine and its transaction helpers; :class:`Storage` only composes them.
"""

from __future__ import annotations

from storage.alert_delivery import AlertDeliveryRepository
from storage.deliveries import DeliveryRepository
from storage.favourites import FavouriteRepository
from storage.feedback import FeedbackRepository
from storage.maintenance import MaintenanceRepository
from storage.monitoring import MonitoringRepository
from storage.offers import OfferRepository
from storage.privacy import PrivacyRepository
from storage.process_locks import ProcessLockRepository
from storage.profiles import ProfileRepository
from storage.ptb_tables import PtbTablesRepository
from storage.rate_slots import RateSlotRepository
from storage.saved_alerts import SavedAlertRepository
from storage.users import UserRepository


class Storage(
    UserRepository,
    ProfileRepository,
    DeliveryRepository,
    AlertDeliveryRepository,
    MonitoringRepository,
    FavouriteRepository,
    PrivacyRepository,
    PtbTablesRepository,
    OfferRepository,
    SavedAlertRepository,
    FeedbackRepository,
    RateSlotRepository,
    ProcessLockRepository,
    MaintenanceRepository,
):
    """Repository over one SQLite file or one PostgreSQL database (see ``Storage.open``).

    SQLite: one connection per instance, serialised by an :class:`asyncio.Lock` so tasks never
    interleave statements inside someone else's transaction. Every multi-row change runs in one
    ``BEGIN IMMEDIATE … COMMIT`` (IMMEDIATE takes the write lock up front, so two processes on
    the same file wait on ``busy_timeout`` instead of failing with a deadlock on upgrade).
    PostgreSQL: a pool of connections, one transaction per change, row locks where a change
    reads before it writes.
    """
