"""Spiders. ``portal`` crawls any registry row; a site-specific spider is only for a true exception."""
