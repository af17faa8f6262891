"""Signals about memberships; the proxy listens to rebuild when who is in force changes."""

from django.dispatch import Signal

# Sent after commit when a membership comes into force, gets an end date, or ends.
# Arguments: organisation_id, role ("home_organisation" or "service_provider"), reason.
membership_changed = Signal()
