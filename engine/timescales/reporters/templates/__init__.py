"""The HTML report's Jinja2 templates, its style sheet and its one script (package data)."""
