"""French texts of the commands (/match, /metiers, /recherche, /offre, /favoris, /alertes,
/supprimer, /mesdonnees, /aide, /stats).

Plain constants are already valid Telegram HTML (no user text inside); every template taking user
or API text is filled with values the caller escaped (``bot.render.escape``) — the cards module does
that for everything it renders.
"""

from __future__ import annotations

# ---------------------------------------------------------------- menu (setMyCommands)
# (command, description) — descriptions are shown in Telegram's menu, ≤ 256 characters.
MATCH_DESCRIPTION = "Mes compétences face à un métier, et les meilleures offres"
JOBS_DESCRIPTION = "Les métiers qui correspondent à mes compétences"
SEARCH_DESCRIPTION = "Chercher des offres : /recherche serveur à Lyon"
OFFER_DESCRIPTION = "Voir une offre en détail : /offre 193XKZP"
FAVOURITES_DESCRIPTION = "Mes offres sauvegardées"
ALERTS_DESCRIPTION = "Régler mes alertes quotidiennes"
DELETE_DESCRIPTION = "Effacer toutes mes données"
MY_DATA_DESCRIPTION = "Recevoir toutes mes données (JSON)"
HELP_DESCRIPTION = "Aide : toutes les commandes avec des exemples"

# ---------------------------------------------------------------- shared
STALE_BUTTON = "Ce bouton n'est plus valable."
NO_PLACE_HINT = (
    "Astuce : indiquez votre ville avec /start ou /profil pour voir les offres près de chez vous."
)

# ---------------------------------------------------------------- /match
MATCH_USAGE = (
    "Indiquez un métier ou un code ROME, par exemple :\n"
    "<code>/match G1803</code>\n"
    "<code>/match serveur</code>\n"
    "<code>/match aide-soignante</code>"
)
MATCH_PICK_TARGET = "Quel métier voulez-vous comparer à vos compétences ?"
MATCH_UNKNOWN_CODE = (
    "Le code ROME <b>{code}</b> n'existe pas.\n"
    "Un code ROME est une lettre et 4 chiffres, par exemple <code>/match G1803</code> "
    "(personnel polyvalent en restauration) ou <code>/match J1501</code> (aide-soignant)."
)
MATCH_UNKNOWN_WORDS = (
    "Je ne trouve aucun métier pour « {words} ».\n"
    "Essayez avec d'autres mots, par exemple <code>/match serveur</code>, "
    "<code>/match développeur</code> ou un code ROME comme <code>/match G1803</code>."
)
MATCH_NOT_RECOGNISED = (
    "Je ne reconnais pas de métier dans « {words} ».\n"
    "Vouliez-vous dire l'un de ceux-ci ? Sinon, essayez avec d'autres mots, par exemple "
    "<code>/match serveur</code> ou un code ROME comme <code>/match G1603</code>."
)


def match_is_place(place: str) -> str:
    return (
        f"« {place} » est un lieu, pas un métier. Quel métier cherchez-vous ?\n"
        "Par exemple <code>/match serveur</code> ou <code>/match aide-soignante</code>. "
        "Votre ville se règle avec /profil."
    )


MATCH_ASK_SKILLS = (
    "Pour comparer vos compétences au métier <b>{job}</b>, j'ai besoin de les connaître.\n"
    "Répondez à ce message avec vos compétences, séparées par des virgules, par exemple :\n"
    "<i>accueil des clients, service en salle, encaissement, hygiène</i>\n\n"
    "(Ou tapez /start pour créer votre profil complet.)"
)


def skills_saved(count: int) -> str:
    if count == 1:
        return "C'est noté : 1 compétence enregistrée."
    return f"C'est noté : {count} compétences enregistrées."


SKILLS_EMPTY = (
    "Je n'ai reconnu aucune compétence dans votre message. Écrivez-les en mots, séparées par des "
    "virgules, par exemple : <i>accueil, caisse, mise en rayon</i>."
)
SKILLS_TOO_MANY = (
    "Vous pouvez enregistrer {limit} compétences au plus ; j'ai gardé les {limit} premières."
)


def skills_too_long(count: int, limit: int) -> str:
    skipped = (
        "1 compétence trop longue ignorée"
        if count == 1
        else f"{count} compétences trop longues ignorées"
    )
    return f"{skipped} ({limit} caractères au plus chacune)."


MATCH_OFFERS_TITLE_ANYWHERE = "<b>Les meilleures offres actuelles</b>"
MATCH_NO_OFFERS = "Aucune offre en cours pour ce métier dans votre zone pour le moment."
MATCH_SEE_OTHER = "<i>Autres métiers possibles : voir les boutons ci-dessous.</i>"

# ---------------------------------------------------------------- /metiers
JOBS_NEED_SKILLS = (
    "Pour vous proposer des métiers, j'ai besoin de vos compétences.\n"
    "Répondez à ce message avec vos compétences, séparées par des virgules, par exemple :\n"
    "<i>prise de commande, encaissement, service en salle</i>"
)
JOBS_NONE = (
    "Je ne trouve pas de métier qui corresponde à vos compétences. Essayez de les décrire "
    "autrement avec /profil, ou cherchez un métier avec <code>/match serveur</code>."
)

# ---------------------------------------------------------------- /recherche
SEARCH_REFUSED = (
    "France Travail refuse cette recherche. Essayez avec d'autres mots-clés, par exemple "
    "<code>/recherche serveur</code>."
)
SEARCH_PREVIOUS = "« Précédent"
SEARCH_NEXT = "Suivant »"

# ---------------------------------------------------------------- /offre
OFFER_USAGE = (
    "Indiquez le numéro de l'offre, par exemple <code>/offre 193XKZP</code>.\n"
    "Vous le trouvez dans les résultats de /recherche et de /match."
)
OFFER_BAD_ID = (
    "« {offer_id} » n'est pas un numéro d'offre valable : c'est 6 à 10 lettres ou chiffres, "
    "par exemple <code>/offre 193XKZP</code>."
)
OFFER_NOT_FOUND = (
    "L'offre <b>{offer_id}</b> n'existe pas ou n'est plus en ligne. Cherchez d'autres offres "
    "avec /recherche."
)
OFFER_SAVE_BUTTON = "⭐ Sauvegarder"
OFFER_SAVED_BUTTON = "⭐ Sauvegardée"
OFFER_SAVED = "Offre sauvegardée dans vos /favoris."
OFFER_ALREADY_SAVED = "Cette offre est déjà dans vos /favoris."

# ---------------------------------------------------------------- /favoris
FAVOURITES_EMPTY = (
    "Vous n'avez aucune offre sauvegardée. Ouvrez une offre (/offre, /recherche, /match) et "
    "appuyez sur « ⭐ Sauvegarder »."
)
FAVOURITE_REMOVED = "Offre retirée de vos favoris."
FAVOURITE_NOT_FOUND = "Cette offre n'est plus dans vos favoris."

# ---------------------------------------------------------------- /alertes
ALERTS_TITLE = "<b>Vos alertes quotidiennes</b>"
ALERTS_STATE_ON = "Activées : vous recevez chaque jour choisi les nouvelles offres pour vous."
ALERTS_STATE_OFF = "Désactivées : vous ne recevez aucune alerte."
ALERTS_TIME = "Heure : <b>{time}</b> (heure de Paris)"
ALERTS_DAYS = "Jours : <b>{days}</b>"
ALERTS_NO_DAYS = "aucun"
ALERTS_EVERY_DAY = "tous les jours"
ALERTS_BUTTON_ON = "🔔 Activer"
ALERTS_BUTTON_OFF = "🔕 Désactiver"
ALERTS_BUTTON_OTHER_TIME = "Autre heure…"
ALERTS_ASK_TIME = "Tapez l'heure voulue au format HH:MM, par exemple <code>07:30</code>."
ALERTS_BAD_TIME = (
    "« {text} » n'est pas une heure valable. Tapez-la au format HH:MM, par exemple "
    "<code>07:30</code> ou <code>18:00</code>."
)
ALERTS_KEEP_ONE_DAY = "Gardez au moins un jour, ou désactivez les alertes."
ALERTS_TIME_SET = "C'est noté : vos alertes arriveront vers {time}."
ALERTS_NEED_PROFILE = (
    "Les alertes utilisent votre profil (métiers, ville). Tapez /start pour le créer."
)
DAY_SHORT = ("Lun", "Mar", "Mer", "Jeu", "Ven", "Sam", "Dim")
DAY_LONG = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# ---------------------------------------------------------------- /supprimer, /mesdonnees
DELETE_CONFIRM = (
    "<b>Effacer toutes vos données ?</b>\n"
    "Votre profil, vos compétences, vos favoris, vos alertes et l'historique des offres envoyées "
    "seront supprimés définitivement. Cette action est irréversible."
)
DELETE_YES = "Oui, tout effacer"
DELETE_NO = "Non, garder"
DELETE_DONE = (
    "Toutes vos données ont été effacées. Vous ne recevrez plus rien de ma part.\n"
    "Vous pouvez revenir quand vous voulez avec /start."
)
DELETE_CANCELLED = "Rien n'a été effacé."
MY_DATA_CAPTION = "Voici toutes les données que je garde sur vous (format JSON)."
MY_DATA_NONE = "Je ne garde aucune donnée sur vous."
# The export's "in_progress" part: a /start or /profil conversation not confirmed yet.
EXPORT_ONBOARDING_IN_PROGRESS = (
    "Profil en cours de création ou de modification : ces réponses ne sont enregistrées "
    "dans votre profil qu'après « Confirmer », et sont oubliées avec /annuler."
)
EXPORT_STEP_LABELS = {
    "welcome": "accueil",
    "jobs": "métiers visés",
    "skills": "compétences",
    "place": "lieu",
    "radius": "distance",
    "contracts": "contrats",
    "alerts": "alertes",
    "summary": "récapitulatif",
}

# ---------------------------------------------------------------- /stats
STATS = (
    "<b>Statistiques</b>\n"
    "Utilisateurs : {users}\n"
    "Abonnés aux alertes : {subscribers}\n"
    "Offres envoyées aujourd'hui : {sent_today}\n"
    "Erreurs France Travail (24 h) : {ft_errors}"
)
STATS_ERRORS_DETAIL = "  • {endpoint} : {count}"

# ---------------------------------------------------------------- /aide
HELP = """<b>Ce que je sais faire</b>

/start — créer ou refaire votre profil (métiers, compétences, ville, alertes)
/profil — voir et modifier votre profil
/annuler — quitter l'étape en cours de /start ou /profil

/match — vos compétences face à un métier, ce qui vous manque,
  et les 5 meilleures offres près de chez vous
  <code>/match G1803</code>
  <code>/match serveur</code>
  <code>/match</code> (vos métiers cibles)

/metiers — les métiers qui correspondent le mieux à vos compétences

/recherche — chercher des offres, 5 par page
  <code>/recherche serveur</code> (près de chez vous)
  <code>/recherche boulanger à Lyon</code>
  <code>/recherche développeur python à 33000</code>

/offre — une offre en détail, à sauvegarder
  <code>/offre 193XKZP</code>

/favoris — vos offres sauvegardées

/entreprises — entreprises qui recrutent près de chez vous (candidature spontanée)
  <code>/entreprises</code> (vos métiers, votre ville)
  <code>/entreprises serveur à Lyon</code>
  <code>/entreprises favoris</code>
/marche — le marché d'un métier : tension, offres, salaires
  <code>/marche aide-soignant</code>
  <code>/marche serveur à Lyon</code>
/evolution — les métiers vers lesquels évoluer, ce que vous couvrez déjà, ce qu'il vous manque
  <code>/evolution</code> (depuis vos métiers visés)
  <code>/evolution serveur</code>
/savoiretre — cocher vos qualités (savoir-être) pour un métier
  <code>/savoiretre</code> (votre premier métier visé)
  <code>/savoiretre aide-soignant</code>

/alertes — activer les alertes quotidiennes, choisir l'heure et les jours
  <code>/alertes 07:30</code>

/mesdonnees — recevoir toutes vos données (fichier JSON)
/supprimer — effacer toutes vos données
/aide — ce message

<b>Vos données</b>
Envoyé à France Travail : commune, distance, métiers, types de contrat et mots recherchés, \
jamais votre nom ni votre identité.
Gardé ici, jusqu'à /supprimer : votre profil, vos favoris et les offres déjà envoyées \
(pour ne pas les renvoyer).
Je ne réponds qu'en conversation privée.

Les commandes anglaises marchent aussi :
/search, /offer, /favorites, /jobs, /alerts, /mydata, /delete, /help."""
