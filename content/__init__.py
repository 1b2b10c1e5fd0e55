"""Monitoring content as data: pure functions from settings to rules, routes and configs."""
