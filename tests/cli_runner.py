"""Run the real `tenure` console script in a subprocess, as a user would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def tenure_executable() -> str:
    beside_python = Path(sys.executable).parent / "tenure"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("tenure")
    assert found, "the tenure console script is not installed (pip install -e .)"
    return found


def run_tenure(
    *args: str, env: dict[str, str], input: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tenure_executable(), *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
