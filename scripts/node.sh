# Sourced by scripts/test: install the pinned node packages (package-lock.json) that the dashboard
# schema check runs (typescript, @grafana/schema) when missing or stale, as venv.sh does for Python.
# Without npm it says so and goes on: that check then fails, naming what to install.
node_stamp="node_modules/.package-lock.sha256"
node_want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "$node_stamp" 2>/dev/null)" != "$node_want" ]; then
  if command -v npm >/dev/null; then
    echo "setting up node_modules: npm ci (typescript and @grafana/schema from package-lock.json)" >&2
    npm ci --no-audit --no-fund >&2
    echo "$node_want" > "$node_stamp"
  else
    echo "npm is not installed: the dashboard schema check will fail (Debian: apt-get install nodejs npm)" >&2
  fi
fi
