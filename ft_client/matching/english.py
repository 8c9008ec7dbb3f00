"""English job words read in French: « warehouse operator », « kitchen porter », « executive
assistant », « farm worker », « payroll ».

ROME titles are French (a few English ones aside: « Data analyst », « Community manager »), and
the alias table knows a few whole English titles; any other English title read nothing or
nonsense (« youth worker » → a wind-farm project manager). Here an English query is translated
word by word with a general glossary of the English words of job titles (written from general
knowledge, not from any benchmark query), after a few whole phrases whose words mean something
else one by one (« kitchen porter » is a dishwasher, « social worker » an assistant social);
``find_jobs`` then reads the French words (titles and aliases) at a small discount.

Only a query with at least one English-only word is translated: a word of the glossary that
no ROME title uses (« worker », « warehouse »). « manager », « assistant », « chef » or « agent »
alone are French title words too and translate nothing by themselves.
"""

from __future__ import annotations

from ft_client.textnorm import MAX_QUERY_CHARS, canonical_word, normalize

# Whole English phrases whose words, one by one, say something else (normalised text).
PHRASES: dict[str, str] = {
    "kitchen porter": "plongeur",
    "kitchen assistant": "commis de cuisine",
    "kitchen hand": "commis de cuisine",
    "line cook": "cuisinier",
    "prep cook": "commis de cuisine",
    "head chef": "chef de cuisine",
    "sous chef": "second de cuisine",
    "pastry chef": "patissier",
    "room attendant": "femme de chambre",
    "flight attendant": "hotesse de l air",
    "cabin crew": "hotesse de l air",
    "parking attendant": "gardien de parking",
    "petrol station attendant": "pompiste",
    "gas station attendant": "pompiste",
    "shop assistant": "vendeur",
    "sales assistant": "vendeur",
    "sales associate": "vendeur",
    "sales advisor": "conseiller de vente",
    "sales representative": "commercial",
    "sales rep": "commercial",
    "store manager": "responsable de magasin",
    "shop manager": "responsable de magasin",
    "shelf stacker": "employe de rayon",
    "order picker": "preparateur de commandes",
    "fruit picker": "cueilleur",
    "social worker": "assistant social",
    "youth worker": "animateur jeunesse",
    "care worker": "auxiliaire de vie",
    "support worker": "auxiliaire de vie",
    "home carer": "aide a domicile",
    "home care": "aide a domicile",
    "nursing assistant": "aide soignant",
    "nurse assistant": "aide soignant",
    "health care assistant": "aide soignant",
    "healthcare assistant": "aide soignant",
    "teaching assistant": "accompagnant des eleves en situation de handicap",
    "personal assistant": "assistant de direction",
    "executive assistant": "assistant de direction",
    "office manager": "responsable administratif",
    "data entry": "operateur de saisie",
    "data entry clerk": "operateur de saisie",
    "key account manager": "responsable grands comptes",
    "account executive": "commercial",
    "business developer": "developpeur commercial",
    "business development": "developpeur commercial",
    "talent acquisition": "charge de recrutement",
    "real estate agent": "agent immobilier",
    "estate agent": "agent immobilier",
    "real estate": "immobilier",
    "personal trainer": "coach sportif",
    "fitness instructor": "coach sportif",
    "driving instructor": "moniteur auto ecole",
    "help desk": "technicien support",
    "helpdesk": "technicien support",
    "team leader": "chef d equipe",
    "team manager": "chef d equipe",
    "site manager": "chef de chantier",
    "project manager": "chef de projet",
    "product manager": "chef de produit",
    "bank teller": "guichetier",
    "bank clerk": "guichetier",
    "mail carrier": "facteur",
    "lorry driver": "conducteur poids lourd",
    "bus driver": "conducteur de bus",
    "crane operator": "grutier",
    "machine operator": "conducteur de machine",
    "production operator": "operateur de production",
    "assembly line worker": "operateur de production",
    "factory worker": "ouvrier de production",
    "construction worker": "ouvrier du batiment",
    "farm worker": "ouvrier agricole",
    "farm hand": "ouvrier agricole",
    "farmhand": "ouvrier agricole",
    "cleaning lady": "femme de menage",
    "customer service": "service client",
    "customer success": "charge de clientele",
    "call center agent": "teleconseiller",
    "call centre agent": "teleconseiller",
}

# English word → French words (normalised). General knowledge of job titles' English words.
WORDS: dict[str, str] = {
    # people and roles
    "worker": "ouvrier",
    "workers": "ouvrier",
    "labourer": "manoeuvre",
    "laborer": "manoeuvre",
    "operator": "operateur",
    "driver": "chauffeur",
    "officer": "agent",
    "clerk": "employe",
    "attendant": "employe",
    "advisor": "conseiller",
    "adviser": "conseiller",
    "counselor": "conseiller",
    "counsellor": "conseiller",
    "engineer": "ingenieur",
    "technician": "technicien",
    "mechanic": "mecanicien",
    "electrician": "electricien",
    "plumber": "plombier",
    "carpenter": "menuisier",
    "joiner": "menuisier",
    "painter": "peintre",
    "builder": "macon",
    "bricklayer": "macon",
    "mason": "macon",
    "roofer": "couvreur",
    "tiler": "carreleur",
    "plasterer": "plaquiste",
    "glazier": "vitrier",
    "locksmith": "serrurier",
    "welder": "soudeur",
    "scaffolder": "echafaudeur",
    "foreman": "chef de chantier",
    "surveyor": "geometre",
    "draughtsman": "dessinateur",
    "draftsman": "dessinateur",
    "cook": "cuisinier",
    "baker": "boulanger",
    "butcher": "boucher",
    "fishmonger": "poissonnier",
    "grocer": "epicier",
    "caterer": "traiteur",
    "waiter": "serveur",
    "waitress": "serveur",
    "bartender": "barman",
    "dishwasher": "plongeur",
    "cashier": "caissier",
    "seller": "vendeur",
    "salesperson": "vendeur",
    "salesman": "commercial",
    "saleswoman": "commercial",
    "sales": "vente",
    "retail": "vente",
    "buyer": "acheteur",
    "purchasing": "achat",
    "nurse": "infirmier",
    "nursing": "soin",
    "doctor": "medecin",
    "physician": "medecin",
    "pharmacist": "pharmacien",
    "dentist": "chirurgien dentiste",
    "dental": "dentaire",
    "vet": "veterinaire",
    "veterinarian": "veterinaire",
    "physiotherapist": "kinesitherapeute",
    "psychologist": "psychologue",
    "midwife": "sage femme",
    "caregiver": "auxiliaire de vie",
    "carer": "auxiliaire de vie",
    "nanny": "garde d enfant",
    "childminder": "assistant maternel",
    "babysitter": "garde d enfant",
    "teacher": "professeur",
    "tutor": "formateur",
    "trainer": "formateur",
    "instructor": "moniteur",
    "lifeguard": "maitre nageur",
    "educator": "educateur",
    "receptionist": "receptionniste",
    "secretary": "secretaire",
    "accountant": "comptable",
    "bookkeeper": "comptable",
    "accounting": "comptabilite",
    "payroll": "gestionnaire de paie",
    "auditor": "auditeur",
    "lawyer": "avocat",
    "paralegal": "assistant juridique",
    "legal": "juridique",
    "recruiter": "recruteur",
    "recruitment": "recrutement",
    "hr": "ressources humaines",
    "developer": "developpeur",
    "programmer": "developpeur",
    "tester": "testeur",
    "writer": "redacteur",
    "copywriter": "concepteur redacteur",
    "editor": "redacteur",
    "proofreader": "correcteur",
    "translator": "traducteur",
    "interpreter": "interprete",
    "journalist": "journaliste",
    "photographer": "photographe",
    "hairdresser": "coiffeur",
    "barber": "barbier",
    "barbershop": "barbier",
    "beautician": "estheticien",
    "florist": "fleuriste",
    "gardener": "jardinier",
    "landscaper": "paysagiste",
    "farmer": "agriculteur",
    "picker": "preparateur de commandes",
    "packer": "emballeur",
    "storekeeper": "magasinier",
    "courier": "coursier",
    "rider": "coursier",
    "mover": "demenageur",
    "postman": "facteur",
    "mailman": "facteur",
    "janitor": "agent d entretien",
    "caretaker": "gardien",
    "doorman": "portier",
    "guard": "agent de securite",
    "cleaner": "agent de proprete",
    "housekeeper": "employe d etage",
    "steward": "steward",
    "pilot": "pilote",
    "inspector": "controleur",
    "controller": "controleur",
    "analyst": "analyste",
    "researcher": "chercheur",
    "scientist": "chercheur",
    "supervisor": "superviseur",
    "leader": "chef",
    "chief": "chef",
    "head": "chef",
    "director": "directeur",
    "manager": "responsable",
    "executive": "direction",
    "helper": "aide",
    "apprentice": "apprenti",
    "intern": "stagiaire",
    "assembler": "monteur",
    # workplaces, sectors and objects
    "warehouse": "entrepot",
    "forklift": "cariste",
    "truck": "poids lourd",
    "lorry": "poids lourd",
    "delivery": "livreur",
    "kitchen": "cuisine",
    "room": "chambre",
    "hotel": "hotel",
    "shop": "magasin",
    "store": "magasin",
    "bakery": "boulangerie",
    "factory": "usine",
    "farm": "agricole",
    "construction": "batiment",
    "building": "batiment",
    "cleaning": "nettoyage",
    "housekeeping": "menage",
    "childcare": "garde d enfant",
    "elderly": "personnes agees",
    "home": "domicile",
    "care": "soin",
    "youth": "jeunesse",
    "school": "ecole",
    "customer": "client",
    "office": "bureau",
    "administrative": "administratif",
    "logistics": "logistique",
    "supply": "approvisionnement",
    "quality": "qualite",
    "maintenance": "maintenance",
    "repair": "reparation",
    "software": "logiciel",
    "network": "reseau",
    "insurance": "assurance",
    "bank": "banque",
    "banking": "banque",
    "finance": "finance",
    "financial": "financier",
    "tax": "fiscal",
    "marketing": "marketing",
    "growth": "marketing",
    "graphic": "graphique",
    "security": "securite",
    "safety": "securite",
    "airport": "aeroport",
    "entry": "saisie",
    "account": "clientele",
    "key": "grands comptes",
    "business": "affaires",
    "human": "humaines",
    "resources": "ressources",
    "agricultural": "agricole",
    "seasonal": "saisonnier",
    "night": "nuit",
    "assistant": "assistant",
    "agent": "agent",
    "chef": "chef",
    "data": "donnees",
}


class EnglishReader:
    """Translates an English job title into French words, for the titles and aliases."""

    def __init__(self, french_words: frozenset[str]) -> None:
        # A glossary word that French titles also use (« manager », « chef », « agent ») cannot
        # tell an English query by itself; a whole phrase of ``PHRASES`` can.
        self.triggers = frozenset(
            w for w, fr in WORDS.items() if canonical_word(w) not in french_words and w != fr
        )

    def translate(self, query: str) -> str | None:
        """The French reading of an English query, or None when it has no English-only word
        nor English phrase, or translates to the same words."""
        text = normalize(query, MAX_QUERY_CHARS)
        words = text.split()
        if not words:
            return None
        padded = f" {text} "
        if not any(w in self.triggers for w in words) and not any(
            f" {phrase} " in padded for phrase in PHRASES
        ):
            return None
        out: list[str] = []
        i = 0
        while i < len(words):
            for size in (4, 3, 2, 1):
                phrase = " ".join(words[i : i + size])
                if len(words) - i >= size and phrase in PHRASES:
                    out.append(PHRASES[phrase])
                    i += size
                    break
            else:
                out.append(WORDS.get(words[i], words[i]))
                i += 1
        french = " ".join(out)
        return french if french != text else None


_readers: dict[int, EnglishReader] = {}


def english_reader(french_words: frozenset[str]) -> EnglishReader:
    """The reader for one referential's title vocabulary (cached by its identity)."""
    reader = _readers.get(id(french_words))
    if reader is None:
        reader = _readers[id(french_words)] = EnglishReader(french_words)
    return reader
