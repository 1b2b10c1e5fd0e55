# Sourced by scripts/*: create ./venv and install the pinned requirements when missing or stale.
VENV="${VENV:-venv}"
stamp="$VENV/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setting up $VENV (pip install -r requirements.txt)..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt >&2
  echo "$want" > "$stamp"
fi
export PYTHONDONTWRITEBYTECODE=1
