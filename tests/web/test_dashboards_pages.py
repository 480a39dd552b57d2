"""Dashboards over HTTP: who may read them, every section renders from the engine's
figures, every number links to a drill-down that lists the accounts behind it."""

from __future__ import annotations

import html
import re
import pytest

from tests.metrics.ledger import label_accounts, write_ledger
from tests.web.test_dashboards_data import LABELS, LEDGER

QUERY = "from=2025-01&to=2025-06"


@pytest.fixture
def ledger(context):  # type: ignore[no-untyped-def]
    write_ledger(context, LEDGER)
    label_accounts(context, LABELS)
    return context


def links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="(/dashboards/accounts\?[^"]+)"', page)]


def test_signed_out_readers_are_sent_to_sign_in(client) -> None:
    for path in ("/dashboards", "/dashboards/sections/revenue", "/dashboards/accounts?kind=paying&month=2025-01"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_a_viewer_sees_every_section_with_figures_and_links(ledger, as_role) -> None:
    viewer = as_role("viewer")
    page = viewer.get(f"/dashboards?{QUERY}&segment=smb")
    assert page.status_code == 200
    names = re.findall(r'hx-get="/dashboards/sections/(\w+)\?([^"]*)"', page.text)
    assert [n for n, _ in names] == ["revenue", "retention", "renewals", "cohorts", "survival", "health"]
    assert all("segment=smb" in q for _, q in names)
    revenue = viewer.get(f"/dashboards/sections/revenue?{QUERY}&segment=smb")
    assert revenue.status_code == 200 and "data-vega-spec" in revenue.text
    # smb MRR at the end of June: acme's new 150 + cube 300 + 50 (bolt churned in March)
    assert re.search(r'MRR</div><div class="stat-value"><a href="[^"]+">\$500</a>', revenue.text)
    for name in ("retention", "renewals", "cohorts", "survival", "health"):
        section = viewer.get(f"/dashboards/sections/{name}?{QUERY}&segment=smb")
        assert section.status_code == 200, (name, section.text[:500])
        assert "data-vega-spec" in section.text or 'class="empty"' in section.text, name


def test_every_drill_down_link_opens_the_accounts_behind_the_number(ledger, as_role) -> None:
    viewer = as_role("viewer")
    section = viewer.get(f"/dashboards/sections/revenue?{QUERY}").text
    found = links(section)
    assert any("kind=movement" in h and "item=churn" in h for h in found)
    churn = next(h for h in found if "item=churn" in h and "month=" not in h)
    page = viewer.get(churn)
    assert page.status_code == 200
    assert "Churn MRR, 2025-01 to 2025-06" in page.text
    assert re.findall(r'href="/accounts/(\w+)"', page.text) == ["dart", "bolt"]  # by month: Feb, Mar
    for href in set(found):
        assert viewer.get(href).status_code == 200, href


def test_filters_narrow_the_drill_down(ledger, as_role) -> None:
    viewer = as_role("viewer")
    page = viewer.get(f"/dashboards/accounts?kind=paying&month=2025-06&{QUERY}&owner=ben@example.test")
    assert re.findall(r'href="/accounts/(\w+)"', page.text) == ["dart", "cube"]  # by MRR, largest first
    assert "owner ben@example.test" in page.text


def test_empty_database_shows_what_to_do(context, as_role) -> None:
    viewer = as_role("viewer")
    section = viewer.get(f"/dashboards/sections/revenue?{QUERY}")
    assert section.status_code == 200
    assert "No subscription revenue in these months" in section.text
    assert "tenure import subscriptions" in section.text


def test_bad_parameters_get_a_clear_error_page(ledger, as_role) -> None:
    viewer = as_role("viewer")
    bad_month = viewer.get("/dashboards?from=2025-13")
    assert bad_month.status_code == 422 and "from: expected a month as YYYY-MM" in bad_month.text
    unknown = viewer.get("/dashboards/sections/nope")
    assert unknown.status_code == 404 and "no dashboard section" in unknown.text
    kind = viewer.get("/dashboards/accounts?kind=nope")
    assert kind.status_code == 404
    status = viewer.get("/dashboards/accounts?kind=renewal&quarter=2025-Q2&item=lost")
    assert status.status_code == 422 and "status: expected one of renewed, pending, churned" in status.text


def test_dashboards_only_read(ledger, as_role) -> None:
    viewer = as_role("viewer")
    assert viewer.post("/dashboards", data={}).status_code in (403, 405)


def test_the_filter_form_s_empty_fields_mean_defaults(ledger, as_role) -> None:
    viewer = as_role("viewer")
    page = viewer.get("/dashboards?segment=&owner=&from=2025-01&to=2025-06&cohort=")
    assert page.status_code == 200
    assert viewer.get("/dashboards?cohort=20x5").status_code == 422
    survival = viewer.get(f"/dashboards/sections/survival?{QUERY}&cohort=2024")
    assert survival.status_code == 200 and "cohort 2024" in survival.text.lower()
