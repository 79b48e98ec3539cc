"""The domains' layering (README, "Architecture") holds: import-linter's contracts pass."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_domains_import_downwards_only():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Domains import downwards only KEPT" in result.stdout
    assert "The shared modules know no domain KEPT" in result.stdout
