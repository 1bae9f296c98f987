# shellcheck shell=bash
# The production stack of `./ops/run --production` (sourced by ops/run after ops/lib.sh; see
# ADR 0023). production_prepare runs before the migrations, production_start starts the
# processes with ops/run's start_child.
#
# What differs from a real server is only what a laptop needs: nginx runs as the current user
# with its pid, temp files, cache and logs under var/nginx/, listens in plain HTTP on
# 127.0.0.1:$PORT, and the cookies are not marked Secure (a browser would not send them back
# over http://*.localhost). Everything else is config.settings.production and the shipped
# ops/deploy/nginx/ files.

production_nginx=""

# nginx from Debian: found, installed when allowed, or the exact command to run.
production_find_nginx() {
    local candidate
    for candidate in "${NGINX:-}" nginx /usr/sbin/nginx; do
        if [[ -n $candidate ]] && command -v "$candidate" >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

production_install_nginx() {
    packages=(nginx libnginx-mod-http-brotli-filter)
    local runner=()
    if ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            runner=(sudo -n)
        else
            return 1
        fi
    fi
    if [[ ${OPS_INSTALL:-} != 1 ]]; then
        [[ -t 0 && -t 2 ]] || return 1
        local answer
        read -r -p "nginx is not installed. Install it now (apt-get install ${packages[*]})? [y/N] " answer
        [[ $answer == [yY]* ]] || return 1
    fi
    ops_log "installing ${packages[*]}"
    "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "${packages[@]}" >&2 \
        || { "${runner[@]}" apt-get update >&2 && "${runner[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "${packages[@]}" >&2; }
    # Debian starts its own nginx on port 80 after installing it: ours does not need it.
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
        "${runner[@]}" systemctl disable --now nginx >/dev/null 2>&1 || true
    fi
}

production_prepare() {
    if ! production_nginx="$(production_find_nginx)"; then
        production_install_nginx || ops_die "nginx is not installed. Install it with:
    sudo apt-get install nginx libnginx-mod-http-brotli-filter
or run again as root (or with passwordless sudo) with OPS_INSTALL=1 to let ./ops/run install it."
        production_nginx="$(production_find_nginx)" || ops_die "nginx is still missing after apt-get install"
    fi

    # A secret key made once for this machine (kept in var/, owner only) unless one is given.
    if [[ -z ${DJANGO_SECRET_KEY:-} ]]; then
        if [[ ! -s var/secret_key ]]; then
            mkdir -p var
            (umask 077 && python -c 'import secrets; print(secrets.token_urlsafe(50))' >var/secret_key)
        fi
        DJANGO_SECRET_KEY="$(cat var/secret_key)"
        export DJANGO_SECRET_KEY
    fi
    export ALLOWED_HOSTS="${ALLOWED_HOSTS:-.localhost,localhost,127.0.0.1}"
    export PLATFORM_DEV_HOSTS=1
    # Plain HTTP on this machine: no redirect to https://, cookies a browser sends over http.
    export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
    export TRUSTED_PROXIES="${TRUSTED_PROXIES:-1}"

    # gunicorn on a private loopback port nobody else uses; nginx alone listens on $PORT.
    APP_PORT="${APP_PORT:-$(python -c 'import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])')}"
    export GUNICORN_BIND="127.0.0.1:$APP_PORT"

    ops_log "rendering the nginx configuration into var/nginx/conf/"
    rm -rf var/nginx/conf
    python ops/deploy/render.py --profile local --out var/nginx/conf --make-dirs \
        --set "LISTEN=127.0.0.1:$PORT" --set "UPSTREAM=127.0.0.1:$APP_PORT" >/dev/null \
        || ops_die "could not render ops/deploy/nginx/ (see above)"
    "$production_nginx" -t -q -c "$OPS_ROOT/var/nginx/conf/nginx.conf" -p "$OPS_ROOT/var/nginx/" \
        -e "$OPS_ROOT/var/nginx/log/error.log" \
        || ops_die "nginx refused var/nginx/conf/nginx.conf (see above)"
}

production_start() {
    ops_log "starting nginx on 127.0.0.1:$PORT, gunicorn (config.settings.production) on" \
        "127.0.0.1:$APP_PORT, a Celery worker and Celery beat"
    start_child nginx "$production_nginx" -c "$OPS_ROOT/var/nginx/conf/nginx.conf" \
        -p "$OPS_ROOT/var/nginx/" -e "$OPS_ROOT/var/nginx/log/error.log" -g 'daemon off;'
    # ops/gunicorn.conf.py: GUNICORN_BIND, WEB_CONCURRENCY (default from the CPUs), recycling.
    # Its workers add up their metrics through files in var/prometheus (config.metrics).
    start_child gunicorn env PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$OPS_ROOT/var/prometheus}" \
        gunicorn -c ops/gunicorn.conf.py --no-control-socket \
        --pid "$OPS_ROOT/var/gunicorn.pid" config.wsgi:application
    # -O fair: a long task (a backup) never holds back the short ones queued behind it.
    start_child "celery worker" celery -A config worker -l info -O fair --concurrency 2
    start_child "celery beat" celery -A config beat -l info --schedule var/celerybeat-schedule
    # The URLs printed below are nginx's; wait for the application behind it.
    ready_port=$APP_PORT
}
