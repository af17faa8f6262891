"""Email to people in their own language: the bottom helper every layer may use (DESIGN section 6)."""
