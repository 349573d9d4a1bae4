# Shared by scripts/test and scripts/demo: system packages, the virtualenv, PostgreSQL.
# Sourced, not run. Works on a fresh Debian/Ubuntu machine with Python >= 3.11.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else echo "need root for: $*" >&2; return 1
    fi
}

# Prints the packages among "$@" that dpkg does not have installed.
missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

# apt_install PKG...: installs what is missing, non-interactively, without recommends.
apt_install() {
    command -v dpkg-query >/dev/null 2>&1 || { echo "not a Debian/Ubuntu system; install: $*" >&2; return 1; }
    local missing
    missing=$(missing_packages "$@" | tr '\n' ' ')
    [ -n "${missing// /}" ] || return 0
    echo "==> apt-get install $missing"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

# Picks a Python >= 3.11.
find_python() {
    local py
    for py in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
        [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 || continue
        if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$py"; return 0
        fi
    done
    echo "Python >= 3.11 not found" >&2
    return 1
}

# Packages Debian's own Python needs to make a venv and build pyscard.
python_build_packages() {
    local py=$1
    "$py" -c 'import ensurepip' 2>/dev/null || echo python3-venv
    "$py" -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null || echo python3-dev
}

# ensure_venv [EXTRAS]: creates .venv and installs the project with the pinned constraints;
# reinstalls only when pyproject.toml or constraints.txt changed.
ensure_venv() {
    local extras=${1:-} py stamp
    py=$(find_python) || return 1
    [ -x "$VENV/bin/python" ] || "$py" -m venv "$VENV" || return 1
    stamp=$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -c1-16)-$extras
    [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$stamp" ] || return 0
    echo "==> pip install -e .${extras:+[$extras]}"
    "$VENV/bin/python" -m pip install -q --upgrade pip || return 1
    "$VENV/bin/python" -m pip install -q -c "$ROOT/constraints.txt" -e "$ROOT${extras:+[$extras]}" \
        || return 1
    echo "$stamp" > "$VENV/.installed"
}
