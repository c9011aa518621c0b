"""push services (async, no Qt)."""
