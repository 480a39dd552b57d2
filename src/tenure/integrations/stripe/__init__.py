"""Stripe: subscription, customer and invoice webhooks, and a backfill from the API.

See docs/stripe.md for the mapping rules.
"""
