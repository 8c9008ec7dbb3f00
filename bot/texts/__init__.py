"""User-facing French texts, one module per area (common, onboarding, commands…)."""

from bot.texts import common, onboarding

__all__ = ["common", "onboarding"]
