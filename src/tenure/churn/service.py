"""Rules of the churn domain: evaluate a feature table, backtest, train versioned models,
score accounts, answer per account. Services flush, never commit (entry points own the
transaction)."""

from __future__ import annotations

import json
import logging
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from tenure.churn import backtest, dataset, features, labels, repository
from tenure.churn.artifact import ChurnArtifact
from tenure.churn.backtest import BacktestResult, Progress
from tenure.churn.quality import Quality, calibration
from tenure.churn.schemas import (
    AccountChurnOut,
    BacktestOut,
    CalibrationBinOut,
    DriverOut,
    EvaluationOut,
    FoldOut,
    LeadTimeOut,
    ModelOut,
    QualityOut,
    ScoreReportOut,
)
from tenure.churn.selection import Step, cross_validate, fits_needed
from tenure.errors import Invalid, NotFound
from tenure.kit.context import AppContext
from tenure.models import ChurnModel

log = logging.getLogger(__name__)
MODELS_DIR = "models"


def evaluate_file(path: Path, label: str, id_column: str | None = None,
                  drop: list[str] | None = None, progress: Progress | None = None) -> EvaluationOut:  # fmt: skip
    """Stratified 5-fold CV (seed 0) of the model selection on a feature table."""
    table = dataset.load(path, label, id_column, drop)
    step = progress("fitting models", fits_needed(outer=5)) if progress else None
    cv = cross_validate(table.X, table.y, table.numeric, table.categorical, step=step)
    folds = [FoldOut(fold=i + 1, model=m, **_quality(q).model_dump())
             for i, (m, q) in enumerate(zip(cv.fold_models, cv.folds, strict=True))]  # fmt: skip
    return EvaluationOut(
        file=str(path), rows=cv.pooled.rows, positives=cv.pooled.positives,
        auc=cv.mean("auc"), pr_auc=cv.mean("pr_auc"), brier=cv.mean("brier"),
        lift_top_decile=cv.mean("lift_top_decile"), model=cv.model, pooled_auc=cv.pooled.auc,
        numeric=table.numeric, categorical=table.categorical, dropped=table.dropped,
        warnings=table.warnings, folds=folds, calibration=_bins(calibration(table.y, cv.probabilities)),
    )  # fmt: skip


def _quality(q: Quality) -> QualityOut:
    return QualityOut(rows=q.rows, positives=q.positives, auc=q.auc, pr_auc=q.pr_auc,
                      brier=q.brier, lift_top_decile=q.lift_top_decile)  # fmt: skip


def _bins(bins: list) -> list[CalibrationBinOut]:  # type: ignore[type-arg]
    return [CalibrationBinOut(**vars(b)) for b in bins]


def _backtest_out(result: BacktestResult) -> BacktestOut:
    lead = result.lead_time
    return BacktestOut(
        cutoff=result.cutoff, horizon_days=result.rule.horizon_days,
        snapshot_every_days=result.every_days, train_snapshots=result.train_rows,
        test_snapshots=len(result.test.meta), model=result.artifact.model,
        features=result.artifact.features, model_quality=_quality(result.model_quality),
        health_quality=_quality(result.health_quality) if result.health_quality else None,
        calibration=_bins(result.calibration),
        lead_time=LeadTimeOut(threshold=backtest.FLAG_SHARE, churned=lead.churned,
                              flagged=lead.flagged, median_days=lead.median_days,
                              mean_days=lead.mean_days),
    )  # fmt: skip


def run_backtest(context: AppContext, end: date, cutoff: date | None = None,
                 horizon_days: int = labels.HORIZON_DAYS, every_days: int = 30,
                 progress: Progress | None = None) -> BacktestOut:  # fmt: skip
    rule = _rule(horizon_days, every_days)
    return _backtest_out(backtest.run_backtest(context, end, cutoff, rule, every_days, progress))


def _rule(horizon_days: int, every_days: int) -> labels.LabelRule:
    if horizon_days < 1 or every_days < 1:
        raise Invalid("horizon and snapshot spacing must be at least one day")
    return labels.LabelRule(horizon_days=horizon_days)


def train(context: AppContext, session: Session, end: date,
          horizon_days: int = labels.HORIZON_DAYS, every_days: int = 30, activate: bool = True,
          progress: Progress | None = None) -> ModelOut:  # fmt: skip
    """Backtest (metrics), then fit on every observed snapshot; store a new version."""
    rule = _rule(horizon_days, every_days)
    days = backtest.history_days(context, end, rule, every_days)
    cutoff = backtest.default_cutoff(end, rule)
    step = progress("features", len(days)) if progress else None
    snaps = backtest.build_snapshots(context, days, rule, step)
    models: Step | None = progress("models", 2 * fits_needed()) if progress else None
    checked = backtest.evaluate_split(context, snaps, cutoff, rule, every_days, models)
    artifact = backtest.fit(snaps, models)
    version = repository.next_version(session)
    relative = f"{MODELS_DIR}/churn-v{version}.joblib"
    artifact.save(context.settings.ensure_home() / relative)
    metrics = _backtest_out(checked).model_dump(mode="json", exclude={"features"})
    metrics["inner_auc"] = artifact.extra.get("inner_auc", {})
    metrics["trained_on"] = {"snapshots": len(snaps.meta),
                             "positives": int(snaps.meta["label"].sum()), "model": artifact.model}  # fmt: skip
    row = ChurnModel(
        version=version, algorithm=str(artifact.extra.get("algorithm", artifact.model)),
        horizon_days=rule.horizon_days, trained_through=days[-1],
        features=json.dumps(artifact.features), metrics=json.dumps(metrics), artifact=relative,
    )  # fmt: skip
    return _model_out(repository.add_model(session, row, activate))


def _model_out(model: ChurnModel) -> ModelOut:
    return ModelOut(
        version=model.version, algorithm=model.algorithm, horizon_days=model.horizon_days,
        trained_through=model.trained_through, features=json.loads(model.features),
        metrics=json.loads(model.metrics), artifact=model.artifact, is_active=model.is_active,
        created_at=getattr(model, "created_at", None),
    )  # fmt: skip


def list_models(session: Session) -> list[ModelOut]:
    return [_model_out(m) for m in repository.models(session)]


def activate_model(session: Session, version: int) -> ModelOut:
    model = repository.activate(session, version)
    if model is None:
        raise NotFound(f"no churn model version {version}")
    return _model_out(model)


def load_active(context: AppContext, session: Session) -> tuple[ChurnModel, ChurnArtifact]:
    model = repository.active_model(session)
    if model is None:
        raise NotFound("no active churn model: run `tenure churn train` first")
    path = context.settings.home / model.artifact
    if not path.exists():
        raise NotFound(f"churn model v{model.version}: artifact {path} is missing")
    return model, ChurnArtifact.load(path)


def score_frame(artifact: ChurnArtifact, X: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Probabilities and drivers (JSON text) for every row of a features frame."""
    return artifact.drivers(X)


def score(context: AppContext, session: Session, day: date,
          progress: Progress | None = None) -> ScoreReportOut:  # fmt: skip
    """Score every account paying on `day` with the active model; replaces that day's scores."""
    started = time.perf_counter()
    model, artifact = load_active(context, session)
    inputs = features.load_inputs(context, day, day, with_health=_uses_health(artifact))
    paying = labels.paying_on(labels.coverage(inputs.terms), day)["account_id"]
    X = features.features_on(inputs, day, pd.Index(paying.to_numpy(), name="account_id"))
    step = progress("scoring", 1) if progress else None
    p, drivers = score_frame(artifact, X)
    if step:
        step("scored")
    rows = [
        {"account_id": int(a), "scored_on": day, "model_version": model.version,
         "probability": float(q), "drivers": d}
        for a, q, d in zip(X.index, p, drivers, strict=True)
    ]  # fmt: skip
    repository.replace_scores(session, day, rows, context.settings.import_batch_rows)
    return ScoreReportOut(scored_on=day, model_version=model.version, accounts=len(rows),
                          seconds=round(time.perf_counter() - started, 3))  # fmt: skip


def _uses_health(artifact: ChurnArtifact) -> bool:
    return any(name.startswith("health_") for name in artifact.features)


def account_churn(session: Session, account_id: int) -> AccountChurnOut | None:
    """The account's latest churn score with its drivers (for the account 360 page), or
    None when it has never been scored."""
    found = repository.latest_score(session, account_id)
    if found is None:
        return None
    external_id = repository.external_id(session, account_id) or str(account_id)
    return AccountChurnOut(
        external_id=external_id, scored_on=found.scored_on, model_version=found.model_version,
        probability=found.probability,
        drivers=[DriverOut(**d) for d in json.loads(found.drivers)],
    )  # fmt: skip


def account_churn_by_external_id(session: Session, external_id: str) -> AccountChurnOut:
    account_id = repository.account_id(session, external_id)
    if account_id is None:
        raise NotFound(f"no account with external_id {external_id!r}")
    found = account_churn(session, account_id)
    if found is None:
        raise NotFound(f"account {external_id!r} has no churn score yet (tenure churn score)")
    return found


def active_model(session: Session) -> ModelOut:
    model = repository.active_model(session)
    if model is None:
        raise NotFound("no active churn model: run `tenure churn train` first")
    return _model_out(model)
