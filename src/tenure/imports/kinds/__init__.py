"""Every import kind; importing this package registers them all with `register_kind`."""

from tenure.imports.kinds import (  # noqa: F401 - imported to register
    accounts,
    contacts,
    events,
    spend,
    subscriptions,
    survey_responses,
    tickets,
)
