"""Read models for pages: the rows a page lists, joined across the engine's stored
results (health snapshots, churn scores, terms). Figures themselves come from services
(MRR/ARR from `tenure.subscriptions.service`) or are the engine's stored outputs; SQL
here only selects, filters, sorts and pages. Never commits.
"""
