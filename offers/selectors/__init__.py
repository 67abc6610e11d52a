"""Reads of the offers app, scoped by offers/policy.py, split by concept. Views use
`from offers import selectors` and the names below."""

from offers.selectors.bookings import (  # noqa: F401
    BookingFilters,
    CounterBooking,
    booking_counts,
    booking_list,
    booking_rows,
    counter_booking,
    status_label,
)
from offers.selectors.catalog import (  # noqa: F401
    CatalogFilters,
    CatalogList,
    bookable_sessions,
    catalog,
    catalog_counts,
    catalog_page_rows,
    catalog_rows,
    dates_shown_to_young,
    nearest_venue_ids,
    next_publication,
)
from offers.selectors.collective import (  # noqa: F401
    COLLECTIVE_DISPLAY_LABELS,
    CollectiveFilters,
    TeacherFilters,
    bookable_for_teacher,
    collective_bookings_managed_by,
    pro_collective_offers,
    pro_showcases,
    school_bookings,
    showcases_for_teacher,
)
from offers.selectors.offers import (  # noqa: F401
    OfferFilters,
    offer_counts,
    offer_detail,
    offer_list,
    offer_rows,
    with_display_status,
)
from offers.selectors.young import (  # noqa: F401
    my_bookings,
    my_waitlist,
    offer_waitlist,
    session_waitlist,
    waitlist_of,
)
