"""Lancashire County Council's local standards, layered on the national rules as a plugin."""
