"""Keeping an installation whole: backups and restores, and checking rows against files."""
