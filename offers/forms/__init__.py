"""Forms of the offers app, split by concept: offers and sessions, collective offers, the
list filters."""

from offers.forms.collective import BookableForm, CollectiveForm, CollectiveRequestForm  # noqa: F401
from offers.forms.filters import (  # noqa: F401
    BookingFilterForm,
    BulkForm,
    CatalogFilterForm,
    CollectiveFilterForm,
    OfferFilterForm,
    TeacherFilterForm,
)
from offers.forms.offers import (  # noqa: F401
    FREE_OFFER_MODELS,
    CancellationForm,
    OfferForm,
    RecurrenceForm,
    SessionCancelForm,
    SessionEditForm,
    SessionForm,
)
from offers.forms.registrations import (  # noqa: F401
    OutsidePlacesForm,
    RegistrationForm,
    WalkInForm,
)
from offers.forms.session_messages import SessionMessageForm  # noqa: F401
