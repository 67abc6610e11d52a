"""Views of the accounts app, by journey: auth, onboarding, shared space, review."""
