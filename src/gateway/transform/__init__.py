"""Request/response transformation machinery shared by all providers."""
