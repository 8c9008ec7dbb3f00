"""Soft and transversal phrases: savoir-être, languages, driving licences, certifications.

People write "travail en équipe", "ponctuel", "anglais", "permis B", "CACES 3", "SST" next to
their trade skills. They are true and worth showing, but they say little about which métier fits
and most fiches list none of them word for word. They are recognised here and shown as what they
are; the scores treat them so that they can never lower anything (``scores``: coverage looks at
the job's side only; relevance leaves an unused transversal phrase out of the user's share).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ft_client.textnorm import MAX_PHRASE_CHARS, normalize

SAVOIR_ETRE = "savoir-être"
LANGUAGE = "langue"
LICENCE = "permis"
CERTIFICATION = "certification"

# Whole normalised phrases (accents, case and punctuation folded) or their first words.
_SAVOIR_ETRE = (
    "travail en equipe",
    "travailler en equipe",
    "esprit d equipe",
    "esprit equipe",
    "sens du travail en equipe",
    "ponctuel",
    "ponctuelle",
    "ponctualite",
    "autonome",
    "autonomie",
    "rigoureux",
    "rigoureuse",
    "rigueur",
    "polyvalent",
    "polyvalente",
    "polyvalence",
    "dynamique",
    "serieux",
    "serieuse",
    "motive",
    "motivee",
    "motivation",
    "souriant",
    "souriante",
    "sens du relationnel",
    "relationnel",
    "sens de l accueil",
    "patient",
    "patiente",
    "patience",
    "disponible",
    "disponibilite",
    "flexible",
    "flexibilite",
    "organise",
    "organisee",
    "sens de l organisation",
    "adaptabilite",
    "capacite d adaptation",
    "curieux",
    "curieuse",
    "bienveillant",
    "bienveillante",
    "bienveillance",
    "empathie",
    "a l ecoute",
    "ecoute",
    "gestion du stress",
    "resistance au stress",
    "calme",
    "honnete",
    "fiable",
    "assidu",
    "assidue",
    "proactif",
    "proactive",
    "esprit d initiative",
    "prise d initiative",
    "sens des responsabilites",
    "aisance relationnelle",
    "team player",
    "teamwork",
)
_LANGUAGES = (
    "anglais",
    "espagnol",
    "allemand",
    "italien",
    "portugais",
    "arabe",
    "chinois",
    "mandarin",
    "russe",
    "turc",
    "polonais",
    "roumain",
    "neerlandais",
    "japonais",
    "langue des signes",
    "lsf",
    "bilingue",
    "trilingue",
    "english",
    "toeic",
    "toefl",
    "ielts",
)
_LICENCE = re.compile(
    r"^(?:(?:titulaire du|avoir le|j ai le|j ai mon) )?permis\b|^vehicule(?: personnel| perso)?$"
)
_LICENCE_CLASSES = frozenset(
    [
        "a",
        "a1",
        "a2",
        "am",
        "b",
        "b96",
        "be",
        "c",
        "c1",
        "c1e",
        "ce",
        "d",
        "d1",
        "d1e",
        "de",
        "ec",
        "pl",
        "spl",
    ]
)
_CERTIFICATIONS = (
    ("caces", "CACES"),
    ("sst", "SST (sauveteur secouriste du travail)"),
    ("sauveteur secouriste", "SST (sauveteur secouriste du travail)"),
    ("haccp", "HACCP"),
    ("habilitation electrique", "Habilitation électrique"),
    ("habilitations electriques", "Habilitation électrique"),
    ("fimo", "FIMO"),
    ("fco", "FCO"),
    ("ssiap", "SSIAP"),
    ("bafa", "BAFA"),
    ("bafd", "BAFD"),
    ("psc1", "PSC1"),
    ("afgsu", "AFGSU"),
    ("aipr", "AIPR"),
    ("cqp aps", "CQP APS"),
    ("carte professionnelle", "Carte professionnelle"),
    ("carte pro", "Carte professionnelle"),
    ("carte vtc", "Carte VTC"),
    ("tp agent de surete", "Titre d'agent de sûreté"),
    ("adr", "ADR (matières dangereuses)"),
    ("travail en hauteur", "Travail en hauteur"),
    ("port du harnais", "Travail en hauteur"),
    ("catec", "CATEC"),
    ("gqs", "GQS (gestes qui sauvent)"),
)
_SAVOIR_ETRE_SET = frozenset(_SAVOIR_ETRE)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class TransversalPhrase:
    """A person's phrase recognised as transversal, with its category and a readable label."""

    phrase: str
    category: str  # SAVOIR_ETRE | LANGUAGE | LICENCE | CERTIFICATION
    label: str


def classify(phrase: str) -> TransversalPhrase | None:
    """The transversal category of one phrase, or None for a trade skill."""
    if not isinstance(phrase, str):
        return None
    text = normalize(phrase, MAX_PHRASE_CHARS)
    if not text:
        return None
    words = _WORD.findall(text)
    if _LICENCE.match(text):
        classes = [w.upper() for w in words if w in _LICENCE_CLASSES]
        if words[0].startswith("vehicule"):
            label = "Véhicule personnel"
        else:
            label = "Permis " + " / ".join(dict.fromkeys(classes)) if classes else "Permis"
        return TransversalPhrase(phrase, LICENCE, label)
    for key, label in _CERTIFICATIONS:
        key_words = key.split()
        if any(words[i : i + len(key_words)] == key_words for i in range(len(words))):
            return TransversalPhrase(phrase, CERTIFICATION, label)
    # A language: the phrase is mostly the language name ("anglais courant", "niveau B2 anglais").
    for language in _LANGUAGES:
        language_words = language.split()
        found = any(words[i : i + len(language_words)] == language_words for i in range(len(words)))
        if found and len(words) <= len(language_words) + 3:
            return TransversalPhrase(phrase, LANGUAGE, language.capitalize())
    # Whole phrase a quality, or qualities joined ("ponctuel et rigoureux", "calme, patient").
    parts = [part.strip() for part in re.split(r"\bet\b", text)]
    if all(part in _SAVOIR_ETRE_SET for part in parts):
        return TransversalPhrase(phrase, SAVOIR_ETRE, phrase.strip())
    return None


def classify_phrases(phrases: Sequence[str]) -> tuple[TransversalPhrase, ...]:
    """The transversal phrases among a profile's phrases, in order."""
    return tuple(found for found in map(classify, phrases) if found is not None)
