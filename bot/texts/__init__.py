"""User-facing French texts, one module per area (common, onboarding, commands…)."""

from bot.texts import common, onboarding, profile_fields

__all__ = ["common", "onboarding", "profile_fields"]
