# shellcheck shell=bash
# Shared by ops/run and ops/test (sourced, not executed). After sourcing:
#   - the working directory is the repository root;
#   - .venv/ exists, holds the project and the pinned versions of its dependencies
#     (`pip install -c requirements/constraints.txt -e '.[dev]'`) and is first on PATH;
#   - DATABASE_URL and REDIS_URL are exported: yours when set, else embedded servers under var/
#     (ops/services.py), which are stopped again at exit unless another script still uses them;
#   - DJANGO_SETTINGS_MODULE is exported (config.settings.dev unless already set).
# A script may define ops_before_exit (run first at exit, e.g. to stop its children).

set -euo pipefail

OPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$OPS_ROOT"

if [[ -t 2 ]]; then
    ops_log() { printf '\033[1;34m==>\033[0m \033[1m%s\033[0m\n' "$*" >&2; }
else
    ops_log() { printf '==> %s\n' "$*" >&2; }
fi
ops_die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# --- cleanup at exit --------------------------------------------------------------------
OPS_SERVICES_USED=0
ops_exit() {
    local status=$?
    trap - EXIT INT TERM
    if declare -F ops_before_exit >/dev/null; then
        ops_before_exit || true
    fi
    if [[ $OPS_SERVICES_USED == 1 ]]; then
        "$OPS_ROOT/.venv/bin/python" ops/services.py down --owner $$ || true
    fi
    exit "$status"
}
trap ops_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Python 3.11 and the virtualenv -----------------------------------------------------
ops_is_py311() {
    "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1
}

ops_find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3; do
        if [[ -n $candidate ]] && command -v "$candidate" >/dev/null 2>&1 \
            && ops_is_py311 "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    ops_die "Python 3.11 is required: install it so that \`python3.11\` (or \`python3\` at" \
        "version 3.11) is on PATH, or point PYTHON at it. Found: $(python3 --version 2>&1 || echo 'no python3')"
}

if [[ -e .venv ]] && ! ops_is_py311 .venv/bin/python; then
    if .venv/bin/python -c 'pass' >/dev/null 2>&1; then
        ops_die ".venv/ holds $(.venv/bin/python --version 2>&1), not Python 3.11: remove .venv/ and run again"
    fi
    ops_log "recreating .venv/ (its interpreter no longer runs)"
    "$(ops_find_python)" -m venv --clear .venv
elif [[ ! -e .venv ]]; then
    ops_log "creating .venv/"
    "$(ops_find_python)" -m venv .venv
fi
export VIRTUAL_ENV="$OPS_ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
unset PYTHONHOME

# Reinstall only when pyproject.toml or the pinned versions (requirements/constraints.txt,
# refreshed by ./ops/lock) changed since the last successful install.
OPS_CONSTRAINTS=requirements/constraints.txt
[[ -f $OPS_CONSTRAINTS ]] || ops_die "$OPS_CONSTRAINTS is missing: run ./ops/lock to write it"
ops_hash="$(python -c 'import hashlib, sys
digest = hashlib.sha256()
for path in sys.argv[1:]:
    digest.update(open(path, "rb").read())
print(digest.hexdigest())' pyproject.toml "$OPS_CONSTRAINTS")"
if [[ "$(cat .venv/.installed-hash 2>/dev/null || true)" != "$ops_hash" ]]; then
    ops_log "installing the project and its pinned dependencies into .venv/" \
        "(pip install -c $OPS_CONSTRAINTS -e '.[dev]')"
    python -m pip install --disable-pip-version-check --quiet \
        --constraint "$OPS_CONSTRAINTS" --editable '.[dev]' \
        || ops_die "pip install failed (see above)"
    # A dependency added to pyproject.toml without a refresh of the pins would be installed
    # at whatever version PyPI serves today: refuse it.
    bash ops/lock --check >/dev/null \
        || ops_die "$OPS_CONSTRAINTS does not pin every dependency: run ./ops/lock, then commit it"
    printf '%s\n' "$ops_hash" >.venv/.installed-hash
fi
unset ops_hash

# --- PostgreSQL and Redis ---------------------------------------------------------------
OPS_SERVICES_USED=1
# Capture first: `eval "$(...)"` alone would hide a failure from `set -e`.
ops_exports="$(python ops/services.py up --owner $$)" || ops_die "could not start the services (see above)"
eval "$ops_exports"
unset ops_exports
export DATABASE_URL REDIS_URL

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.dev}"
