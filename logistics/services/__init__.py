"""Logistics use cases: plain functions taking the acting user and owning the transaction."""
