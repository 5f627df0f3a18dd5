"""Shipments, tracking milestones, cold chain and notifications."""
