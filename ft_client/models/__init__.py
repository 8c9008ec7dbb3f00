"""Typed, frozen models of France Travail "Offres d'emploi v2" objects.

Parsing is tolerant on purpose: the real API omits fields, sends ``null`` or ``[]`` where an
object is expected, and sends some fields either as a string or a list of strings. Every
``from_json`` here accepts what the real samples show and never raises on a real response:
missing fields become ``None`` (or an empty tuple for lists), unknown fields are ignored.

Modules: ``offers`` (an offer and its parts, search pages and facets), ``rome`` (ROME 4.0
métiers and soft skills), ``referentials`` (referential items, communes), ``parsing`` (the
tolerant JSON readers and the API's date format).
"""

from ft_client.models.offers import (
    OFFER_PAGE_URL,
    Company,
    Competence,
    Contact,
    Facet,
    FacetValue,
    Offer,
    OfferPage,
    Origin,
    Partner,
    ProfessionalQuality,
    Requirement,
    Salary,
    WorkPlace,
)
from ft_client.models.parsing import format_ft_datetime, parse_datetime
from ft_client.models.referentials import CommuneEntry, ReferentialEntry
from ft_client.models.rome import RomeAppellation, RomeJob, RomeSkill, SoftSkill

__all__ = [
    "OFFER_PAGE_URL",
    "CommuneEntry",
    "Company",
    "Competence",
    "Contact",
    "Facet",
    "FacetValue",
    "Offer",
    "OfferPage",
    "Origin",
    "Partner",
    "ProfessionalQuality",
    "ReferentialEntry",
    "Requirement",
    "RomeAppellation",
    "RomeJob",
    "RomeSkill",
    "Salary",
    "SoftSkill",
    "WorkPlace",
    "format_ft_datetime",
    "parse_datetime",
]
