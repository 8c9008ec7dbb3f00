"""GDPR: erase (art. 17) or export (art. 15 and 20) everything stored about one user."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Row

from storage.clock import _now
from storage.connection import StatementRunner
from storage.db import LATEST_SCHEMA_VERSION, Database
from storage.feedback import FeedbackRepository
from storage.models import require_user_id
from storage.rows import _PROFILE_BY_ID, _profile_from_row, _user_from_row
from storage.saved_alerts import SavedAlert, SavedAlertRepository
from storage.schema import (
    favourites,
    offer_feedback,
    profile_alert_settings,
    profiles,
    ptb_chat_data,
    ptb_conversations,
    ptb_user_data,
    saved_alerts,
    sent_offers,
    users,
)
from storage.users import USER_COLUMNS


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


async def _own_conversations(db: StatementRunner, user_id: int) -> list[Row[Any]]:
    """``(name, key, state)`` of the person's own conversations, in any chat.

    PTB keys are ``[chat_id, user_id]`` (per chat and per user) or ``[chat_id]`` (per chat only,
    whose private chat id is the user id), stored as compact JSON: the last element names the
    person. LIKE narrows the rows portably (digits are no LIKE wildcards, no JSON functions
    needed) and the exact test, an int equal to the user id, is done on the parsed key.
    """
    c = ptb_conversations.c
    candidates = await db.execute(
        select(c.name, c.key, c.state).where(c.key.endswith(f"{user_id}]"))
    )
    return [row for row in candidates if _last_element_is(json.loads(row[1]), user_id)]


def _last_element_is(key: object, user_id: int) -> bool:
    # type() rather than isinstance(): JSON true must not pass for the user id 1.
    return isinstance(key, list) and bool(key) and type(key[-1]) is int and key[-1] == user_id


def _alert_json(alert: SavedAlert) -> dict[str, Any]:
    schedule = alert.schedule
    return {
        "alert_no": alert.alert_no,
        "label": alert.label,
        "criteria": {
            **{name: getattr(alert.criteria, name) for name in alert.criteria.__slots__},
            "rome_codes": list(alert.criteria.rome_codes),
            "contract_types": list(alert.criteria.contract_types),
        },
        "schedule": {
            "frequency": schedule.frequency.value,
            "time": schedule.at.strftime("%H:%M"),
            "weekday": schedule.weekday,
            "quiet_days": sorted(schedule.quiet_days),
            "paused_until": schedule.paused_until.isoformat() if schedule.paused_until else None,
            "enabled": schedule.enabled,
        },
        "filters": alert.filters.to_json(),
        "last_served_at": alert.last_served_at.isoformat() if alert.last_served_at else None,
        "created_at": alert.created_at.isoformat() if alert.created_at else None,
    }


class PrivacyRepository(SavedAlertRepository, FeedbackRepository, Database):
    """Delete or export every row about a user, persistence rows included."""

    async def delete_user(self, user_id: int) -> dict[str, int]:
        """Erase every row about the user in one transaction (GDPR art. 17).

        Profile, sent offers and favourites (which also cascade from ``users``) and the PTB
        persistence rows (user_data, the private chat's chat_data, the conversations whose key
        ends with the user, i.e. their own) are removed explicitly; other members' rows of a
        group chat they share are left alone. Returns rows deleted per table.
        A running Application keeps its in-memory copy: the bot must also call
        ``application.drop_user_data(user_id)`` / ``drop_chat_data(chat_id)``.
        """
        require_user_id(user_id)
        deleted: dict[str, int] = {}
        async with self._transaction() as db:
            for table in (
                saved_alerts,
                profile_alert_settings,
                offer_feedback,
                profiles,
                sent_offers,
                favourites,
                users,
                ptb_user_data,
            ):
                result = await db.execute(delete(table).where(table.c.user_id == user_id))
                deleted[table.name] = result.rowcount
            # A private chat's id is its user's id.
            result = await db.execute(
                delete(ptb_chat_data).where(ptb_chat_data.c.chat_id == user_id)
            )
            deleted["ptb_chat_data"] = result.rowcount
            removed = 0
            c = ptb_conversations.c
            for name, key, _state in await _own_conversations(db, user_id):
                result = await db.execute(
                    delete(ptb_conversations).where(c.name == name, c.key == key)
                )
                removed += result.rowcount
            deleted["ptb_conversations"] = removed
        return deleted

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user as a JSON-serialisable dict (GDPR art. 15 and 20).

        Read in one snapshot, so a concurrent change cannot produce a half-updated export.
        Lists are sorted here, not in SQL, so both backends give the same order.
        """
        require_user_id(user_id)
        # Saved alerts and feedback: read before the snapshot (the SQLite lock is not re-entrant).
        alerts = await self.list_saved_alerts(user_id)
        settings = (await self.profile_alert_settings_of([user_id])).get(user_id)
        feedback = await self.list_feedback(user_id)
        async with self._read_snapshot() as db:
            user_rows = (
                await db.execute(select(*USER_COLUMNS).where(users.c.user_id == user_id))
            ).all()
            profile_rows = (await db.execute(_PROFILE_BY_ID, {"user_id": user_id})).all()
            user = _user_from_row(user_rows[0]) if user_rows else None
            sent = (
                await db.execute(
                    select(sent_offers.c.offer_id, sent_offers.c.sent_at).where(
                        sent_offers.c.user_id == user_id
                    )
                )
            ).all()
            f = favourites.c
            favourite_rows = (
                await db.execute(
                    select(f.offer_id, f.title, f.company, f.place, f.url, f.saved_at).where(
                        f.user_id == user_id
                    )
                )
            ).all()
            user_data = (
                await db.execute(
                    select(ptb_user_data.c.data).where(ptb_user_data.c.user_id == user_id)
                )
            ).all()
            chat_data = (
                await db.execute(
                    select(ptb_chat_data.c.chat_id, ptb_chat_data.c.data).where(
                        ptb_chat_data.c.chat_id == user_id
                    )
                )
            ).all()
            conversations = await _own_conversations(db, user_id)
        sent = sorted(sent, key=lambda row: (row[1], row[0]))
        favourite_rows = sorted(favourite_rows, key=lambda row: (-row[5], row[0]))
        conversations = sorted(conversations, key=lambda row: (row[0], row[1]))
        profile = _profile_from_row(profile_rows[0]) if profile_rows else None
        return {
            "format": "ft-job-bot user export",
            "schema_version": LATEST_SCHEMA_VERSION,
            "exported_at": _now().isoformat(),
            "user": user.to_json() if user else None,
            "profile": profile.to_json() if profile else None,
            "sent_offers": [{"offer_id": row[0], "sent_at": _iso(row[1])} for row in sent],
            "favourites": [
                {
                    "offer_id": row[0],
                    "title": row[1],
                    "company": row[2],
                    "place": row[3],
                    "url": row[4],
                    "saved_at": _iso(row[5]),
                }
                for row in favourite_rows
            ],
            "saved_alerts": [_alert_json(alert) for alert in alerts],
            "profile_alert_settings": (
                {
                    "filters": settings.filters.to_json(),
                    "paused_until": (
                        settings.paused_until.isoformat() if settings.paused_until else None
                    ),
                }
                if settings
                else None
            ),
            "not_interested": [
                {
                    "offer_id": item.offer_id,
                    "reason": item.reason.value if item.reason else None,
                    "rome_code": item.rome_code,
                    "company": item.company,
                    "distance_km": item.distance_km,
                    "salary_monthly": item.salary_monthly,
                    "contract_type": item.contract_type,
                    "at": item.at.isoformat() if item.at else None,
                }
                for item in feedback
            ],
            "bot_memory": {
                "user_data": json.loads(user_data[0][0]) if user_data else None,
                "chat_data": {str(row[0]): json.loads(row[1]) for row in chat_data},
                "conversations": [
                    {"name": row[0], "key": json.loads(row[1]), "state": json.loads(row[2])}
                    for row in conversations
                ],
            },
        }
