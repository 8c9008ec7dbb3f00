"""French texts of « Tester maintenant » (/alertes) and /demo_alerte: why an alert is empty."""

from __future__ import annotations

ALERT_TEST_BUTTON = "▶️ Tester maintenant"
ALERT_TEST_NEED_JOB = (
    "Votre alerte n'a rien à chercher : ajoutez d'abord un métier visé avec /profil."
)
ALERT_TEST_NOTHING_NEW = (
    "Aucune nouvelle offre publiée depuis le {since} pour vos critères : {criteria}."
)
ALERT_TEST_ALL_SENT = (
    "Les {count} offres publiées depuis le {since} pour vos critères ({criteria}) vous ont déjà "
    "toutes été envoyées : une offre n'est jamais envoyée deux fois."
)
ALERT_TEST_ONE_SENT = (
    "La seule offre publiée depuis le {since} pour vos critères ({criteria}) vous a déjà été "
    "envoyée : une offre n'est jamais envoyée deux fois."
)
ALERT_TEST_BELOW = (
    "{count} nouvelle(s) offre(s) publiée(s) depuis le {since} pour vos critères ({criteria}), "
    "mais aucune ne correspond assez à votre profil (métiers et compétences) pour une alerte."
)
ALERT_TEST_BELOW_AND_SENT = " {count} autre(s) vous ont déjà été envoyée(s)."
ALERT_TEST_WIDEN = "Élargissez votre recherche, ou changez métiers et contrats avec /profil."
ALERT_TEST_CHANGE = "Pour changer de métiers, de lieu ou de contrats : /profil."
ALERT_TEST_WIDEN_RADIUS = "📍 Élargir à {km} km"
ALERT_TEST_WIDEN_FRANCE = "🇫🇷 Toute la France"
ALERT_TEST_WIDENED_RADIUS = (
    "C'est noté : vos alertes cherchent désormais à {km} km autour de {place}."
)
ALERT_TEST_WIDENED_FRANCE = "C'est noté : vos alertes cherchent désormais dans toute la France."
ALERT_TEST_NO_PLACE = "toute la France"
ALERT_TEST_RADIUS = "{place}, {km} km"
ALERT_TEST_ALL_CONTRACTS = "tous contrats"
ALERT_TEST_BUSY = "Les alertes sont en cours d'envoi : réessayez dans quelques minutes."
