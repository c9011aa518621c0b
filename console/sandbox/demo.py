"""The training sandbox's public demo credentials (a light module: imported at start-up)."""

DEMO_PASSWORD = "shihou-demo"
