"""Turning a stored document, whatever its format, into the canonical record of the annual-report template."""
