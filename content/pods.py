"""What every container this program runs itself shares.

The Pod Security Standards' restricted profile (kubernetes.io/docs/concepts/security/
pod-security-standards, "Restricted"): no privilege escalation, not root, no capabilities, the
runtime's default seccomp profile. A namespace that enforces it admits these pods.
"""
from __future__ import annotations

RESTRICTED = {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
              "seccompProfile": {"type": "RuntimeDefault"}}
