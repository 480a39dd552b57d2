"""Scoring, snapshots (upsert), summaries, explanations, changes and rescore on the
hand-made base, with the shipped scorecards, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tenure.errors import Invalid, NotFound
from tenure.health import service
from tenure.health.jobs import score_health
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models import HealthSnapshot
from tests.health.factory import AS_OF, seed


@pytest.fixture
def seeded(context: AppContext) -> AppContext:
    seed(context)
    return context


def store_day(context: AppContext, day) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(context.sessions) as session:
        service.score_and_store(context, session, day)


def test_score_accounts_by_hand(seeded: AppContext) -> None:
    batch = service.score_accounts(seeded, AS_OF)
    out = {o.external_id: o for o in batch.outputs()}
    # acc-2 (smb -> tech_touch): usage group 0 (seats unused, rest missing); support 100;
    # voice missing; commercial (100*2 + 20*1)/3; groups 50/15/15 -> 2600/80 = 32.5
    two = out["acc-2"]
    assert (two.scorecard, two.grade) == ("tech_touch", "red")
    assert two.score == pytest.approx(32.5)
    assert two.pulling_down == "seat_utilisation"
    assert sum(m.contribution for m in two.measures) == pytest.approx(32.5, abs=1e-3)
    assert out["acc-1"].scorecard == "high_touch"
    assert out["acc-1"].score is not None
    assert sum(m.contribution for m in out["acc-1"].measures) == pytest.approx(out["acc-1"].score, abs=1e-3)
    # acc-3 has no active term: not scored, never 0
    assert out["acc-3"].score is None and out["acc-3"].grade is None
    with seeded.sessions() as session:  # nothing written
        assert session.scalar(select(func.count()).select_from(HealthSnapshot)) == 0


def test_snapshots_upsert_one_per_account_and_day(seeded: AppContext) -> None:
    store_day(seeded, AS_OF)
    store_day(seeded, AS_OF)
    with seeded.sessions() as session:
        rows = session.scalars(select(HealthSnapshot).order_by(HealthSnapshot.account_id)).all()
        assert [(r.account_id, r.as_of) for r in rows] == [(1, AS_OF), (2, AS_OF), (3, AS_OF)]
        measures = json.loads(rows[1].measures)
        assert set(measures[0]) == {"name", "group", "value", "score", "weight", "contribution"}
        assert rows[1].score == pytest.approx(32.5) and rows[2].score is None


def test_summaries_trend_and_explanation(seeded: AppContext) -> None:
    for back in (30, 7, 0):
        store_day(seeded, AS_OF - timedelta(days=back))
    with seeded.sessions() as session:
        summaries = service.score_summaries(session, AS_OF)
        one = summaries[1]
        early = service.explain_account(session, "acc-1", AS_OF - timedelta(days=30))
        week = service.explain_account(session, "acc-1", AS_OF - timedelta(days=7))
        now = service.explain_account(session, "acc-1", AS_OF)
        # a later day with no snapshot answers with the latest one before it
        assert service.score_summaries(session, AS_OF + timedelta(days=3))[1].as_of == AS_OF
    assert one.score == pytest.approx(now.score)
    assert one.score_7d_ago == pytest.approx(week.score)
    assert one.score_30d_ago == pytest.approx(early.score)
    assert one.change_30d == pytest.approx(now.score - early.score, abs=1e-3)
    assert now.change_7d == pytest.approx(now.score - week.score, abs=1e-3)
    assert [p.as_of for p in now.history] == [AS_OF - timedelta(days=d) for d in (30, 7, 0)]
    lost = {m.name: m.weight * (100 - m.score) for m in now.measures if m.score is not None}
    assert now.pulling_down == max(lost, key=lost.__getitem__) == one.pulling_down
    assert summaries[3].score is None and summaries[3].change_7d is None


def test_changes_feed(seeded: AppContext) -> None:
    store_day(seeded, AS_OF - timedelta(days=30))
    store_day(seeded, AS_OF)
    with seeded.sessions() as session:
        feed = service.score_changes(session, AS_OF, days=30)
        early = service.explain_account(session, "acc-1", AS_OF - timedelta(days=30))
        now = service.explain_account(session, "acc-1", AS_OF)
    moved = {c.external_id: c for c in feed.changes}
    assert feed.since == AS_OF - timedelta(days=30)
    assert abs(now.score - early.score) > 0.01  # usage, tickets and NPS moved in June
    assert moved["acc-1"].change == pytest.approx(now.score - early.score, abs=1e-3)
    assert "acc-3" not in moved  # null both days
    flags = [c.grade_changed for c in feed.changes]
    assert flags == sorted(flags, reverse=True)  # grade changes first


def test_rescore_history(seeded: AppContext) -> None:
    with unit_of_work(seeded.sessions) as session:
        result = service.rescore(seeded, session, AS_OF - timedelta(days=2), AS_OF)
    assert (result.days, result.snapshots) == (3, 9)
    with seeded.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HealthSnapshot)) == 9
        rescored = service.explain_account(session, "acc-1", AS_OF)
    assert rescored.score == pytest.approx(service.score_accounts(seeded, AS_OF).accounts.loc[1, "score"])
    with pytest.raises(Invalid), unit_of_work(seeded.sessions) as session:
        service.rescore(seeded, session, AS_OF, AS_OF - timedelta(days=1))


def test_explain_unknown_or_unscored(seeded: AppContext) -> None:
    with seeded.sessions() as session:
        with pytest.raises(NotFound, match="'nope' not found"):
            service.explain_account(session, "nope", AS_OF)
        with pytest.raises(NotFound, match="no health snapshot"):
            service.explain_account(session, "acc-1", AS_OF)


def test_empty_database_scores_nothing(context: AppContext) -> None:
    batch = service.score_accounts(context, AS_OF)
    assert len(batch) == 0 and list(batch.outputs()) == []
    with unit_of_work(context.sessions) as session:
        assert service.score_and_store(context, session, AS_OF).accounts.empty
        assert service.score_summaries(session, AS_OF) == {}
        assert service.score_changes(session, AS_OF).changes == []


def test_the_job_scores_its_slots_day_not_the_clocks(seeded: AppContext) -> None:
    """A late or retried run of a day's last slot still writes that day's snapshots."""
    last_slot = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23, minutes=50)
    score_health(seeded, last_slot)
    with unit_of_work(seeded.sessions) as session:
        days = set(session.scalars(select(HealthSnapshot.as_of)).all())
    assert days == {AS_OF}
