"""Runs the real Pulumi program under Pulumi's own mock runtime: no CLI, no cloud."""
