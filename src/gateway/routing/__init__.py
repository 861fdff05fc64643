"""Routing over a config's targets: single, fallback, loadbalance, conditional, with retry
and per-attempt timeouts at each leaf (reference §4)."""
