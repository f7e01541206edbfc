"""Storage: one SQLite file per workshop, through SQLModel tables."""
