"""`python -m openhsg` runs the CLI."""

from openhsg.cli import app

app()
