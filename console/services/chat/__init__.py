"""chat services (async, no Qt)."""
