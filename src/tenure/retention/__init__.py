"""Retention analytics (METRICS.md section 6): cohorts, Kaplan-Meier survival, sBG and DERL.

The definitions live in `tenure.analytics.cohorts`, `.survival` and `.sbg`; this domain
validates arguments (service), shapes outputs (schemas) and serves them (endpoints).
"""
