"""Seeded records that look like Anam's: the catalogue, personas, and sessions with their transcripts."""
