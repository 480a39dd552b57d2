"""Property: for any events appended in any batches, with rollup runs (incremental or
full) in between, the rollup tables equal a from-scratch GROUP BY of the raw events."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.usage.rollup_helpers import T0, event, expected, reset, sql_group_by, stored, table
from tenure.usage.store import EventStore

# Times over four days, often right at or around midnight UTC.
MIDNIGHTS = [T0 + timedelta(days=d, microseconds=m) for d in range(4) for m in (-1, 0, 1)]
moments = st.one_of(
    st.sampled_from(MIDNIGHTS),
    st.integers(0, 4 * 86_400 - 1).map(lambda s: T0 + timedelta(seconds=s)),
)
new_events = st.tuples(
    moments,
    st.sampled_from(["acc-1", "acc-2", "acc-3", None]),
    st.sampled_from(["u1", "u2", "u3", "", None]),
    st.sampled_from(["login", "view", "export"]),
)
# A batch: new events, and how many earlier events it resends (duplicates to skip).
batches = st.lists(
    st.tuples(
        st.lists(new_events, max_size=12),
        st.integers(0, 3),
        st.sampled_from(["none", "incremental", "incremental", "full"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=batches)
def test_rollups_equal_a_group_by_of_the_raw_events(store: EventStore, plan) -> None:  # type: ignore[no-untyped-def]
    reset(store)
    sent: list[dict] = []
    for new, resend, run in plan:
        batch = [
            event(f"m{len(sent) + i}", at, account=account, user=user, name=name)
            for i, (at, account, user, name) in enumerate(new)
        ]
        batch += sent[:resend]
        sent += batch[: len(new)]
        store.append(table(batch))
        if run != "none":
            store.refresh_rollups(full=run == "full")
            assert stored(store) == expected(sent) == sql_group_by(store)
    store.refresh_rollups()
    assert stored(store) == expected(sent) == sql_group_by(store)
