"""The web app: server-rendered pages (Jinja2 + HTMX 2), Vega-Lite charts, sign-in.

- `tenure.web.pages`: PAGE_MODULES, the registry of page routers (like api/routers.py).
- `tenure.web.auth`: who is signed in, roles, CSRF (read its docstring before adding pages).
- `tenure.web.templating`: the Jinja2 environment and `render`, `redirect`, `flash`.
- `tenure.web.install`: `install_web(app)` mounts `/static`, page routers and error pages.
"""
