"""The server tests' fixtures (``cluster``, ``database``, ``server_url``) live in
tests/engines.py, a plugin shared with the service and exchange tests, which run on both
engines."""
