"""French texts of the onboarding conversation (/start) and of /profil (HTML)."""

from __future__ import annotations

from bot.render import escape

MAX_JOBS = 3
MAX_SKILLS = 30
MAX_SKILL_LENGTH = 80
JOB_EXAMPLES = "« serveuse », « aide-soignant », « développeur python », « G1803 »"

# --- buttons --------------------------------------------------------------------------------
BTN_KEEP = "Garder mon profil"
BTN_RESTART = "Recommencer"
BTN_DONE = "Terminé"
BTN_CONFIRM = "✅ Confirmer"
BTN_EDIT = "✏️ Modifier"
BTN_ALERTS_OFF = "Pas d'alertes"
BTN_SHARE_LOCATION = "📍 Partager ma position"
BTN_SKIP = "Passer"
BTN_BACK = "↩️ Retour"

# --- welcome ------------------------------------------------------------------------------
# True to the code: France Travail gets the search criteria only (bot/handlers/search.py,
# bot/alerts/fetching.py); storage keeps rows until /supprimer (no expiry, docs/storage.md).
PRIVACY_SHORT = (
    "🔒 À France Travail, j'envoie seulement la commune, la distance, les métiers, les types "
    "de contrat et les mots de vos recherches, jamais votre nom ni votre identité. Je garde "
    "votre profil, vos favoris et les offres déjà envoyées jusqu'à ce que vous effaciez tout "
    "avec /supprimer."
)


def welcome(first_name: str | None) -> str:
    hello = f"Bonjour {escape(first_name)} !" if first_name else "Bonjour !"
    return (
        f"{hello} Je vous aide à trouver les offres d'emploi de France Travail qui "
        "correspondent à vos compétences, près de chez vous, et je peux vous envoyer chaque "
        "jour les nouvelles offres.\n\n"
        f"{PRIVACY_SHORT}\n\n"
        "Tapez /annuler pour vous arrêter en cours de route."
    )


WELCOME_EXISTING = (
    "Vous avez déjà un profil. Voulez-vous le garder ou recommencer depuis le début ?"
)
KEPT = (
    "Parfait, votre profil est inchangé. Tapez /profil pour le voir ou /match pour comparer "
    "vos compétences à vos métiers visés."
)
RESUMED = "Reprenons où nous en étions (ou tapez /annuler pour tout arrêter)."

# --- jobs ---------------------------------------------------------------------------------
ASK_JOB = (
    "<b>Étape 1/5 — Métiers visés</b>\n"
    "Quel métier recherchez-vous ? Écrivez-le avec vos mots, par exemple "
    f"{JOB_EXAMPLES}."
)
ASK_JOB_MORE = "Vous pouvez ajouter un autre métier (écrivez-le), ou appuyer sur « Terminé »."


REPHRASE_JOB = f"Sinon, écrivez le métier autrement, par exemple {JOB_EXAMPLES}."


def job_choices(query: str, why: str = "") -> str:
    """Recognised jobs for the typed words, offered as buttons; ``why`` says how they were
    found ("lieu de travail : …", "titre ROME : …")."""
    reason = f"\n<i>{escape(why)}</i>" if why else ""
    return f"Voici ce que je trouve pour « {escape(query)} ». Lequel correspond ?{reason}"


def job_close_matches(query: str) -> str:
    """No job recognised with confidence: the close matches are only suggestions."""
    return (
        f"Je n'ai pas reconnu de métier dans « {escape(query)} ». Vouliez-vous dire… ?\n"
        f"{REPHRASE_JOB}"
    )


def job_not_found(query: str) -> str:
    return (
        f"Je ne trouve aucun métier pour « {escape(query)} ». Essayez avec d'autres mots, "
        f"par exemple {JOB_EXAMPLES}."
    )


def job_not_words(query: str) -> str:
    """Code, markup or SQL-looking text typed as a job."""
    return (
        f"« {escape(query)} » ne ressemble pas à un métier. Écrivez-le avec des mots, "
        f"par exemple {JOB_EXAMPLES}."
    )


def job_is_place(place: str) -> str:
    """A town typed at the job step: the place is asked for at its own step."""
    return (
        f"{escape(place)} est un lieu : quel métier cherchez-vous ?\n"
        "<i>La commune se choisit à une autre étape.</i>"
    )


def job_added(label: str, code: str, jobs: list[tuple[str, str]]) -> str:
    listing = "\n".join(f"• {escape(lab)} ({escape(c)})" for c, lab in jobs)
    return f"Ajouté : <b>{escape(label)}</b> ({escape(code)}).\n\nVos métiers :\n{listing}\n\n" + (
        ASK_JOB_MORE if len(jobs) < MAX_JOBS else "C'est le maximum de 3 métiers."
    )


def job_already(label: str) -> str:
    return f"« {escape(label)} » est déjà dans votre liste."


JOB_LIMIT = "Vous avez déjà choisi 3 métiers, c'est le maximum. Appuyez sur « Terminé »."
JOB_NEED_ONE = "Choisissez au moins un métier avant de continuer : écrivez un métier."
UNKNOWN_ROME_CODE = "Ce code ROME n'existe pas. Un code ROME ressemble à « G1803 »."

# --- skills -------------------------------------------------------------------------------
ASK_SKILLS = (
    "<b>Étape 2/5 — Vos compétences</b>\n"
    "Écrivez ce que vous savez faire, séparé par des virgules ou une par ligne, par exemple : "
    "« accueil, service en salle, hygiène ».\n"
    "Vous pouvez aussi cocher ci-dessous les compétences clés de vos métiers, puis appuyer "
    "sur « Terminé »."
)


def skills_now(skills: list[str]) -> str:
    if not skills:
        return "Aucune compétence pour l'instant."
    listing = "\n".join(f"• {escape(s)}" for s in skills)
    return f"Vos compétences ({len(skills)}) :\n{listing}"


def skills_added(added: int, skills: list[str]) -> str:
    head = "Compétence ajoutée." if added == 1 else f"{added} compétences ajoutées."
    return f"{head}\n\n{skills_now(skills)}\n\nAjoutez-en d'autres ou appuyez sur « Terminé »."


SKILLS_NEED_ONE = (
    "Indiquez au moins une compétence (écrivez-la, ou cochez-en une ci-dessous) avant de continuer."
)
SKILLS_LIMIT = f"Vous avez atteint le maximum de {MAX_SKILLS} compétences."
SKILLS_TOO_LONG = (
    f"Une compétence doit faire au plus {MAX_SKILL_LENGTH} caractères : "
    "séparez-les par des virgules, par exemple « accueil, service en salle »."
)
SKILLS_NOTHING = (
    "Je n'ai pas trouvé de compétence dans ce message. Écrivez des mots, par exemple "
    "« accueil, service en salle, hygiène »."
)

# --- place --------------------------------------------------------------------------------
ASK_PLACE = (
    "<b>Étape 3/5 — Où cherchez-vous ?</b>\n"
    "Écrivez une ville, un code postal ou un arrondissement (« Lyon 3e », « 75015 »), "
    "ou partagez votre position avec le bouton ci-dessous."
)
PLACE_CHOICES = "Plusieurs communes correspondent. Laquelle ?"
PLACE_UNSURE = "Je ne suis pas sûr d'avoir bien compris. Vouliez-vous dire l'une de ces communes ?"
BTN_PLACE_NONE = "Aucune, je retape"
ASK_PLACE_AGAIN = (
    "D'accord. Écrivez à nouveau la ville ou son code postal (« Lille », « 33000 »), "
    "ou partagez votre position."
)


def place_bad_characters(query: str) -> str:
    shown = query if len(query) <= 40 else query[:40] + "…"
    return (
        f"« {escape(shown)} » ne ressemble pas à un nom de commune. Écrivez seulement le nom "
        "de la ville ou son code postal, par exemple « Lille », « 33000 » ou « Paris 15 »."
    )


def place_not_found(query: str) -> str:
    return (
        f"Je ne trouve pas de commune pour « {escape(query)} ». Essayez le nom de la ville ou "
        "son code postal, par exemple « Lille », « 33000 » ou « Paris 15 »."
    )


PLACE_LOCATION_UNKNOWN = (
    "Je n'ai pas trouvé de commune près de cette position. Écrivez plutôt le nom de la ville."
)


def place_chosen(place_label: str) -> str:
    return f"📍 Commune : <b>{escape(place_label)}</b>"


ASK_RADIUS = "<b>Étape 4/5 — Distance</b>\nJusqu'à quelle distance êtes-vous prêt(e) à aller ?"


RADIUS_USE_BUTTONS = "Choisissez une distance avec les boutons ci-dessous (5 à 100 km)."


def radius_out_of_range(km: int, lowest: int, highest: int) -> str:
    return (
        f"{km} km, ce n'est pas possible : choisissez une distance de {lowest} à {highest} km, "
        "avec les boutons ou en l'écrivant (par exemple « 15 km »)."
    )


def radius_chosen(km: int) -> str:
    return f"Distance : jusqu'à {km} km."


# --- alerts -------------------------------------------------------------------------------
ASK_ALERTS = (
    "<b>Étape 5/5 — Alertes</b>\n"
    "Voulez-vous recevoir chaque jour les nouvelles offres qui vous correspondent ? "
    "Choisissez l'heure (heure de Paris) ou écrivez-en une comme « 9:30 »."
)
BAD_TIME = (
    "Je n'ai pas compris l'heure. Écrivez-la comme « 8:00 » ou « 18h30 », ou utilisez les boutons."
)

# --- summary ------------------------------------------------------------------------------
SUMMARY_TITLE = "<b>Votre profil</b>"
SUMMARY_QUESTION = "Tout est correct ?"
SAVED = "✅ Profil enregistré !"
CHOOSE_WHAT_TO_EDIT = "Que voulez-vous modifier ?"


def first_match_hint(code: str | None) -> str:
    if code:
        return (
            f"Essayez maintenant <code>/match {escape(code)}</code> pour voir vos compétences face "
            "à ce métier et les meilleures offres près de chez vous."
        )
    return "Essayez maintenant /match pour voir les meilleures offres près de chez vous."


TIMEOUT = (
    "Je n'ai pas eu de réponse depuis un moment, j'arrête là pour l'instant : rien n'a été "
    "enregistré. Tapez /start quand vous voulez reprendre."
)
USE_TEXT = "Je n'attends pas ce type de message ici. Répondez par écrit ou avec les boutons."
USE_BUTTONS = "Utilisez les boutons ci-dessous."
EMPTY_MESSAGE = "Votre message est vide. Écrivez quelques mots."
TOO_LONG = "Votre message est trop long. Quelques mots suffisent."
ONLY_SYMBOLS = "Je n'ai pas trouvé de mots dans votre message. Écrivez avec des lettres."

# --- /profil ------------------------------------------------------------------------------
PROFILE_EDIT_JOBS = "Métiers"
PROFILE_EDIT_SKILLS = "Compétences"
PROFILE_EDIT_PLACE = "Lieu"
PROFILE_EDIT_RADIUS = "Distance"
PROFILE_EDIT_CONTRACTS = "Contrats"
PROFILE_EDIT_ALERTS = "Alertes"
PROFILE_EDIT_ALL = "Tout refaire"
PROFILE_UPDATED = "✅ Profil mis à jour."
ASK_CONTRACTS = (
    "Quels types de contrat vous intéressent ? Cochez-les, puis appuyez sur « Terminé » "
    "(aucun coché = tous)."
)
CONTRACT_LABELS = {
    "CDI": "CDI",
    "CDD": "CDD",
    "MIS": "Intérim",
    "SAI": "Saisonnier",
    "LIB": "Indépendant",
}


def profile_card(
    *,
    jobs: list[tuple[str, str]],
    skills: list[str],
    place_label: str | None,
    radius_km: int | None,
    contract_types: list[str],
    alerts_enabled: bool,
    alert_time: str | None,
    alert_days: str | None = None,
    title: str = SUMMARY_TITLE,
    extra_lines: list[str] | None = None,
) -> str:
    """The profile as a card (summary of onboarding, /profil). All values plain, escaped here."""
    job_lines = "\n".join(f"  • {escape(label)} ({escape(code)})" for code, label in jobs)
    skill_text = ", ".join(escape(s) for s in skills) if skills else "aucune"
    if place_label:
        place = escape(place_label)
        if radius_km is not None:
            place += f", jusqu'à {radius_km} km"
    else:
        place = "non indiqué"
    contracts = (
        ", ".join(escape(CONTRACT_LABELS.get(c, c)) for c in contract_types)
        if contract_types
        else "tous"
    )
    if alerts_enabled and alert_time:
        alerts = f"chaque jour à {escape(alert_time)} (heure de Paris)"
        if alert_days and alert_days != "tous les jours":
            alerts = f"{escape(alert_days)} à {escape(alert_time)} (heure de Paris)"
    else:
        alerts = "désactivées"
    return (
        f"{title}\n\n"
        f"<b>Métiers visés :</b>\n{job_lines or '  aucun'}\n"
        f"<b>Compétences :</b> {skill_text}\n"
        f"<b>Lieu :</b> {place}\n"
        f"<b>Contrats :</b> {contracts}\n"
        f"<b>Alertes :</b> {alerts}" + "".join(f"\n{line}" for line in extra_lines or ())
    )
