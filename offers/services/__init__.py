"""Writes of the offers app, by concept: offers (and sessions), bookings."""
