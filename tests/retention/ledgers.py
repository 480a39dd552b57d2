"""Hand-computed ledgers for cohorts, survival and data-driven sBG (docs/retention.md)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from tenure.kit.context import AppContext
from tenure.models.accounts import Account
from tests.metrics.ledger import Term, write_ledger

# Observed through 2025-04 (cohorts) or 2025-06 (survival):
# a  smb     100/month from Jan, evergreen              first Jan, censored
# b  smb      50/month 10 Jan - 1 Mar (Jan, Feb)        first Jan, churns Mar (2 months)
# c  ent    1200/year for January only, back Apr at 10  first Jan, churns Feb (1 month)
# d  ent     200/month from Feb, +100 from Apr          first Feb, censored
# e  (none)   80/month 15 Feb - 1 May (Feb, Mar, Apr)   first Feb, churns May (3 months)
# f  (none)  free trial Jan-Feb, 40/month from Mar      first Mar, censored
MONTHLY = [
    Term("a", date(2025, 1, 1), None, "100"),
    Term("b", date(2025, 1, 10), date(2025, 3, 1), "50"),
    Term("c", date(2025, 1, 1), date(2025, 2, 1), "1200", 12),
    Term("c", date(2025, 4, 1), None, "10"),
    Term("d", date(2025, 2, 1), None, "200"),
    Term("d", date(2025, 4, 1), None, "100"),
    Term("e", date(2025, 2, 15), date(2025, 5, 1), "80"),
    Term("f", date(2025, 1, 1), date(2025, 3, 1), "0"),
    Term("f", date(2025, 3, 1), None, "40"),
]
MONTHLY_SEGMENTS = {"a": "smb", "b": "smb", "c": "ent", "d": "ent", "e": None, "f": ""}


def annual(account: str, start_year: int, years: int) -> list[Term]:
    """Consecutive annual terms of 1,200 from 1 March of start_year."""
    return [
        Term(account, date(start_year + i, 3, 1), date(start_year + i + 1, 3, 1), "1200", 12)
        for i in range(years)
    ]


# Cohort 2021 observed to 2024-12 (3 whole years): smb renews 0,0,1,1,2,3+ times and
# ent never leaves. Survivors S(t) = still paying 12t months after the first month.
ANNUAL = [
    *annual("s1", 2021, 1), *annual("s2", 2021, 1), *annual("s3", 2021, 2),
    *annual("s4", 2021, 2), *annual("s5", 2021, 3), *annual("s6", 2021, 5),
    *annual("e1", 2021, 5), *annual("e2", 2021, 5),
    *annual("late", 2022, 3),  # another cohort
]  # fmt: skip
ANNUAL_SEGMENTS = {name: "smb" if name.startswith("s") else "ent" for name in
                   ("s1", "s2", "s3", "s4", "s5", "s6", "e1", "e2", "late")}  # fmt: skip


def write(context: AppContext, terms: list[Term], segments: dict[str, str | None]) -> None:
    write_ledger(context, terms)
    with context.engine.begin() as connection:
        for name, segment in segments.items():
            connection.execute(
                update(Account).where(Account.external_id == name).values(segment=segment)
            )
