"""The training sandbox: demo data, local emulators of the providers, test streams."""
