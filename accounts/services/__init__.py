"""Writes of the accounts app, by concept: users, onboarding, shared space, review."""
