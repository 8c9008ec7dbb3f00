"""French texts of /evolution (career moves from the ROME mobility links) and /savoiretre (the
soft skills a person ticks for a métier, from Match via Soft Skills).

Constants are valid Telegram HTML; templates are filled with values the caller escaped.
"""

from __future__ import annotations

# ---------------------------------------------------------------- menu (setMyCommands)
EVOLUTION_DESCRIPTION = "Évolution : les métiers proches du mien et ce qu'il me manque"
SOFT_SKILLS_DESCRIPTION = "Savoir-être : cocher mes qualités pour un métier"

# ---------------------------------------------------------------- /evolution
EVOLUTION_NO_PROFILE = (
    "Pour vous proposer des évolutions, il me faut vos métiers visés et vos compétences. "
    "Tapez /start pour créer votre profil en deux minutes, puis /evolution."
)
EVOLUTION_NO_TARGETS = (
    "Votre profil n'a pas encore de métier visé. Ajoutez-en un avec /profil, puis /evolution."
)
EVOLUTION_NONE = (
    "Le répertoire des métiers (ROME) ne propose pas d'évolution depuis {jobs}. "
    "Essayez /metiers pour voir les métiers proches de vos compétences."
)
EVOLUTION_TITLE = "<b>Évolutions possibles depuis {jobs}</b>"
EVOLUTION_INTRO = "Classées selon la part de leurs compétences clés que vous couvrez déjà."
EVOLUTION_MOVE = "{n}. <b>{label}</b> ({code}) — {covers}"
EVOLUTION_FROM = "   depuis {origin}"
EVOLUTION_TENSION = "   Tension de recrutement : {bar} {level}/5, {word}"
EVOLUTION_TO_ADD = "   À acquérir : {skills}"
EVOLUTION_NOTHING_TO_ADD = "   Vous montrez déjà les compétences clés."
EVOLUTION_MARKET_LATER = (
    "<i>Tension de recrutement indisponible pour le moment (Marché du travail).</i>"
)
EVOLUTION_SOURCE = "<i>Source : ROME 4.0, France Travail (mobilités entre métiers).</i>"
EVOLUTION_ADD_SKILLS = "Vous avez ces compétences ? Ajoutez-les avec /profil."
EVOLUTION_MATCH_BUTTON = "🎯 {n}"
EVOLUTION_UNKNOWN_WORDS = (
    "Je ne trouve aucun métier pour « {words} ». Tapez <code>/evolution</code> pour vos métiers "
    "visés, ou par exemple <code>/evolution boulanger</code>, <code>/evolution G1803</code>."
)
EVOLUTION_TOO_LONG = (
    "Votre message est trop long ({limit} caractères au plus). "
    "Par exemple : <code>/evolution serveur</code>"
)
EVOLUTION_UNKNOWN_JOB = "Ce métier n'est plus dans le répertoire : tapez /evolution."
TENSION_WORDS = {1: "très faible", 2: "faible", 3: "moyenne", 4: "forte", 5: "très forte"}

# ---------------------------------------------------------------- /savoiretre
SOFT_SKILLS_SERVICE = "Match via Soft Skills"
SOFT_SKILLS_USAGE = (
    "Indiquez un métier, par exemple :\n"
    "<code>/savoiretre serveur</code>\n"
    "<code>/savoiretre G1803</code>\n"
    "Ou créez votre profil avec /start : je prendrai votre premier métier visé."
)
SOFT_SKILLS_UNKNOWN_JOB = (
    "Je ne trouve aucun métier pour « {words} ». Essayez par exemple "
    "<code>/savoiretre boulanger</code> ou un code ROME : <code>/savoiretre G1803</code>."
)
SOFT_SKILLS_TOO_LONG = (
    "Votre message est trop long ({limit} caractères au plus). "
    "Par exemple : <code>/savoiretre serveur</code>"
)
SOFT_SKILLS_TITLE = "<b>Savoir-être : {job}</b>"
SOFT_SKILLS_INTRO = (
    "Les qualités que les employeurs attendent le plus pour ce métier. "
    "Touchez celles que vous avez : /match les compte à part (savoir-être), "
    "sans jamais baisser la couverture de vos compétences."
)
SOFT_SKILLS_SHARE = "Savoir-être coché : {count} sur {total} · {percent} % de l'attendu"
SOFT_SKILLS_NONE = "France Travail n'a pas de savoir-être repéré pour <b>{job}</b>."
SOFT_SKILLS_SOURCE = "<i>Source : France Travail, Match via Soft Skills.</i>"
SOFT_SKILL_TICKED = "✅ {label}"
SOFT_SKILL_UNTICKED = "▫️ {label}"
SOFT_SKILLS_STALE = "Cette liste a changé : tapez /savoiretre pour la revoir."
SOFT_SKILLS_UNAVAILABLE = "Savoir-être indisponible pour le moment, réessayez plus tard."
# The line /match shows under the skills coverage (see bot.soft_skill_profile.coverage_line).
SOFT_SKILLS_MATCH_LINE = "Savoir-être : {percent} % de l'attendu ({count} qualités cochées)"
SOFT_SKILLS_MATCH_LINE_ONE = "Savoir-être : {percent} % de l'attendu (1 qualité cochée)"
