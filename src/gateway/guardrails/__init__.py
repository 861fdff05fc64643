"""Guardrail hooks (reference §6): checks on the request before it goes upstream and on the answer
after, with upstream's verdicts (446 ``hooks_failed``, 246, ``hook_results``) and every built-in
``default.*`` check. ``model`` parses and validates hooks, ``runner`` runs them, ``checks`` holds
the checks (one module per family, loaded on first use), ``verdicts`` shapes what the client sees.
"""
