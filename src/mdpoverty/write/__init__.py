"""Presentation only: writers that turn frames into files people open."""
