"""Uploads: staging received files, moving them into storage after commit, repairing
moves a crash interrupted."""
