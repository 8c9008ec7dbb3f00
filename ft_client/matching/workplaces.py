"""A workplace inside a job answer: « cuisinière en ehpad », « équipier mcdo », « ouvrier
d'usine », « bouchère en grande surface ».

The alias table names workplaces (entries whose ``why`` starts with « lieu de travail »: ehpad,
crèche, usine, supermarché…) with the trades most recruited there. Next to other words, the
workplace says where, and the other words may say what:

- a **specific job word** (a word some ROME titles start with, heading titles of fewer than
  ``GENERIC_HEAD`` fiches: « cuisinière », « bouchère », « équipier »; or a job alias:
  « serveuse ») is the job: the workplace's words are free in the job's spans (like « en CDI »)
  and its trades are only close matches, unless the job words read one of them too (then
  that one is the job meant: « équipier mcdo » → équipier polyvalent de restauration rapide);
- a **generic head** (« ouvrier », « agent », « opérateur », « technicien »: heads of dozens of
  fiches) or no job word: the workplace's trades are the best reading, the spans stay under.

Derived from the alias table and the bundled referential; ``GENERIC_HEAD`` was set from the
head counts (ouvrier 77, opérateur 118, agent 185 fiches; animateur 43, contrôleur 31,
vendeur 24, équipier 8, boucher 2), not tuned on queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from ft_client.matching.job_spans import TitleWords

# The ``why`` of an alias that names a workplace rather than a job.
WORKPLACE_WHY = "lieu de travail"
# A title head used by this many fiches or more names a kind of work, not a job.
GENERIC_HEAD = 50

Entry = tuple[tuple[str, ...], str]  # (ROME codes best first, why)


def is_workplace(entry: Entry) -> bool:
    """Whether an alias entry names a workplace (« ehpad », « entrepôt »)."""
    return entry[1].startswith(WORKPLACE_WHY)


@dataclass(frozen=True, slots=True)
class Workplace:
    """The workplace aliases inside a query: their words, their trades (best first), and
    whether the query's other words name a specific job."""

    words: frozenset[str]
    codes: tuple[str, ...]
    job_word: bool


def workplace_in(
    inside: list[tuple[tuple[str, ...], Entry]], key: tuple[str, ...], known: TitleWords
) -> Workplace | None:
    """The workplace read in a query's alias key, from the aliases found inside it
    (``JobAliases.inside_keys``), or None when there is none."""
    places = [(words, entry) for words, entry in inside if is_workplace(entry)]
    if not places:
        return None
    words = frozenset(w for place_words, _entry in places for w in place_words)
    codes = tuple(dict.fromkeys(c for _words, entry in places for c in entry[0]))
    job_alias = any(not is_workplace(entry) for _words, entry in inside)
    specific = any(
        word not in words and 0 < known.head_fiches.get(word, 0) < GENERIC_HEAD for word in key
    )
    return Workplace(words, codes, job_alias or specific)


# A title hit this strong is a reading of the job words that a workplace can confirm: the
# words around the job cost each span hit (« équipière fast food » reads « Equipier
# polyvalent de restauration rapide » at 0.53 on « équipière » alone).
AGREEMENT_FLOOR = 0.5


def agreement(
    place: Workplace | None,
    inside: list[tuple[tuple[str, ...], Entry]],
    title_hits: list[tuple[str, float]],
) -> set[str]:
    """The codes both a workplace inside the query names and the job words read (a title
    hit (code, score) of at least ``AGREEMENT_FLOOR``, or a job alias inside)."""
    if place is None:
        return set()
    read = {code for code, score in title_hits if score >= AGREEMENT_FLOOR}
    read.update(code for _w, entry in inside if not is_workplace(entry) for code in entry[0])
    return set(place.codes) & read


def workplace_why(inside: list[tuple[tuple[str, ...], Entry]]) -> str:
    """The ``why`` of the first workplace alias inside the query."""
    return next(entry[1] for _w, entry in inside if is_workplace(entry))
