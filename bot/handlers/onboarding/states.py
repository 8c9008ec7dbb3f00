"""Onboarding conversation states and settings, shared by every step of the conversation.

States are strings, not integers: the persistence stores them as JSON, and a readable name
survives a reordering of the steps.
"""

from __future__ import annotations

from telegram.ext import ConversationHandler

WELCOME = "welcome"
JOBS = "jobs"
SKILLS = "skills"
PLACE = "place"
RADIUS = "radius"
CONTRACTS = "contracts"
ALERTS = "alerts"
SUMMARY = "summary"
END = ConversationHandler.END

CONVERSATION_NAME = "onboarding"
CONVERSATION_TIMEOUT_SECONDS = 30 * 60
FIELDS = "fields"  # optional fields: licences, languages, experience, working time, remote
