"""What /match links to beyond offers: the other France Travail services for its métier.

- a buttons row « 🏢 Entreprises » (La Bonne Boîte, hidden while off), « 🧭 Évolution »
  (offline, always), « 🤝 Savoir-être » (hidden while Match via Soft Skills is off);
- the recruitment tension of the métier in the person's département (Marché du travail), for a
  short line and a « 📊 Marché » button: fetched under a short deadline next to the offers, left
  out when the service is off, failing or slow (the late answer still fills the client's cache);
- the métier's soft skills for the Détail (cached by the client), or None when unavailable.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from telegram import InlineKeyboardButton

from bot.handlers.companies import companies_button
from bot.handlers.evolution import evolution_button, tensions
from bot.handlers.soft_skills import SERVICE_API as SOFT_SKILLS_API
from bot.handlers.soft_skills import soft_skills_button
from bot.services import Services
from bot.soft_skill_profile import shown_soft_skills
from ft_client import FTError, FTServiceNotEnabled
from ft_client.referential import Referential
from storage import Profile

logger = logging.getLogger(__name__)

SOFT_SKILLS_DEADLINE_SECONDS: Final = 2.5


def departement_of_profile(profile: Profile | None, ref: Referential) -> str | None:
    home = ref.place(profile.place_code) if profile is not None and profile.place_code else None
    return home.departement if home is not None else None


async def market_tension(svc: Services, rome_code: str, departement: str | None) -> int | None:
    """The tension 1–5 of the métier, or None (service off, failing, slow, or no figure)."""
    try:
        found, _missing, error = await tensions(svc, [rome_code], departement)
    except Exception:  # a bonus line: never the reason /match fails
        logger.exception("market tension look-up failed")
        return None
    if error is not None:
        try:
            await svc.storage.record_ft_error(error.endpoint or "marche", error.status)
        except Exception:
            logger.exception("could not record the market error")
    return found.get(rome_code)


async def soft_skill_labels(svc: Services, rome_code: str) -> tuple[str, ...] | None:
    """The métier's soft skills as shown by /savoiretre, or None when the service is off,
    failing or slower than the deadline."""
    if not svc.ft.service_enabled(SOFT_SKILLS_API):
        return None
    try:
        skills = await asyncio.wait_for(
            svc.ft.get_soft_skills(rome_code), SOFT_SKILLS_DEADLINE_SECONDS
        )
    except TimeoutError:
        return None
    except FTError as error:
        if not isinstance(error, FTServiceNotEnabled):
            logger.info("soft skills unavailable: %s", type(error).__name__)
            try:
                await svc.storage.record_ft_error(error.endpoint or SOFT_SKILLS_API, error.status)
            except Exception:
                logger.exception("could not record the soft skills error")
        return None
    return tuple(s.label for s in shown_soft_skills(skills))


def services_row(rome_code: str, svc: Services) -> list[InlineKeyboardButton]:
    """Entreprises, Évolution, Savoir-être — those on — for the métier (≤ 3: one row)."""
    buttons = [
        companies_button(rome_code, svc),
        evolution_button(rome_code),
        soft_skills_button(rome_code, svc),
    ]
    return [b for b in buttons if b is not None]
