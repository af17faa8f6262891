"""Signals the register sends; other apps (the proxy) listen without members depending on them."""

from django.dispatch import Signal

# Sent after commit whenever something the proxy configuration is built from changed:
# an approved service, a home organisation's login sources, schools or allowed services.
# Arguments: environment ("test", "production" or None for both), reason (a short text).
register_changed = Signal()
