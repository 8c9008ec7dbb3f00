"""French texts of the profile fields of issue 14 item 5: driving licences, languages,
experience, working time, remote work; and removing one job or one skill in /profil."""

from __future__ import annotations

from bot.render import escape

# Licences offered as buttons: the common ones (the stored list accepts every category).
LICENCE_BUTTONS: tuple[str, ...] = ("B", "BE", "C1", "C", "CE", "D", "A", "A2")

EXPERIENCE_LABELS = {"debutant": "Débutant", "1-2ans": "1 à 2 ans", "3ans+": "3 ans et +"}
WORKING_TIME_LABELS = {"temps_plein": "Temps plein", "temps_partiel": "Temps partiel"}
INDIFFERENT = "Indifférent"
REMOTE_LABELS = {True: "Oui", False: "Non"}

BTN_EXTRAS = "➕ Permis et expérience"
BTN_SKIP = "Passer"

ASK_EXTRAS = (
    "<b>Facultatif : permis et expérience</b>\n"
    "Cochez vos permis et votre expérience : les offres vous diront ce qui colle."
)
ASK_LICENCES = "Quels permis avez-vous ? Touchez pour cocher, puis « Terminé »."
ASK_LANGUAGES = "Quelles langues parlez-vous (en plus du français) ? Puis « Terminé »."
ASK_EXPERIENCE = "Votre expérience dans ces métiers ?"
ASK_WORKING_TIME = "Quel temps de travail cherchez-vous ?"
ASK_REMOTE = "Voulez-vous du télétravail ?"

EDIT_LICENCES = "Permis"
EDIT_LANGUAGES = "Langues"
EDIT_EXPERIENCE = "Expérience"
EDIT_WORKING_TIME = "Temps de travail"
EDIT_REMOTE = "Télétravail"
REMOVE_JOB = "➖ Retirer un métier"
REMOVE_SKILL = "➖ Retirer une compétence"

ASK_REMOVE_JOB = "Quel métier retirer ?"
ASK_REMOVE_SKILL = "Quelle compétence retirer ?"
KEEP_ONE_JOB = "Gardez au moins un métier : touchez « Métiers » pour le changer."
KEEP_ONE_SKILL = "Gardez au moins une compétence : touchez « Compétences » pour la changer."


def removed(label: str) -> str:
    return f"« {escape(label)} » retiré de votre profil."


def extras_lines(
    *,
    licences: list[str],
    languages: list[str],
    experience: str | None,
    working_time: str | None,
    remote: bool | None,
) -> list[str]:
    """The profile card's lines for these fields, only those the person filled in."""
    lines = []
    if licences:
        lines.append(f"<b>Permis :</b> {escape(', '.join(licences))}")
    if languages:
        lines.append(f"<b>Langues :</b> {escape(', '.join(languages))}")
    if experience in EXPERIENCE_LABELS:
        lines.append(f"<b>Expérience :</b> {EXPERIENCE_LABELS[experience]}")
    if working_time in WORKING_TIME_LABELS:
        lines.append(f"<b>Temps de travail :</b> {WORKING_TIME_LABELS[working_time].lower()}")
    if remote is not None:
        lines.append(f"<b>Télétravail :</b> {REMOTE_LABELS[remote].lower()}")
    return lines
