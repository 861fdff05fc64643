"""DESIGN rule 1, enforced: the core imports no runtime and reads no environment, and it imports
nothing outside the standard library (it must load fast in Pyodide)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "src" / "gateway"
FORBIDDEN = {"js", "pyodide", "workers", "httpx", "websockets", "uvicorn", "aiohttp", "starlette"}


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return found


def test_core_modules_exist() -> None:
    assert len(list(CORE.rglob("*.py"))) > 10


def test_core_imports_only_stdlib_and_itself() -> None:
    bad = []
    for path in CORE.rglob("*.py"):
        for module, line in _imports(ast.parse(path.read_text())):
            allowed = module in sys.stdlib_module_names or module == "gateway"
            if module in FORBIDDEN or not allowed:
                bad.append(f"{path.relative_to(CORE)}:{line} imports {module}")
    assert bad == []


def test_core_reads_no_environment() -> None:
    bad = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                bad.append(f"{path.relative_to(CORE)}:{node.lineno}")
    assert bad == []
