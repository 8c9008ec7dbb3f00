"""The Telegram bot: handlers, alerts, workers (see docs/architecture.md)."""

import os

# Opt in to python-telegram-bot's next major version's time periods (`datetime.timedelta`,
# which the bot handles: `alerts.sending.retry_after_seconds`); without it PTB 22.2+ logs a
# deprecation warning each time it builds a 429 error. An operator's own setting wins.
os.environ.setdefault("PTB_TIMEDELTA", "1")
