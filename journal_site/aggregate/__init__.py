"""Pure functions from entries (and "today") to the values pages show. No I/O, no clock."""
