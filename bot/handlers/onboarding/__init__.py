"""Onboarding (/start): a persistent ConversationHandler building the user's profile.

Steps: welcome → target jobs → skills → place → radius → alerts → summary (confirm / modify).
The same conversation edits an existing profile from the /profil buttons (entry points
``pf|<part>``), going back to the summary after the edited part.

Answers in progress live in ``context.user_data["draft"]`` as JSON values only (the persistence
stores JSON); nothing reaches the profile tables before "Confirmer". A restart of the bot in the
middle resumes at the same step; /annuler leaves at any step without saving anything.

Modules, from the bottom up:
- `states`: state names and conversation settings;
- `draft`: the answers in progress and their limits;
- `parsing`: pure parsing of typed answers (texts, ROME codes, skills, places, km, times);
- `keyboards`: every keyboard and the choices its buttons offer;
- `profile_card`: the summary text of a draft or a saved profile;
- `prompts`: each step's question, and moving on to the next step;
- `welcome`, `jobs_skills`, `place_radius`, `contracts_alerts`, `profile_fields`, `summary`,
  `editing`, `fallbacks`: the handlers answering each step (`profile_fields`: the optional
  licences, languages, experience, working time and remote work);
- `conversation`: the ConversationHandler wiring them, `register` and the menu `COMMANDS`.
"""

from __future__ import annotations

from bot.handlers.onboarding.conversation import COMMANDS, build_conversation, register
from bot.handlers.onboarding.keyboards import edit_keyboard
from bot.handlers.onboarding.parsing import (
    MAX_SHORT_INPUT,
    check_text,
    is_done_word,
    parse_radius,
    parse_rome_code,
    parse_skills,
    parse_time,
    pick_place,
)
from bot.handlers.onboarding.profile_card import summary_text_from
from bot.handlers.onboarding.states import CONVERSATION_NAME, CONVERSATION_TIMEOUT_SECONDS

__all__ = [
    "COMMANDS",
    "CONVERSATION_NAME",
    "CONVERSATION_TIMEOUT_SECONDS",
    "MAX_SHORT_INPUT",
    "build_conversation",
    "check_text",
    "edit_keyboard",
    "is_done_word",
    "parse_radius",
    "parse_rome_code",
    "parse_skills",
    "parse_time",
    "pick_place",
    "register",
    "summary_text_from",
]
