"""Domain-free helpers: database sessions, time, money, pagination."""
