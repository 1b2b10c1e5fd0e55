"""What users run: the offline preview and the PR diff (scripts/preview, scripts/plan-diff), the real Pulumi
program under Pulumi's own mock runtime: no CLI, no cloud. Developer tooling lives in devtools/."""
