"""French texts of the optional France Travail services: /entreprises (La Bonne Boîte) and
/marche (Marché du travail), and what the bot says when a service is off, busy or down.

Constants are valid Telegram HTML; templates are filled with values the caller escaped.
"""

from __future__ import annotations

# ---------------------------------------------------------------- menu (setMyCommands)
COMPANIES_DESCRIPTION = "Entreprises qui recrutent près de chez moi (candidature spontanée)"
MARKET_DESCRIPTION = "Le marché du travail d'un métier : tension, offres, salaires"

# ---------------------------------------------------------------- service names and states
LA_BONNE_BOITE = "La Bonne Boîte"
MARKET_SERVICE = "Marché du travail"
SERVICE_OFF = (
    "Service non activé pour ce bot : « {service} » (France Travail) n'est pas disponible ici.\n"
    "Le reste fonctionne normalement : /recherche, /match, /aide."
)
SERVICE_BUSY = "« {service} » reçoit trop de demandes : réessayez dans une minute."
SERVICE_DOWN = "« {service} » (France Travail) ne répond pas pour le moment, réessayez plus tard."
INPUT_TOO_LONG = "Votre message est trop long ({limit} caractères au plus). Par exemple : {example}"
UNKNOWN_PLACE = (
    "Je ne connais pas le lieu « {place} ». Indiquez une commune, un code postal ou un "
    "département, par exemple {example}"
)

# ---------------------------------------------------------------- /entreprises
COMPANIES_EXAMPLE = "<code>/entreprises serveur à Lyon</code>"
COMPANIES_USAGE = (
    "Indiquez un métier et un lieu, par exemple :\n"
    "<code>/entreprises serveur à Lyon</code>\n"
    "<code>/entreprises aide-soignant à 44000</code>\n"
    "Ou créez votre profil avec /start : je chercherai pour vos métiers, près de chez vous."
)
COMPANIES_UNKNOWN_JOB = (
    "Je ne trouve aucun métier pour « {words} ». Essayez par exemple "
    "<code>/entreprises boulanger</code> ou un code ROME : <code>/entreprises G1803</code>."
)
COMPANIES_NEED_PLACE = (
    "Où chercher ? Par exemple <code>/entreprises {job} à Nantes</code>, "
    "ou ajoutez votre ville avec /profil."
)
COMPANIES_TITLE = "<b>Entreprises qui recrutent : {job}</b>\nPrès de {place} · {km} km · {count}"
COMPANIES_NONE = (
    "Aucune entreprise repérée pour <b>{job}</b> à {km} km de {place}. "
    "Essayez une ville plus grande ou un autre métier."
)
COMPANIES_HOW_TO_APPLY = (
    "<i>Candidature spontanée :</i> CV et quelques lignes sur le poste visé. "
    "Sans e-mail connu, déposez-les sur place ou passez par "
    '<a href="https://labonneboite.francetravail.fr">La Bonne Boîte</a>.'
)
COMPANY_HIGH_POTENTIAL = "🔥 fort potentiel d'embauche"
COMPANY_POTENTIAL = "potentiel d'embauche {score}/10"
COMPANY_EMAIL_YES = "✉️ candidature par e-mail possible"
COMPANY_EMAIL_NO = "pas d'e-mail connu"
COMPANY_SAVE_BUTTON = "⭐ {n}"
COMPANY_SAVED = (
    "Entreprise sauvegardée : {name}. Revoyez-les avec <code>/entreprises favoris</code>."
)
COMPANY_ALREADY_SAVED = "Cette entreprise est déjà dans vos favoris."
COMPANY_REMOVED = "Entreprise retirée de vos favoris."
COMPANIES_SAVED_TITLE = "<b>Mes entreprises sauvegardées</b>"
COMPANIES_SAVED_NONE = "Aucune entreprise sauvegardée. Tapez /entreprises pour en trouver."
COMPANY_REMOVE_BUTTON = "🗑 {n}"
COMPANIES_FULL = "Vous avez déjà {limit} entreprises sauvegardées : retirez-en une d'abord."


def employees(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "effectif inconnu"
    if low is not None and high is not None and low != high:
        return f"{low} à {high} salariés"
    count = high if high is not None else low
    return f"{count} salarié" if count == 1 else f"{count} salariés"


def companies_count(count: int) -> str:
    return "1 entreprise" if count == 1 else f"{count} entreprises"


# ---------------------------------------------------------------- /marche
MARKET_EXAMPLE = "<code>/marche serveur à Lyon</code>"
MARKET_USAGE = (
    "Indiquez un métier, par exemple :\n"
    "<code>/marche serveur</code> (votre département)\n"
    "<code>/marche aide-soignant à Lyon</code>\n"
    "<code>/marche G1803 69</code>"
)
MARKET_UNKNOWN_JOB = (
    "Je ne trouve aucun métier pour « {words} ». Essayez par exemple "
    "<code>/marche boulanger</code> ou un code ROME : <code>/marche G1803</code>."
)
MARKET_TITLE = "<b>Marché du travail : {job}</b>\n{territory}{period}"
MARKET_TENSION = "Tension de recrutement : {bar} {level}/5, {word}"
MARKET_FACTORS = "Pourquoi :"
MARKET_FACTOR = "• {label} : {level}/5"
MARKET_OFFERS = "Offres sur le trimestre : {count}"
MARKET_HIRES = "Embauches sur le trimestre : {count}"
MARKET_SALARY = "Salaire brut mensuel : {low} à {high} € (médian {median} €)"
MARKET_EMPTY = "Pas encore de chiffres pour <b>{job}</b> sur ce territoire."
MARKET_SOURCE = "<i>Source : France Travail, Marché du travail.</i>"
MARKET_FRANCE = "France entière"
TENSION_WORDS = {1: "très faible", 2: "faible", 3: "moyenne", 4: "forte", 5: "très forte"}


def thousands(value: float) -> str:
    """12 345 with a narrow no-break space, as French writes it."""
    return f"{round(value):,}".replace(",", "\u202f")
