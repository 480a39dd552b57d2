"""`tenure users create | list | token ...`: the people who sign in, their API tokens."""

from __future__ import annotations

import getpass
import sys
from datetime import datetime

import typer
from rich.table import Table

from tenure.cli.common import err_console, print_json
from tenure.cli.schema import checked_session
from tenure.errors import Invalid
from tenure.users import service, tokens
from tenure.users.schemas import UserCreate

users_app = typer.Typer(help="Users: create them, list them.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


@users_app.command("create")
def create(
    email: str = typer.Option(..., "--email", help="Email address, used to sign in."),
    role: str = typer.Option(..., "--role", help="One of: admin manager csm viewer."),
    name: str | None = typer.Option(None, "--name", help="Display name."),
    as_json: bool = typer.Option(False, "--json", help="Print the user as JSON on stdout."),
) -> None:
    """Create a user; the password is read from stdin (typed twice on a terminal)."""
    # Validate what we can before asking for a password nobody would want to type twice.
    UserCreate.parse(email=email, role=role, name=name, password="x" * 8)
    data = UserCreate.parse(email=email, role=role, name=name, password=read_password())
    with checked_session() as session:
        user = service.to_out(service.create_user(session, data))
    if as_json:
        print_json(user.model_dump(mode="json"))
    else:
        err_console.print(f"User {user.email} ({user.role}) is ready to sign in.", markup=False)


@users_app.command("list")
def list_users(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Every user: email, name, role, whether they can sign in."""
    with checked_session() as session:
        users = service.list_users(session)
    if as_json:
        print_json({"users": [user.model_dump(mode="json") for user in users]})
        return
    table = Table("email", "name", "role", "can sign in")
    for user in users:
        table.add_row(
            user.email, user.name or "-", user.role, "yes" if user.has_password else "no"
        )
    err_console.print(table)


def read_password() -> str:
    """Twice, hidden, on a terminal; otherwise the first line of stdin (for scripts)."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat password: "):
            raise Invalid("the two passwords differ")
        return first
    line = sys.stdin.readline()
    if not line:
        raise Invalid("no password on stdin (pipe it in, e.g. `echo ... | tenure users create`)")
    return line.rstrip("\r\n")


token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)
users_app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    email: str = typer.Option(..., "--email", help="The user the token acts as."),
    name: str = typer.Option(..., "--name", help="What the token is for, e.g. 'crm sync'."),
    as_json: bool = typer.Option(False, "--json", help="Print the token as JSON on stdout."),
) -> None:
    """Create an API token; it is printed once and cannot be shown again."""
    with checked_session() as session:
        created = tokens.create_token(session, email, name)
    if as_json:
        print_json(created.model_dump(mode="json"))
        return
    err_console.print(
        f"Token {created.id} ({created.name}) for {created.email}; it will not be shown again:",
        markup=False,
    )
    print(created.token)


@token_app.command("list")
def token_list(
    email: str | None = typer.Option(None, "--email", help="Only this user's tokens."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Every API token (never the token itself): id, user, name, hint, use, revocation."""
    with checked_session() as session:
        found = tokens.list_tokens(session, email)
    if as_json:
        print_json({"tokens": [token.model_dump(mode="json") for token in found]})
        return
    table = Table("id", "email", "name", "hint", "created", "last used", "revoked")
    for token in found:
        table.add_row(
            str(token.id), token.email, token.name, token.hint,
            _when(token.created_at), _when(token.last_used_at), _when(token.revoked_at),
        )
    err_console.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: int = typer.Argument(..., help="The token's id, as `tenure users token list` shows."),
    as_json: bool = typer.Option(False, "--json", help="Print the token as JSON on stdout."),
) -> None:
    """Revoke an API token: requests using it get 401 from now on."""
    with checked_session() as session:
        revoked = tokens.revoke_token(session, token_id)
    if as_json:
        print_json(revoked.model_dump(mode="json"))
    else:
        err_console.print(f"Token {revoked.id} ({revoked.name}) is revoked.", markup=False)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "-"
