"""France Travail side of ft-job-bot: async API client, query builder, typed models.

Models of La Bonne Boîte, Marché du travail and ROMEO live in ``ft_client.models.companies``,
``.market`` and ``.romeo``."""

from ft_client.client import (
    API_SCOPES,
    DEFAULT_API_BASE_URL,
    DEFAULT_RATE_LIMITS,
    DEFAULT_TOKEN_URL,
    ClientStats,
    FranceTravailClient,
    FTConfigError,
)
from ft_client.errors import (
    FTAuthError,
    FTBadRequest,
    FTError,
    FTInvalidResponse,
    FTRateLimited,
    FTServiceNotEnabled,
    FTUnavailable,
)
from ft_client.models import (
    CommuneEntry,
    Company,
    Competence,
    Facet,
    FacetValue,
    Offer,
    OfferPage,
    ReferentialEntry,
    RomeAppellation,
    RomeJob,
    RomeSkill,
    Salary,
    SoftSkill,
    WorkPlace,
)
from ft_client.query import OfferQuery, clean_keywords

__all__ = [
    "API_SCOPES",
    "DEFAULT_API_BASE_URL",
    "DEFAULT_RATE_LIMITS",
    "DEFAULT_TOKEN_URL",
    "ClientStats",
    "CommuneEntry",
    "Company",
    "Competence",
    "FTAuthError",
    "FTBadRequest",
    "FTConfigError",
    "FTError",
    "FTInvalidResponse",
    "FTRateLimited",
    "FTServiceNotEnabled",
    "FTUnavailable",
    "Facet",
    "FacetValue",
    "FranceTravailClient",
    "Offer",
    "OfferPage",
    "OfferQuery",
    "ReferentialEntry",
    "RomeAppellation",
    "RomeJob",
    "RomeSkill",
    "Salary",
    "SoftSkill",
    "WorkPlace",
    "clean_keywords",
]
