"""Models of the offers app: individual offers and bookings, collective offers."""

from offers.models.alerts import OpeningAlert  # noqa: F401
from offers.models.bookings import (  # noqa: F401
    CODE_ALPHABET,
    CODE_LENGTH,
    Booking,
    BookingStatus,
    CancellationReason,
)
from offers.models.calendar import VenueCalendar  # noqa: F401
from offers.models.collective import (  # noqa: F401
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveShowcase,
    CollectiveStatus,
    LocationType,
)
from offers.models.history import Action, Transition  # noqa: F401
from offers.models.individual import (  # noqa: F401
    DESCRIPTION_MAX,
    MAX_PRICE_CENTS,
    TITLE_MAX,
    DisplayStatus,
    ExportLog,
    Offer,
    OfferStatus,
    Session,
    SessionCancelReason,
    Stock,
)
from offers.models.registrations import (  # noqa: F401
    AgeBracket,
    Attendance,
    Channel,
    Registration,
    RegistrationStatus,
)
from offers.models.waitlist import WaitlistEntry, WaitlistStatus  # noqa: F401
