"""Bundle the REAL root wrangler.toml / src/entry.py offline: catches config and layout mistakes.

Uses the root wrangler (4.86.0) when ``npm ci`` was run at the repo root, else the pinned 3.92.0
from this folder; both bundle Python Workers without network.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.workerd


def test_dry_run_bundles_the_real_entry(tmp_path: Path, repo_root: Path, request: pytest.FixtureRequest) -> None:
    root_wrangler = repo_root / "node_modules" / ".bin" / "wrangler"
    wrangler = root_wrangler if root_wrangler.exists() else request.getfixturevalue("wrangler")
    outdir = tmp_path / "dist"
    env = dict(
        os.environ, WRANGLER_SEND_METRICS="false", NO_COLOR="1", CI="1", XDG_CONFIG_HOME=str(tmp_path / "config")
    )

    result = subprocess.run(
        [str(wrangler), "deploy", "--dry-run", "--outdir", str(outdir), "--config", str(repo_root / "wrangler.toml")],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "--dry-run: exiting now." in output
    assert (outdir / "entry.py").read_text() == (repo_root / "src" / "entry.py").read_text()
    assert (outdir / "worker_runtime" / "handler.py").exists()
    assert (outdir / "gateway" / "http.py").exists()
    # The realtime Durable Object's code: what the offline workerd tests cannot start (no Python DOs there).
    assert (outdir / "worker_runtime" / "realtime.py").exists()
    assert (outdir / "gateway" / "realtime" / "relay.py").exists()
    assert "RealtimeBridge" in output and "CACHE" in output
