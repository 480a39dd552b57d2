"""SQLAlchemy models, one module per table family. Importing this registers them all."""

from tenure.models.accounts import Account, Contact
from tenure.models.base import Base
from tenure.models.ingestion import IntegrationEvent, Source, TrackedUser
from tenure.models.health import (
    Alert,
    ChurnModel,
    ChurnScore,
    HealthSnapshot,
    OnboardingMilestone,
)
from tenure.models.billing import Invoice, MarketingSpend, SubscriptionTerm
from tenure.models.jobs import JobRun
from tenure.models.support import SurveyResponse, Ticket
from tenure.models.users import ApiToken, User
from tenure.models.web import SavedView, WebSession
from tenure.models.work import Activity, Task

__all__ = [
    "WebSession",
    "SavedView",
    "OnboardingMilestone",
    "HealthSnapshot",
    "ChurnScore",
    "ChurnModel",
    "Alert",
    "ApiToken",
    "Account",
    "Activity",
    "Base",
    "Contact",
    "IntegrationEvent",
    "Invoice",
    "JobRun",
    "MarketingSpend",
    "Source",
    "SubscriptionTerm",
    "SurveyResponse",
    "Task",
    "Ticket",
    "TrackedUser",
    "User",
]
