# Shared by ./run and ./test: create .venv and (re)install the project when pyproject.toml changes.
# $1 = extras ("" for ./run, "[dev]" for ./test). An install with [dev] also satisfies "".
ensure_venv() {
  local extras="$1"
  local py="${PYTHON:-python3}"
  if [ -x .venv/bin/python ] && ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    echo "== .venv is incomplete (an interrupted set-up?); recreating it =="
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv =="
    "$py" -m venv .venv || return 1
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
  fi
  local hash stamp have=""
  hash="$(sha256sum pyproject.toml | cut -c1-16)"
  stamp=.venv/.liuzhuan-installed
  [ -f "$stamp" ] && have="$(cat "$stamp")"
  if [ "$have" = "${hash}${extras}" ] || [ "$have" = "${hash}[dev]" ]; then
    return 0
  fi
  echo "== installing liuzhuan${extras} into .venv =="
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}" 2>&1 | grep -v "is ignored: it is neither a file nor a directory"
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "pip install failed" >&2; return 1; }
  .venv/bin/python -c "import liuzhuan, django, ortools, stdnum, cn2an" || return 1
  echo "${hash}${extras}" > "$stamp"
}
