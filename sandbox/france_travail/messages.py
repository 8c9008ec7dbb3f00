"""The 400 messages of the offers API, word for word where they were recorded live.

Production clients match these texts (``tests/test_ft_samples.py`` checks them against the
recorded samples), so they live in one place.
"""

from __future__ import annotations

MSG_RANGE_FORMAT = "Format du paramètre « range » incorrect. <entier>-<entier> attendu."
MSG_RANGE_TOO_WIDE = "La plage de résultats demandée est trop importante."
MSG_RANGE_START = "La position de début doit être inférieure ou égale à {max_start}."
MSG_RANGE_END = "La position de fin doit être inférieure ou égale à {max_end}."  # guessed wording
MSG_VALUE = "Valeur du paramètre « {name} » incorrecte."
MSG_FORMAT = "Format du paramètre « {name} » incorrect."  # generic, guessed wording
MSG_MOTS_CLES = (
    "Format du paramètre « motsCles » incorrect. 7 mots-clé au maximum séparés par des virgules "
    "et d'au moins 2 caractères."
)
MSG_TEMPS_PLEIN = "Format du paramètre « tempsPlein » incorrect. Booléen attendu."
MSG_EXPERIENCE_EXIGENCE = "Format du paramètre « experienceExigence » incorrect. D, E ou S attendu."
MSG_CHAMPS = "Le paramètre « champs » est incorrect."  # guessed wording
MSG_OFFER_ID = "Le format de l'id de l'offre recherchée est incorrect."

MSG_GRAND_DOMAINE = (
    "Format du paramètre « grandDomaine » incorrect. A, B, C, C15, D, E, F, G, H, I, J, K, L, "
    "L14, M15, M18, M, M16, M17, M13, M14 ou N attendu."
)
