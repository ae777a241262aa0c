# Shared by ./run and ./test: create .venv and (re)install the project when pyproject.toml changes.
# $1 = extras ("" for ./run, "[dev]" for ./test). An install with [dev] also satisfies "".
# Returns non-zero after printing one line that says what failed and what to do; callers run
# under `set -euo pipefail`, so nothing here may end a pipeline with a command (grep, diff, test)
# whose "no match" status is not a failure.

# _pip LOG ARGS...: run pip quietly into LOG; on failure print its last lines and one reason.
_pip() {
  local log="$1"; shift
  if .venv/bin/python -m pip --disable-pip-version-check "$@" >"$log" 2>&1; then
    return 0
  fi
  tail -n 15 "$log" >&2
  echo "安装失败（pip $*）：请检查网络或软件源，完整日志见 $log" >&2
  return 1
}

ensure_venv() {
  local extras="$1"
  local py="${PYTHON:-python3}"
  if [ -x .venv/bin/python ] && ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    echo "== .venv is incomplete (an interrupted set-up?); recreating it =="
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv =="
    if ! "$py" -m venv .venv; then
      echo "无法创建 .venv：需要 Python 3.11+ 及其 venv 模块（Debian：apt-get install python3-venv）" >&2
      return 1
    fi
    _pip .venv/pip-upgrade.log install -q --upgrade pip || return 1
  fi
  local hash stamp have=""
  hash="$(sha256sum pyproject.toml | cut -c1-16)"
  stamp=.venv/.liuzhuan-installed
  if [ -f "$stamp" ]; then have="$(cat "$stamp")"; fi
  if [ "$have" = "${hash}${extras}" ] || [ "$have" = "${hash}[dev]" ]; then
    return 0
  fi
  echo "== installing liuzhuan${extras} into .venv =="
  _pip .venv/pip-install.log install -q -e ".${extras}" || return 1
  if ! .venv/bin/python -c "import liuzhuan, django, ortools, stdnum, cn2an" 2>.venv/import-check.log; then
    tail -n 5 .venv/import-check.log >&2
    echo "安装后无法导入依赖：请删除 .venv 后重试（日志 .venv/import-check.log）" >&2
    return 1
  fi
  echo "${hash}${extras}" > "$stamp"
}
