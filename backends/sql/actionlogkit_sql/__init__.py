"""The sql backend of actionlogkit (its store comes with the backend's own issue)."""
