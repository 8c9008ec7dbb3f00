"""Driving licences: an offer's licence requirements, and the codes a person's licences cover.

Labels as offers and people write them ("B - Véhicule léger", "permis b", "EC", "Poids lourd")
become one code ("B", "CE", "C"…); holding a licence implies the ones it includes (CE → C, B…).
Pure functions, no I/O; an unknown label gives ``None`` and is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ft_client.models.offers import Offer
from ft_client.textnorm import strip_accents

_LICENCE_CODES = frozenset(
    {"AM", "A1", "A2", "A", "B1", "B", "BE", "B96", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE"}
)
# Old French names of the trailer categories (before 2013), still in some offers.
_OLD_CODES = {"EB": "BE", "EC": "CE", "ED": "DE", "EC1": "C1E", "ED1": "D1E"}
_LABEL_TO_CODE = {
    "vehicule leger": "B",
    "poids lourd": "C",
    "transport en commun": "D",
    "super lourd": "CE",
    "motocyclette": "A",
}
# Holding the key licence implies holding these (a C licence requires a B, etc.).
_IMPLIED: dict[str, frozenset[str]] = {
    "A": frozenset({"A2", "A1", "AM"}),
    "A2": frozenset({"A1", "AM"}),
    "A1": frozenset({"AM"}),
    "B": frozenset({"AM", "B1"}),
    "BE": frozenset({"B", "AM", "B1", "B96"}),
    "B96": frozenset({"B", "AM", "B1"}),
    "C1": frozenset({"B", "AM", "B1"}),
    "C": frozenset({"C1", "B", "AM", "B1"}),
    "C1E": frozenset({"C1", "BE", "B", "AM", "B1", "B96"}),
    "CE": frozenset({"C", "C1", "C1E", "BE", "B", "AM", "B1", "B96"}),
    "D1": frozenset({"B", "AM", "B1"}),
    "D": frozenset({"D1", "B", "AM", "B1"}),
    "D1E": frozenset({"D1", "BE", "B", "AM", "B1", "B96"}),
    "DE": frozenset({"D", "D1", "D1E", "BE", "B", "AM", "B1", "B96"}),
}


@dataclass(frozen=True, slots=True)
class LicenceRequirement:
    code: str  # "B", "CE"… (normalised)
    label: str  # as the offer wrote it, e.g. "B - Véhicule léger"
    required: bool  # exigé (E) rather than souhaité (S)


def normalise_licence_code(text: str) -> str | None:
    """ "B - Véhicule léger", "permis b", "EC", "Poids lourd" → "B", "B", "CE", "C"; else None."""
    if not isinstance(text, str):
        return None
    plain = strip_accents(text).strip().lower()
    plain = re.sub(r"^permis\s+", "", plain)
    head = re.split(r"\s*[-–:(]\s*|\s+", plain, maxsplit=1)[0].upper()
    head = _OLD_CODES.get(head, head)
    if head in _LICENCE_CODES:
        return head
    for words, code in _LABEL_TO_CODE.items():
        if words in plain:
            return code
    return None


def offer_licences(offer: Offer) -> tuple[LicenceRequirement, ...]:
    out: list[LicenceRequirement] = []
    for item in offer.licences:
        code = normalise_licence_code(item.label)
        if code and all(existing.code != code for existing in out):
            out.append(LicenceRequirement(code, item.label, (item.requirement or "") == "E"))
    return tuple(out)


def held_licence_codes(held: Iterable[str]) -> frozenset[str]:
    """The person's licences with those they imply (a CE holder may drive what a B allows)."""
    codes: set[str] = set()
    for text in held:
        code = normalise_licence_code(text)
        if code:
            codes.add(code)
            codes |= _IMPLIED.get(code, frozenset())
    return frozenset(codes)


def missing_licences(offer: Offer, held: Iterable[str]) -> tuple[LicenceRequirement, ...]:
    """The licences the offer requires (E) that the person does not hold."""
    have = held_licence_codes(held)
    return tuple(r for r in offer_licences(offer) if r.required and r.code not in have)
