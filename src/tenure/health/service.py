"""Rules of the health domain: score accounts, store daily snapshots, explain, trend,
changes feed, re-score history. Services flush, never commit (entry points own the
transaction)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
from sqlalchemy.orm import Session

from tenure.config import Settings

from tenure.errors import Invalid, NotFound
from tenure.health import repository, store
from tenure.health.inputs import load_inputs
from tenure.health.schemas import (
    AccountHealthOut,
    AccountScoreOut,
    ChangeOut,
    ChangesOut,
    HistoryPointOut,
    MeasureScoreOut,
    PreviewOut,
    RescoreOut,
    ScorecardInfoOut,
    ScoreListOut,
    ScoreSummary,
    clean,
)
from tenure.health.scorecards import DEFAULT_NAME, Scorecard, parse_scorecard
from tenure.health.scoring import ScoreBatch, score_inputs
from tenure.kit.context import AppContext

MAX_RESCORE_DAYS = 3660


def score_accounts(
    context: AppContext, as_of: date, cards: list[Scorecard] | None = None
) -> ScoreBatch:
    """Score every account on `as_of` (point in time) without writing anything."""
    cards = cards or store.load_all(context.settings)
    with context.sessions() as session:
        data = load_inputs(context, session, as_of)
    return score_inputs(data, cards)


def store_batch(session: Session, batch: ScoreBatch) -> int:
    """Upsert the batch's snapshots (one per account and day); flushes."""
    measures = batch.measures_of()
    rows = [
        {"account_id": account_id, "scorecard": row.scorecard,
         "scorecard_version": int(row.scorecard_version),
         "score": None if row.score != row.score else round(float(row.score), 4),
         "grade": row.grade, "measures": measures.get(account_id, [])}
        for account_id, row in zip(batch.accounts.index.tolist(),
                                   batch.accounts.itertuples(index=False), strict=True)
    ]  # fmt: skip
    repository.upsert_snapshots(session, batch.as_of, rows)
    return len(rows)


SCORE_STEPS = ("load", "score", "store")


def score_and_store(
    context: AppContext, session: Session, as_of: date,
    progress: Callable[[str], None] | None = None,
) -> ScoreBatch:  # fmt: skip
    """Score every account on `as_of` and upsert that day's snapshots in `session`.
    `progress` is told each finished step of SCORE_STEPS."""
    step = progress or (lambda _name: None)
    cards = store.load_all(context.settings)
    data = load_inputs(context, session, as_of)
    step("load")
    batch = score_inputs(data, cards)
    step("score")
    store_batch(session, batch)
    step("store")
    return batch


def rescore(
    context: AppContext, session: Session, start: date, end: date,
    progress: Callable[[date], None] | None = None,
) -> RescoreOut:  # fmt: skip
    """Re-score every day from `start` to `end` with the current scorecards (after a
    scorecard change), one day at a time."""
    if end < start:
        raise Invalid(f"--to {end} is before --from {start}")
    if (end - start).days >= MAX_RESCORE_DAYS:
        raise Invalid(f"at most {MAX_RESCORE_DAYS} days per rescore")
    cards = store.load_all(context.settings)
    day, snapshots = start, 0
    while day <= end:
        snapshots += store_batch(session, score_inputs(load_inputs(context, session, day), cards))
        if progress:
            progress(day)
        day += timedelta(days=1)
    return RescoreOut(start=start, end=end, days=(end - start).days + 1, snapshots=snapshots)


def pulling_down(measures: list[dict[str, object]]) -> str | None:
    lost = [
        (float(m["weight"] or 0) * (100.0 - float(m["score"])), str(m["name"]))  # type: ignore[arg-type]
        for m in measures if m.get("score") is not None
    ]  # fmt: skip
    top = max(lost, default=(0.0, None))
    return top[1] if top[0] > 0 else None


def score_summaries(session: Session, as_of: date) -> dict[int, ScoreSummary]:
    """account id -> score, grade, score and grade 7 and 30 days earlier, the measure
    pulling it down, from the stored snapshots of `as_of` (the latest day on or before
    it when that day has none)."""
    day = repository.latest_day(session, as_of)
    if day is None:
        return {}
    week = repository.scores_on(session, day - timedelta(days=7))
    month = repository.scores_on(session, day - timedelta(days=30))
    out: dict[int, ScoreSummary] = {}
    for snap in repository.snapshots_on(session, day):
        before7, before30 = week.get(snap.account_id, (None, None)), month.get(snap.account_id, (None, None))
        out[snap.account_id] = ScoreSummary(
            account_id=snap.account_id, as_of=day, score=snap.score, grade=snap.grade,
            scorecard=snap.scorecard, score_7d_ago=before7[0], grade_7d_ago=before7[1],
            score_30d_ago=before30[0], grade_30d_ago=before30[1],
            pulling_down=pulling_down(json.loads(snap.measures)),
        )  # fmt: skip
    return out


def _account(session: Session, external_id: str) -> int:
    found = repository.account_by_external_id(session, external_id)
    if found is None:
        raise NotFound(f"account {external_id!r} not found")
    return found[0]


def explain_account(
    session: Session, external_id: str, as_of: date, history_days: int = 90
) -> AccountHealthOut:
    """The latest snapshot on or before `as_of` with every measure's contribution, the
    measure pulling it down most, the trend and `history_days` of history."""
    account_id = _account(session, external_id)
    history = repository.account_history(session, account_id, as_of - timedelta(days=history_days), as_of)
    if not history:
        raise NotFound(f"account {external_id!r} has no health snapshot on or before {as_of}; "
                       "run `tenure health score`")  # fmt: skip
    latest = history[-1]
    by_day = {snap.as_of: snap.score for snap in history}
    measures = json.loads(latest.measures)

    def change(days_back: int) -> float | None:
        before = by_day.get(latest.as_of - timedelta(days=days_back))
        return None if before is None or latest.score is None else round(latest.score - before, 4)

    return AccountHealthOut(
        external_id=external_id, as_of=latest.as_of, score=latest.score, grade=latest.grade,
        scorecard=latest.scorecard, scorecard_version=latest.scorecard_version,
        pulling_down=pulling_down(measures), change_7d=change(7), change_30d=change(30),
        measures=[MeasureScoreOut(**m) for m in measures],
        history=[HistoryPointOut(as_of=s.as_of, score=s.score, grade=s.grade,
                                 scorecard=s.scorecard) for s in history],
    )  # fmt: skip


def score_changes(session: Session, as_of: date, days: int = 7, limit: int = 50) -> ChangesOut:
    """Biggest moves and grade changes between `as_of - days` and `as_of` (latest stored
    day on or before each): grade changes first, then by size of the move."""
    if days <= 0:
        raise Invalid("days must be positive")
    now_day = repository.latest_day(session, as_of)
    if now_day is None:
        return ChangesOut(as_of=as_of, since=as_of - timedelta(days=days), changes=[])
    since = now_day - timedelta(days=days)
    before_day = repository.latest_day(session, since)
    now = repository.scores_on(session, now_day)
    before = repository.scores_on(session, before_day) if before_day else {}
    ext = repository.external_ids(session)
    rows = []
    for account_id, (score, grade) in now.items():
        old_score, old_grade = before.get(account_id, (None, None))
        delta = None if score is None or old_score is None else round(score - old_score, 4)
        if (delta is None or abs(delta) < 1e-9) and grade == old_grade:
            continue
        rows.append(ChangeOut(external_id=ext[account_id], score_before=old_score,
                              score_now=score, change=delta, grade_before=old_grade,
                              grade_now=grade, grade_changed=grade != old_grade))  # fmt: skip
    rows.sort(key=lambda c: (not c.grade_changed, -abs(c.change or 0), c.external_id))
    return ChangesOut(as_of=now_day, since=before_day or since, changes=rows[:limit])


# ---- scorecards ------------------------------------------------------------------------


def list_scorecards(settings: Settings) -> list[ScorecardInfoOut]:
    return [
        ScorecardInfoOut(name=c.name, version=c.version, order=c.order,
                         description=c.description,
                         match=c.match.model_dump(exclude_none=True),
                         versions=store.versions(settings, c.name))
        for c in store.load_all(settings)
    ]  # fmt: skip


def save_scorecard(settings: Settings, name: str, document: object, source: str) -> Scorecard:
    """Validate and store a new version of scorecard `name` (the name in the document,
    if any, must agree)."""
    card = parse_scorecard(_named(document, name, source), source)
    return store.save(settings, card)


def _named(document: object, name: str, source: str) -> object:
    if isinstance(document, dict):
        if document.get("name", name) != name:
            raise Invalid(f"{source}: name: {document['name']!r} differs from {name!r}")
        return {**document, "name": name}
    return document


def _distribution(batch: ScoreBatch) -> dict[str, object]:
    scores = batch.accounts["score"]
    grades = batch.accounts["grade"].fillna("none").value_counts()
    bins = np.histogram(scores.dropna(), bins=10, range=(0, 100))[0]
    return {
        "scored": int(scores.notna().sum()),
        "mean": clean(scores.mean()), "median": clean(scores.median()),
        "grades": {str(k): int(v) for k, v in grades.items()},
        "histogram": [{"from": 10 * i, "to": 10 * i + 10, "accounts": int(n)}
                      for i, n in enumerate(bins)],
    }  # fmt: skip


def preview_scorecard(
    context: AppContext, name: str, document: object, as_of: date
) -> PreviewOut:
    """Score every account with the saved scorecards and again with `document` in place of
    scorecard `name` (nothing saved); distributions and grade counts before and after."""
    proposed = parse_scorecard(_named(document, name, "scorecard"), "scorecard")
    current = store.load_all(context.settings)
    trial = [c for c in current if c.name != name] + [proposed]
    trial.sort(key=lambda c: (c.name == DEFAULT_NAME, c.order, c.name))
    with context.sessions() as session:
        data = load_inputs(context, session, as_of)
    before, after = score_inputs(data, current), score_inputs(data, trial)
    return PreviewOut(
        as_of=as_of, accounts=int((after.accounts["scorecard"] == name).sum()),
        before=_distribution(before), after=_distribution(after),
    )  # fmt: skip


def list_scores(
    session: Session, as_of: date, grade: str | None = None, scorecard: str | None = None,
    below: float | None = None, limit: int = 50, offset: int = 0,
) -> ScoreListOut:  # fmt: skip
    """Stored scores of the latest day on or before `as_of`, lowest score first, filtered."""
    day = repository.latest_day(session, as_of)
    if day is None:
        return ScoreListOut(as_of=None, total=0, items=[])
    snaps, total = repository.page_of_day(session, day, grade, scorecard, below, limit, offset)
    ext = repository.external_ids(session, [s.account_id for s in snaps])
    items = []
    for s in snaps:
        measures = json.loads(s.measures)
        items.append(AccountScoreOut(
            account_id=s.account_id, external_id=ext[s.account_id], score=s.score,
            grade=s.grade, scorecard=s.scorecard, scorecard_version=s.scorecard_version,
            pulling_down=pulling_down(measures),
            measures=[MeasureScoreOut(**m) for m in measures],
        ))  # fmt: skip
    return ScoreListOut(as_of=day, total=total, items=items)
