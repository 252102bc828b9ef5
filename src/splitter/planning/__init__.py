"""Planning: turn an analysis into a plain, editable plan (groups, destinations, notes)."""
