"""Views of the offers app, by page family: offers, bookings, guichet."""
