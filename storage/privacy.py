"""GDPR: erase (art. 17) or export (art. 15 and 20) everything stored about one user."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from storage.clock import _now
from storage.db import LATEST_SCHEMA_VERSION, Database
from storage.models import require_user_id
from storage.rows import _PROFILE_BY_ID, _profile_from_row, _user_from_row

# The user's own conversations: PTB keys are [chat_id, user_id] (per chat and per user), so the
# last element names the person whichever chat it is in.
_OWN_CONVERSATION = "json_extract(ptb_conversations.key, '$[#-1]') = ?"


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


class PrivacyRepository(Database):
    """Delete or export every row about a user, persistence rows included."""

    async def delete_user(self, user_id: int) -> dict[str, int]:
        """Erase every row about the user in one transaction (GDPR art. 17).

        Cascades from ``users`` remove profile, sent offers and favourites; PTB persistence
        rows (user_data, the private chat's chat_data, the conversations whose key ends with
        the user, i.e. their own) are removed explicitly; other members' rows of a group chat
        they share are left alone. Returns rows deleted per table.
        A running Application keeps its in-memory copy: the bot must also call
        ``application.drop_user_data(user_id)`` / ``drop_chat_data(chat_id)``.
        """
        require_user_id(user_id)
        deleted: dict[str, int] = {}
        async with self._transaction() as db:
            for table in ("profiles", "sent_offers", "favourites"):
                cursor = await db.execute(
                    f"DELETE FROM {table} WHERE user_id = ?",  # noqa: S608 - fixed table names
                    (user_id,),
                )
                deleted[table] = cursor.rowcount
            cursor = await db.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
            deleted["users"] = cursor.rowcount
            cursor = await db.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))
            deleted["ptb_user_data"] = cursor.rowcount
            # A private chat's id is its user's id.
            cursor = await db.execute("DELETE FROM ptb_chat_data WHERE chat_id = ?", (user_id,))
            deleted["ptb_chat_data"] = cursor.rowcount
            cursor = await db.execute(
                f"DELETE FROM ptb_conversations WHERE {_OWN_CONVERSATION}",  # noqa: S608
                (user_id,),
            )
            deleted["ptb_conversations"] = cursor.rowcount
        return deleted

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user as a JSON-serialisable dict (GDPR art. 15 and 20).

        Read in one snapshot, so a concurrent change cannot produce a half-updated export.
        """
        require_user_id(user_id)
        async with self._read_snapshot() as db:
            user_rows = list(
                await db.execute_fetchall(
                    "SELECT user_id, chat_id, first_name, language, created_at, last_seen_at,"
                    " blocked_at FROM users WHERE user_id = ?",
                    (user_id,),
                )
            )
            profile_rows = list(await db.execute_fetchall(_PROFILE_BY_ID, (user_id,)))
            user = _user_from_row(user_rows[0]) if user_rows else None
            sent = await db.execute_fetchall(
                "SELECT offer_id, sent_at FROM sent_offers WHERE user_id = ?"
                " ORDER BY sent_at, offer_id",
                (user_id,),
            )
            favourites = await db.execute_fetchall(
                "SELECT offer_id, title, company, place, url, saved_at FROM favourites"
                " WHERE user_id = ? ORDER BY saved_at DESC, offer_id",
                (user_id,),
            )
            user_data = list(
                await db.execute_fetchall(
                    "SELECT data FROM ptb_user_data WHERE user_id = ?", (user_id,)
                )
            )
            chat_data = await db.execute_fetchall(
                "SELECT chat_id, data FROM ptb_chat_data WHERE chat_id = ?", (user_id,)
            )
            conversations = await db.execute_fetchall(
                "SELECT name, key, state FROM ptb_conversations"  # noqa: S608 - fixed text
                f" WHERE {_OWN_CONVERSATION} ORDER BY name, key",
                (user_id,),
            )
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
                for row in favourites
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
