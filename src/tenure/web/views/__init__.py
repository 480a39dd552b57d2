"""Page routers of the core web app (login, home, portfolio, account 360, tasks)."""
