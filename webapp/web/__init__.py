"""The web: blueprints (public, staff, api, auth), their forms, templates and static files."""
