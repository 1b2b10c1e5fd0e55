# Sourced by scripts/*: create ./venv and install the locked requirements.txt when missing or stale.
# Every package comes pinned with its hashes (requirements.txt, compiled by scripts/lock): a package
# whose files do not match the lock is refused, whatever the index serves. The installer is uv,
# itself installed by pip from the hashes in requirements-bootstrap.txt into $VENV/.uv (outside
# site-packages, so a sync never removes it); the venv is made without pip (ensurepip is most of
# a plain venv's set-up time) and gets the lock's pinned pip from the sync. Where uv cannot be
# had, the venv's own pip installs the same lock.
VENV="${VENV:-venv}"
stamp="$VENV/.requirements.sha256"
want="$(cat requirements.txt requirements-bootstrap.txt | sha256sum | cut -d' ' -f1)"
uv_bin="$VENV/.uv/bin/uv"

ensure_uv() {  # uv at the pinned version in $VENV/.uv; returns non-zero where it cannot be installed
  [ -x "$uv_bin" ] && [ "$("$uv_bin" --version 2>/dev/null | cut -d' ' -f2)" = \
    "$(sed -n 's/^uv==\([^ ]*\).*/\1/p' requirements-bootstrap.txt)" ] && return 0
  local install=(install --quiet --disable-pip-version-check --require-hashes --no-deps --upgrade
                 --target "$VENV/.uv" -r requirements-bootstrap.txt)
  # This Python's own pip if it has one (the venv has none yet), else the venv's after ensurepip.
  python3 -m pip "${install[@]}" >&2 2>/dev/null && return 0
  { "$VENV/bin/python" -m pip --version >/dev/null 2>&1 || "$VENV/bin/python" -m ensurepip --upgrade >&2; } &&
    "$VENV/bin/python" -m pip "${install[@]}" >&2
}

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  count="$(grep -c '^[a-z].*==' requirements.txt)"
  echo "setting up $VENV: 1/2 creating it" >&2
  [ -x "$VENV/bin/python" ] || python3 -m venv --without-pip "$VENV"
  echo "setting up $VENV: 2/2 installing $count locked packages from requirements.txt (hashes required)" >&2
  if ensure_uv; then
    # sync: exactly the lock, removing what it no longer lists.
    "$uv_bin" pip sync --quiet --require-hashes --python "$VENV/bin/python" requirements.txt >&2
  else
    echo "setting up $VENV: uv unavailable, installing with pip (slower)" >&2
    "$VENV/bin/python" -m pip --version >/dev/null 2>&1 || "$VENV/bin/python" -m ensurepip --upgrade >&2
    "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off --require-hashes \
      -r requirements.txt >&2
  fi
  echo "$want" > "$stamp"
fi
export PYTHONDONTWRITEBYTECODE=1
