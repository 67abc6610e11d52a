"""Models of the accounts app: people and the collectivités they work for
(organisations.py), young people, schools and teachers (audiences.py)."""

from accounts.models.audiences import Beneficiary, School, Teacher  # noqa: F401
from accounts.models.organisations import (  # noqa: F401
    NO_SIRET_COMMENT,
    OPEN_STATUSES,
    ActionLog,
    Collectivite,
    Invitation,
    Membership,
    OfficerDepartement,
    RejectionReason,
    Role,
    Status,
    TerritoryOfficer,
    User,
    UserManager,
    Venue,
    VenueType,
    Verb,
)
from accounts.models.venue_page import WEEKDAYS, HoursException, OpeningHours  # noqa: F401
