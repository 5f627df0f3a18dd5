"""Producers, certificates, products, lots and search."""
