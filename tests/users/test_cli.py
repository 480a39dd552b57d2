"""`tenure users create | list` through the real console script."""

from __future__ import annotations

import json

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.users import service
from tests.cli_runner import run_tenure


def test_create_reads_the_password_from_stdin(context: AppContext, env_for: dict[str, str]) -> None:
    created = run_tenure("users", "create", "--email", "csm@example.com", "--role", "csm",
                         "--name", "Casey", env=env_for, input="s3cret-pass\n")
    assert created.returncode == 0, created.stderr
    assert created.stdout == ""
    with unit_of_work(context.sessions) as session:
        assert service.authenticate(session, "csm@example.com", "s3cret-pass") is not None

    listed = run_tenure("users", "list", "--json", env=env_for)
    users = json.loads(listed.stdout)["users"]
    assert [(u["email"], u["role"], u["name"], u["has_password"]) for u in users] == [
        ("csm@example.com", "csm", "Casey", True)
    ]
    assert "password_hash" not in users[0]


def test_refusals_exit_1_with_one_line(env_for: dict[str, str]) -> None:
    ok = run_tenure("users", "create", "--email", "a@example.com", "--role", "admin",
                    env=env_for, input="long enough\n")
    assert ok.returncode == 0, ok.stderr
    cases = [
        (("--email", "b@example.com", "--role", "owner"), "long enough\n",
         "error: role must be one of admin manager csm viewer, not 'owner'"),
        (("--email", "b@example.com", "--role", "csm"), "short\n",
         "error: the password must be at least 8 characters"),
        (("--email", "a@example.com", "--role", "csm"), "long enough\n",
         "error: a user with email a@example.com already exists"),
        (("--email", "b@example.com", "--role", "csm"), "",
         "error: no password on stdin"),
    ]
    for args, stdin, message in cases:
        result = run_tenure("users", "create", *args, env=env_for, input=stdin)
        assert result.returncode == 1, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(message), result.stderr
