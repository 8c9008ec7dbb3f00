"""Pure parsing of typed answers: usable text, job codes, skill lists, places, distances, times.

No Telegram and no draft here: each function takes the user's text and returns a value (or
the French reason it is unusable), so that the rules are tested on their own.
"""

from __future__ import annotations

import re
from typing import Any

from bot import texts
from bot.handlers.common import has_letter

T = texts.onboarding

MAX_SHORT_INPUT = 200  # a job or a town: anything longer is not one
MAX_SKILLS_INPUT = 2000
# Typed distances: the same range as the buttons (keyboards.RADII), which the prompt states.
MIN_RADIUS_KM = 5
MAX_RADIUS_KM = 100
# Typed instead of pressing "Terminé" (normalised: lower case, no accents).
DONE_WORDS = frozenset(
    {"termine", "terminer", "fini", "finir", "c est tout", "cest tout", "suivant", "ok", "valider"}
)

_ROME_RE = re.compile(r"^\s*([A-Na-n])\s?(\d{4})\s*$")
_TIME_RE = re.compile(r"^\s*([01]?\d|2[0-3])\s*(?:[:hH.]\s*([0-5]\d)?)?\s*$")
_RADIUS_RE = re.compile(r"^\s*(\d{1,3})\s*(?:km|kms|kilom[eè]tres?)?\s*$", re.IGNORECASE)
_SKILL_SPLIT_RE = re.compile(r"[,;\n•·]+|\s+-\s+|\s+/\s+")
_HAS_WORD_RE = re.compile(r"[^\W_]", re.UNICODE)
# What a town, a postal code or "Lyon 3e" is written with: letters, digits, spaces and
# - ' ’ . , ( ). Anything else ("<script>", "@", "=") names no commune.
_PLACE_TEXT_RE = re.compile(r"^[\s(]*[^\W_]+(?:[\s\-'’.,()]+[^\W_]+)*[\s\-'’.,()]*$", re.UNICODE)

# Characters no job title is written with: markup, code or SQL typed at the job step gets a
# clear answer rather than close matches found in its letters ("<script>alert" → "alerte").
_NOT_A_JOB_RE = re.compile(r"[<>{}\[\]=;|\\`~^$#@*_]|--")

# The place search is typo-tolerant like the job search, so junk still finds some commune:
# below this similarity (0-100, typed words against the commune's name) a hit is noise
# (measured: "x<script>zq7</script>" → Scrupt 56, "bonjour" → Boncourt 80, "hello" → Ellon
# 80; typos of real towns: "lile" → Lille 89, "Toulous" → Toulouse 93).
MIN_PLACE_SCORE = 85.0
# A single obvious commune is taken only this similar; below it the bot asks with buttons.
SURE_PLACE_SCORE = 90.0


def check_text(text: str | None, max_length: int = MAX_SHORT_INPUT) -> str | None:
    """None when the text is usable, else the French message explaining why not."""
    if text is None or not text.strip():
        return T.EMPTY_MESSAGE
    if len(text) > max_length:
        return T.TOO_LONG
    if not _HAS_WORD_RE.search(text):
        return T.ONLY_SYMBOLS
    return None


def is_code_like(text: str) -> bool:
    """Whether the text holds markup, code or SQL rather than words ("<b>", "'; DROP --")."""
    return bool(_NOT_A_JOB_RE.search(text))


def check_place_text(text: str) -> str | None:
    """None when the text may name a place, else the French message explaining why not."""
    if not _PLACE_TEXT_RE.match(text.strip()):
        return T.place_bad_characters(text)
    return None


def place_score(query: str, place: Any) -> float:
    """How close the typed words are to the commune's name, 0 to 100 (word order and extra
    words of the name do not count: "Lyon 3e" is 100 for "Lyon 3e Arrondissement")."""
    from rapidfuzz import fuzz

    from ft_client.textnorm import normalize, tokens

    words = [token for token in tokens(normalize(query)) if not token.isdigit()]
    if not words:
        return 100.0  # a postal or INSEE code: found by the code itself
    return float(fuzz.token_set_ratio(" ".join(words), " ".join(tokens(normalize(place.name)))))


def parse_rome_code(text: str) -> str | None:
    """ "g1603", "G 1603" -> "G1603"; None when the text is not shaped like a ROME code."""
    match = _ROME_RE.match(text)
    if not match:
        return None
    return (match.group(1) + match.group(2)).upper()


def parse_skills(text: str) -> list[str]:
    """Split a free-text answer into skills ("accueil, service en salle\\nhygiène")."""
    skills = []
    for part in _SKILL_SPLIT_RE.split(text):
        skill = " ".join(part.split()).strip(" .-–*")
        if skill and has_letter(skill):
            skills.append(skill)
    return skills


def parse_radius(text: str) -> int | None:
    """ "20", "20 km", "20 kilomètres" -> 20; None when the text is not a distance (any
    number of km is returned: `radius_problem` checks the range)."""
    match = _RADIUS_RE.match(text)
    return int(match.group(1)) if match else None


def radius_problem(km: int) -> str | None:
    """None when ``km`` is an allowed distance, else the French message giving the range."""
    if MIN_RADIUS_KM <= km <= MAX_RADIUS_KM:
        return None
    return T.radius_out_of_range(km, MIN_RADIUS_KM, MAX_RADIUS_KM)


def parse_time(text: str) -> str | None:
    """ "8", "8h", "8h30", "08:30", "18.45" -> "HH:MM"; None when not a time."""
    match = _TIME_RE.match(text or "")
    if not match:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def is_done_word(text: str) -> bool:
    """The user typed "Terminé" (or "fini", "c'est tout"…) instead of pressing the button."""
    from ft_client.textnorm import normalize

    return normalize(text).strip(" .!") in DONE_WORDS


def pick_place(query: str, places: list[Any]) -> Any | None:
    """The one place the user obviously meant, or None when buttons must ask.

    "Paris" → Paris (exact name), "Lyon 3e" → the 3rd arrondissement (the only name holding
    every word), "75015" → the 15th arrondissement rather than the whole city; "Saint-Denis"
    (several communes of that exact name) → None.
    """
    from ft_client.textnorm import normalize, tokens

    if len(places) == 1:
        return places[0]
    wanted = normalize(query)
    exact = [p for p in places if normalize(p.name) == wanted]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None
    if re.fullmatch(r"\s*\d{5}\s*", query):
        parents = {p.parent_code for p in places if p.parent_code}
        specific = [p for p in places if p.insee_code not in parents]
        return specific[0] if len(specific) == 1 else None
    wanted_tokens = set(tokens(wanted))
    holding_all = [p for p in places if wanted_tokens <= set(tokens(normalize(p.name)))]
    return holding_all[0] if len(holding_all) == 1 else None
