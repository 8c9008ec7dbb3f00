"""French texts shared by every part of the bot (HTML, already escaped where static)."""

from __future__ import annotations

from bot.render import escape

BOT_NAME = "Bot Emploi France Travail"

FT_UNAVAILABLE = "France Travail ne répond pas pour le moment, réessayez dans quelques minutes."
UNEXPECTED_ERROR = (
    "Désolé, quelque chose s'est mal passé de notre côté. Réessayez dans un instant ; "
    "si cela continue, tapez /aide."
)
STALE_BUTTON = "Ce bouton n'est plus valable."
STALE_BUTTON_MESSAGE = (
    "Ce bouton n'est plus valable. Tapez /profil pour voir votre profil ou /aide pour la liste "
    "des commandes."
)
NO_PROFILE = (
    "Vous n'avez pas encore de profil. Tapez /start pour le créer en deux minutes "
    "(métiers visés, compétences, lieu)."
)
CANCELLED = (
    "C'est annulé : rien n'a été enregistré. Tapez /start pour recommencer quand vous voulez."
)
CANCELLED_PROFILE_KEPT = (
    "C'est annulé : votre profil enregistré n'a pas changé. Tapez /profil pour le voir."
)
NOTHING_TO_CANCEL = "Il n'y a rien à annuler. Tapez /aide pour voir ce que je sais faire."
UNKNOWN_COMMAND = "Je ne connais pas cette commande. Tapez /aide pour la liste des commandes."
NOT_UNDERSTOOD = (
    "Je n'ai pas compris. Tapez /aide pour la liste des commandes, "
    "ou /start pour créer votre profil."
)
READY_LOG = "ready as @{username}"

# Command menu (setMyCommands) for the commands this part owns; others add theirs via COMMANDS.
MENU_START = "Créer ou refaire mon profil"
MENU_PROFILE = "Voir et modifier mon profil"
MENU_CANCEL = "Annuler l'étape en cours"


def hello(first_name: str | None) -> str:
    return f"Bonjour {escape(first_name)} !" if first_name else "Bonjour !"


# --- groups (bot/private_chat.py) ------------------------------------------------------------
WRITE_IN_PRIVATE = (
    "🔒 Écrivez-moi en privé : votre profil, vos favoris et vos alertes restent dans notre "
    "conversation privée, jamais dans un groupe."
)
WRITE_IN_PRIVATE_SHORT = "Écrivez-moi en privé."
OPEN_PRIVATE_CHAT = "Ouvrir la conversation privée"
