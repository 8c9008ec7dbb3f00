"""French texts of offer lists, cards, /recherche criteria and their buttons (issue 14)."""

from __future__ import annotations

from typing import Final

# Phone-sized answers: everything but the full offer card and /mesdonnees stays under this.
PHONE_MESSAGE_LIMIT: Final = 1200

SALARY_UNKNOWN: Final = "salaire non précisé"
PUBLISHED_ON: Final = "publiée le {date}"
YOU_HAVE: Final = "✅ <b>Vous avez</b>"
YOU_LACK: Final = "➕ <b>Il vous manque</b>"
APPLY_BUTTON: Final = "Postuler"
HIDE_BUTTON: Final = "🙈 Masquer"
UNSAVE_DONE: Final = "Offre retirée de vos /favoris."
HIDDEN_DONE: Final = "Offre masquée : elle ne vous sera plus proposée."

CRITERIA_LINE: Final = "Critères : {summary}"
WIDEN_BUTTON: Final = "Élargir à {km} km"
EVERYWHERE_BUTTON: Final = "Toute la France"
ANY_CONTRACT_BUTTON: Final = "Sans filtre de contrat"
NO_RESULT: Final = "Aucune offre ne correspond à « {job} » ({summary})."
NO_RESULT_EXITS: Final = "Élargissez la recherche avec les boutons ci-dessous."
NO_RESULT_WORDS: Final = (
    "Essayez d'autres mots, par exemple le nom du métier : /recherche serveur, "
    "ou voyez les métiers proches de vos compétences : /metiers"
)

SEARCH_EMPTY: Final = (
    "Indiquez ce que vous cherchez : écrivez un métier, et si vous voulez un lieu : "
    "/recherche serveur à Lyon"
)
SEARCH_TOO_LONG: Final = (
    "Votre recherche est trop longue : quelques mots suffisent, par exemple "
    "/recherche serveur à Lyon 20 km"
)
SEARCH_MARKUP: Final = "Écrivez le métier et le lieu en toutes lettres, sans balises."
SEARCH_RADIUS: Final = "Le rayon va de 1 à 100 km (vous avez écrit « {fragment} »)."
PLACE_UNKNOWN: Final = (
    "Je ne connais pas le lieu « {place} ». Vérifiez l'orthographe, ou indiquez un code postal "
    "ou un département : /recherche serveur à 69003"
)
PLACE_WHICH: Final = "Plusieurs lieux s'appellent « {place} » : lequel ?"
PLACE_DID_YOU_MEAN: Final = "Je ne connais pas « {place} ». Vouliez-vous dire :"

LOCATION_FOUND: Final = "📍 Vous êtes près de {place}. Que voulez-vous faire ?"
LOCATION_UNKNOWN: Final = (
    "Je ne trouve pas de commune française près de ce point. Écrivez plutôt : "
    "/recherche serveur à Lyon"
)
LOCATION_AROUND_ME_BUTTON: Final = "Offres autour de moi"
LOCATION_NO_JOB: Final = (
    "Indiquez d'abord un métier : /start pour créer votre profil, ou écrivez "
    "« serveur » puis partagez à nouveau votre position."
)

FREE_TEXT_HELP: Final = (
    "Je n'ai pas compris. Pour chercher des offres, écrivez par exemple « serveur à Lyon », "
    "ou utilisez /recherche, /match ou /aide."
)

MATCH_DETAIL_BUTTON: Final = "🔎 Détail"
MATCH_DETAIL_TITLE: Final = "<b>Détail : {job}</b>"
