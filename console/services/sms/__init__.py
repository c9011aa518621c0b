"""sms services (async, no Qt)."""
