# Sourced by scripts/*: create ./venv and install the pinned requirements when missing or stale.
VENV="${VENV:-venv}"
stamp="$VENV/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  count="$(grep -c '==' requirements.txt)"
  echo "setting up $VENV: 1/2 creating it" >&2
  python3 -m venv "$VENV"
  # pip's own "Collecting ..." lines are the progress: the first install takes a few minutes.
  echo "setting up $VENV: 2/2 installing $count pinned packages from requirements.txt" >&2
  "$VENV/bin/pip" install --disable-pip-version-check --progress-bar off -r requirements.txt >&2
  echo "$want" > "$stamp"
fi
export PYTHONDONTWRITEBYTECODE=1
