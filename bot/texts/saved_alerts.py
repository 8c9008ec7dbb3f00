"""French texts of saved alerts, their filters and « pas intéressé » feedback (issue 15)."""

from __future__ import annotations

from typing import Final

# /alertes: the list
LIST_TITLE: Final = "🔔 <b>Vos alertes</b> ({count}/{limit})"
PROFILE_ALERT_LABEL: Final = "Alerte de votre profil"
ALERT_LINE: Final = "<b>{number}. {label}</b> — {state}\n{criteria}\n{schedule}"
ALERT_FILTERS_LINE: Final = "Filtres : {filters}"
STATE_ON: Final = "activée"
STATE_OFF: Final = "désactivée"
STATE_PAUSED: Final = "en pause jusqu'au {date}"
NO_SAVED_ALERT_HINT: Final = (
    "<i>Ajoutez une alerte avec « 🔔 Créer une alerte pour cette recherche » sous les "
    "résultats de /recherche.</i>"
)
EFFECTS_TITLE: Final = "🙈 <b>Vos « pas intéressé »</b>"
MANAGE_BUTTON: Final = "⚙️ {number}. {label}"
PROFILE_SETTINGS_BUTTON: Final = "⏰ Heure et jours de l'alerte du profil"
UNDO_BUTTON: Final = "↩️ Annuler : {effect}"
UNDONE: Final = "Effet annulé. L'offre reste masquée."
BACK_BUTTON: Final = "⬅️ Retour à la liste"

# One alert's card
CARD_TITLE: Final = "⚙️ <b>{label}</b>"
FREQUENCY_BUTTON: Final = "🗓 Fréquence"
FILTERS_BUTTON: Final = "🧰 Filtres"
PAUSE_BUTTON: Final = "⏸ Pause jusqu'au…"
RESUME_BUTTON: Final = "▶️ Reprendre"
DELETE_BUTTON: Final = "🗑 Supprimer"
DELETE_CONFIRM: Final = "Supprimer l'alerte « {label} » ?"
DELETE_YES: Final = "Oui, supprimer"
DELETE_NO: Final = "Non, garder"
DELETED: Final = "Alerte « {label} » supprimée."
TURN_ON_BUTTON: Final = "🔔 Activer"
TURN_OFF_BUTTON: Final = "🔕 Désactiver"
UNKNOWN_ALERT: Final = "Cette alerte n'existe pas (ou plus). Rien n'a été modifié."

# Schedules
DAILY: Final = "tous les jours"
WEEKDAYS: Final = "du lundi au vendredi"
WEEKLY: Final = "chaque {day}"
SCHEDULE_LINE: Final = "🕗 {days} à {time}"
DAILY_BUTTON: Final = "Tous les jours"
WEEKDAYS_BUTTON: Final = "Lundi → vendredi"
WEEKLY_BUTTON: Final = "Le {day}"
FREQUENCY_QUESTION: Final = "À quelle fréquence recevoir « {label} » ?"
TIME_BUTTON: Final = "à {time}"
QUIET_EXCEPT: Final = "{days} sauf {quiet}"
QUIET_BUTTON: Final = "🤫 Jours sans envoi"
QUIET_TITLE: Final = "🤫 <b>Jours sans envoi de « {label} »</b>"
QUIET_HELP: Final = (
    "Touchez un jour pour ne rien recevoir ce jour-là (🔕), touchez-le à nouveau pour "
    "le rétablir (✅)."
)
QUIET_NONE_BUTTON: Final = "✅ Envoyer tous ces jours"
NO_DAY_LEFT: Final = (
    "Il faut au moins un jour d'envoi : rien n'a été modifié. Pour ne plus rien recevoir, "
    "désactivez l'alerte ou mettez-la en pause."
)
WEEKLY_ON_QUIET_DAY: Final = (
    "Le {day} est un jour sans envoi de cette alerte : rien n'a été modifié. Retirez-le d'abord "
    "des jours sans envoi."
)
NOT_A_SENDING_DAY: Final = (
    "Ce jour n'est pas un jour d'envoi de cette alerte. Rien n'a été modifié."
)
QUIET_PROFILE_ALERT: Final = (
    "Les jours de l'alerte du profil se règlent sur sa carte, en haut de /alertes."
)
BACK_TO_ALERT_BUTTON: Final = "⬅️ Retour à l'alerte"

# Pause
PAUSE_QUESTION: Final = (
    "Jusqu'à quelle date mettre « {label} » en pause ? Écrivez une date (JJ/MM ou JJ/MM/AAAA), "
    "au plus {days} jours à l'avance."
)
PAUSE_BAD_DATE: Final = (
    "« {text} » n'est pas une date valable : écrivez JJ/MM ou JJ/MM/AAAA, entre demain et "
    "dans {days} jours."
)
PAUSED: Final = "« {label} » est en pause jusqu'au {date} inclus."

# Filters
FILTERS_TITLE: Final = "🧰 <b>Filtres de « {label} »</b>"
FILTERS_NONE: Final = "aucun filtre"
FILTER_SALARY_BUTTON: Final = "💶 Salaire minimum"
FILTER_UNSALARIED_KEEP: Final = "Sans salaire indiqué : gardées"
FILTER_UNSALARIED_DROP: Final = "Sans salaire indiqué : écartées"
FILTER_WORDS_BUTTON: Final = "🚫 Mots à exclure"
FILTER_COMPANIES_BUTTON: Final = "🏢 Entreprises à exclure"
FILTER_REMOTE: Final = "Télétravail seulement"
FILTER_BEGINNERS: Final = "Débutants acceptés seulement"
FILTER_FULL_TIME: Final = "Temps plein"
FILTER_PART_TIME: Final = "Temps partiel"
ASK_SALARY: Final = (
    "Salaire minimum brut <b>par mois</b> ? Par exemple « 1 800 » (ou « 25k » par an). "
    "« aucun » retire le filtre."
)
ASK_WORDS: Final = (
    "Mots à exclure du titre ou de l'entreprise, séparés par des virgules (au plus {max} mots "
    "de {chars} caractères). « aucun » vide la liste."
)
ASK_COMPANIES: Final = (
    "Entreprises à exclure, séparées par des virgules (au plus {max}). « aucun » vide la liste."
)
FILTER_SAVED: Final = "Filtre enregistré."
FILTER_CONTRACTS_BUTTON: Final = "📄 Contrats"
FILTER_LICENCES_BUTTON: Final = "🚗 Permis"
BACK_TO_FILTERS_BUTTON: Final = "⬅️ Retour aux filtres"
CONTRACTS_TITLE: Final = "📄 <b>Contrats pour « {label} »</b>"
CONTRACTS_HELP: Final = (
    "Cochez les contrats qui vous intéressent : les offres d'un autre contrat sont écartées. "
    "Rien de coché = tous les contrats."
)
CONTRACTS_ANY_BUTTON: Final = "Tous les contrats"
CONTRACTS_NOW: Final = "Contrats gardés : {contracts}."
CONTRACTS_ALL: Final = "Tous les contrats sont gardés."
UNKNOWN_CONTRACT: Final = "Type de contrat inconnu. Rien n'a été modifié."
LICENCES_TITLE: Final = "🚗 <b>Permis pour « {label} »</b>"
LICENCES_HELP: Final = (
    "Cochez les permis que vous avez : les offres qui en exigent un autre sont écartées. "
    "Rien de coché = pas de filtre de permis."
)
LICENCES_NONE_BUTTON: Final = "Ne pas filtrer par permis"
LICENCES_NOW: Final = "Permis déclarés : {licences}."
LICENCES_ALL: Final = "Aucun filtre de permis."
UNKNOWN_LICENCE: Final = "Permis inconnu. Rien n'a été modifié."
SUMMARY_SALARY: Final = "≥ {amount} €/mois"
SUMMARY_UNSALARIED: Final = "offres sans salaire écartées"
SUMMARY_WORDS: Final = "sans « {words} »"
SUMMARY_COMPANIES: Final = "hors {companies}"
SUMMARY_REMOTE: Final = "télétravail"
SUMMARY_BEGINNERS: Final = "débutants acceptés"
SUMMARY_LICENCES: Final = "permis : {licences}"
SUMMARY_CONTRACTS: Final = "contrats : {contracts}"

# Creating from /recherche
CREATE_BUTTON: Final = "🔔 Créer une alerte pour cette recherche"
CREATED: Final = (
    "🔔 Alerte « {label} » créée : {schedule}. Réglez-la (fréquence, filtres, pause) avec /alertes."
)
TOO_MANY: Final = (
    "Vous avez déjà {limit} alertes (celle du profil comprise). Supprimez-en une dans /alertes "
    "pour en créer une autre."
)
SEARCH_GONE: Final = "Cette recherche n'est plus disponible : relancez-la avec /recherche."
NEED_START: Final = "Créez d'abord votre profil avec /start pour recevoir des alertes."

# « Pas intéressé »
NOT_INTERESTED_BUTTON: Final = "🙈 {number}"
SAVE_BUTTON: Final = "⭐ {number}"
REASON_QUESTION: Final = (
    "🙈 « {title} » ne vous sera plus proposée. Pourquoi ? (facultatif, pour mieux choisir "
    "vos prochaines offres)"
)
REASON_QUESTION_NO_TITLE: Final = (
    "🙈 Cette offre ne vous sera plus proposée. Pourquoi ? (facultatif, pour mieux choisir vos "
    "prochaines offres)"
)
REASON_BUTTONS: Final = {
    "metier": "Métier",
    "entreprise": "Entreprise",
    "trop_loin": "Trop loin",
    "salaire": "Salaire",
    "contrat": "Contrat",
}
REASON_NOTED: Final = "Noté : {effect}. Vous pouvez l'annuler dans /alertes."
REASON_NOTED_NO_EFFECT: Final = "Noté. L'offre ne reviendra plus."
EFFECT_JOB: Final = "les offres du métier {code} passent après les autres"
EFFECT_COMPANY: Final = "plus d'offres de {company}"
EFFECT_TOO_FAR: Final = "plus d'offres à plus de {km} km"
EFFECT_SALARY: Final = "plus d'offres payées {amount} € par mois ou moins"
EFFECT_CONTRACT: Final = "plus d'offres en {contract}"
DIGEST_SAVED: Final = "⭐ Offre ajoutée à vos /favoris."
DIGEST_ALREADY_SAVED: Final = "Cette offre est déjà dans vos /favoris."
DIGEST_OFFER_GONE: Final = "Cette offre n'est plus disponible sur France Travail."
