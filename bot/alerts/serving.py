"""Serving one person in an alert cycle: all their due alerts' offers composed into one
message, sent at the pacer's pace, and recorded with the digests accepted meanwhile
(`recording`); or, with nothing to send, their alerts marked served in batches.

The cycle (`cycle`) decides who is served and when; this module only turns a complete
`PersonRun` into a message on Telegram and rows in storage, and counts what happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from bot.alerts.bookkeeping import AlertCycleReport, ServedBuffer
from bot.alerts.person import AlertOutcome, PersonRun, compose
from bot.alerts.planning import PROFILE_ALERT_NO, alert_criteria
from bot.alerts.recording import DeliveryRecorder
from bot.alerts.sending import Outcome, SendPacer, send_digest
from storage import Delivery

if TYPE_CHECKING:
    from telegram import Bot

    from bot.config import Settings
    from storage import Storage

log = logging.getLogger(__name__)

# (user id, alert number) → that alert's outcome when the caller asked for outcomes, else None.
OutcomeOf = Callable[[int, int], AlertOutcome | None]


class DigestServer:
    """Sends each complete person's digest: `send_concurrency` sends at once (the pacer spaces
    them), at most `unrecorded_limit` accepted by Telegram and not yet recorded."""

    def __init__(
        self,
        *,
        storage: Storage,
        bot: Bot,
        settings: Settings,
        day: date,
        report: AlertCycleReport,
        pacer: SendPacer,
        paid_broadcast: bool,
        send_concurrency: int,
        unrecorded_limit: int,
        outcome_of: OutcomeOf,
    ) -> None:
        self.storage = storage
        self.bot = bot
        self.settings = settings
        self.day = day
        self.report = report
        self.pacer = pacer
        self.paid_broadcast = paid_broadcast
        self.send_slots = asyncio.Semaphore(send_concurrency)
        self.recorder = DeliveryRecorder(storage, unrecorded_limit)
        # Alerts handled with nothing to send: their served marks, written in batches.
        self.nothing_new = ServedBuffer(storage, report)
        self.outcome_of = outcome_of
        # Private chat ids by user (a user's id unless storage knows better).
        self.chat_ids: dict[int, int] = {}

    async def serve(self, person: PersonRun) -> None:
        user_id = person.profile.user_id
        results = person.results
        if not results:
            return  # every alert failed: all stay due
        end = min(r.end for r in results)
        profile = next((r for r in results if r.plan.alert_no == PROFILE_ALERT_NO), None)
        criteria = alert_criteria(profile.plan.key) if profile is not None else None
        saved = {
            r.plan.alert_no: r.plan.served_for or ""
            for r in results
            if r.plan.alert_no != PROFILE_ALERT_NO
        }
        message = compose(
            results,
            min_score=self.settings.alert_min_score,
            size=self.settings.alert_digest_size,
            day=self.day,
        )
        if message is None:
            # No empty digests; served with the others in one batch.
            await self.nothing_new.add(end, user_id, profile is not None, criteria, saved)
            return
        chat_id = self.chat_ids.get(user_id, user_id)
        # The place covers the send AND its record: at any instant at most `unrecorded_limit`
        # digests are accepted by Telegram but not yet recorded (what a crash could repeat).
        async with self.recorder.place():
            async with self.send_slots:
                outcome = await send_digest(
                    self.bot,
                    chat_id,
                    message.text,
                    message.markup,
                    self.report,
                    self.pacer,
                    paid_broadcast=self.paid_broadcast,
                )
            if outcome == Outcome.SENT:
                self.report.messages_sent += 1
                self.report.offers_sent += len(message.offer_ids)
                # Sent offers and served marks in ONE transaction, batched with the digests
                # accepted meanwhile (see `DeliveryRecorder`).
                delivery = Delivery(
                    user_id, message.offer_ids, end, criteria, profile is not None, saved
                )
                await self.recorder.record(delivery)
                self.report.users_served += 1
                for no, count in message.per_alert.items():
                    if no != PROFILE_ALERT_NO and (found := self.outcome_of(user_id, no)):
                        found.sent = count
                if (whole := self.outcome_of(user_id, PROFILE_ALERT_NO)) is not None:
                    whole.sent = len(message.offer_ids)  # the digest, all alerts together
        if outcome == Outcome.BLOCKED:
            await self.storage.mark_blocked(user_id)
            self.report.users_blocked += 1
        elif outcome == Outcome.FAILED:
            self.report.failures += 1
            self.report.telegram_errors += 1
            for result in results:
                if (found := self.outcome_of(user_id, result.plan.alert_no)) is not None:
                    found.failed = True
