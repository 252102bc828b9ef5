"""Analysis: read the monolith with `ast` (the app, its registrations, every top-level unit and its names)."""
