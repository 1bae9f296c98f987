#!/usr/bin/env python3
"""Render the shipped nginx configuration (ops/deploy/nginx/) for one place it runs.

    python ops/deploy/render.py --profile server --out /etc/nginx/portal [--set NAME=VALUE ...]
    python ops/deploy/render.py --profile local --out var/nginx/conf --set LISTEN=127.0.0.1:8080
    python ops/deploy/render.py --profile server --list       the values a profile uses

The files under ops/deploy/nginx/ are the ones real servers run; the only difference between a
server, a container and `./ops/run --production` is a handful of values, written in the files
as @@NAME@@ (never `$`, which is nginx's own). Every *.conf is copied to --out with each
@@NAME@@ replaced by the profile's value or the one given with --set; a name left unreplaced,
or a --set of a name no file uses, is refused (exit 2), so a typo never ships.

Profiles:
  server     a Debian host: TLS on 443, HTTP on 80 redirecting, gunicorn on 127.0.0.1:8000,
             portal.conf included from /etc/nginx/conf.d/ (the host keeps its nginx.conf)
  local      `./ops/run --production`: plain HTTP, everything under var/nginx/, no root
  container  the nginx image of ops/deploy/Dockerfile: plain HTTP on 8080 behind the
             Ingress (which terminates TLS and says so in X-Forwarded-Proto), gunicorn at web:8000

brotli: included when the module is present (--brotli auto, the default), or forced on/off.
The rendered nginx.conf (main context) loads it itself; a Debian server loads it through
/etc/nginx/modules-enabled/ once libnginx-mod-http-brotli-filter is installed.

Standard library only: ops/run calls it before the virtualenv matters.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "nginx"
ROOT = HERE.parents[1]
PLACEHOLDER = re.compile(r"@@([A-Z][A-Z0-9_]*)@@")
BROTLI_MODULE = "ngx_http_brotli_filter_module.so"
MODULE_DIRS = ("/usr/lib/nginx/modules", "/usr/share/nginx/modules", "/etc/nginx/modules")
# Values are pasted into nginx directives: nothing that could end one or open a block.
UNSAFE = re.compile(r"[;{}\"'\n\r\\#]")


def _profile(name: str) -> dict[str, str]:
    if name == "server":
        return {
            "SITE": "portal.conf",
            "SERVER_NAMES": ".gov.vn",
            "HTTP_PORT": "80",
            "HTTPS_PORT": "443",
            "LISTEN": "80",
            "UPSTREAM": "127.0.0.1:8000",
            "FORWARDED_PROTO": "$scheme",
            "STATIC_ROOT": "/srv/portal/var/static",
            "TLS_CERTIFICATE": "/etc/ssl/portal/fullchain.pem",
            "TLS_CERTIFICATE_KEY": "/etc/ssl/portal/privkey.pem",
            "ACME_ROOT": "/var/www/acme",
            "CACHE_DIR": "/var/cache/nginx/portal",
            "CACHE_KEYS_SIZE": "64m",
            "CACHE_MAX_SIZE": "10g",
            "ACCESS_LOG": "/var/log/nginx/portal-access.log",
            "ERROR_LOG": "/var/log/nginx/error.log",
            "RUN_DIR": "/run",
            "TEMP_DIR": "/var/lib/nginx",
            "MIME_TYPES": "/etc/nginx/mime.types",
            "WORKER_PROCESSES": "auto",
            "USER": "www-data",
        }
    if name == "local":
        var = ROOT / "var" / "nginx"
        return {
            "SITE": "portal-local.conf",
            "SERVER_NAMES": ".localhost localhost 127.0.0.1",
            "HTTP_PORT": "8080",
            "HTTPS_PORT": "8443",
            "LISTEN": "127.0.0.1:8080",
            "UPSTREAM": "127.0.0.1:8001",
            "FORWARDED_PROTO": "$scheme",
            "STATIC_ROOT": str(ROOT / "var" / "static"),
            "TLS_CERTIFICATE": str(var / "tls" / "cert.pem"),
            "TLS_CERTIFICATE_KEY": str(var / "tls" / "key.pem"),
            "ACME_ROOT": str(var / "acme"),
            "CACHE_DIR": str(var / "cache"),
            "CACHE_KEYS_SIZE": "16m",
            "CACHE_MAX_SIZE": "1g",
            "ACCESS_LOG": str(var / "log" / "access.log"),
            "ERROR_LOG": str(var / "log" / "error.log"),
            "RUN_DIR": str(var),
            "TEMP_DIR": str(var / "tmp"),
            "MIME_TYPES": "/etc/nginx/mime.types",
            "WORKER_PROCESSES": "2",
            # The current user: as root nginx would otherwise hand its workers to `nobody`, who
            # can read neither var/ nor the cache it writes (not root: nginx ignores the line).
            "USER": pwd.getpwuid(os.geteuid()).pw_name,
        }
    if name == "container":
        return {
            "SITE": "portal-local.conf",
            "SERVER_NAMES": "_",
            "HTTP_PORT": "8080",
            "HTTPS_PORT": "8443",
            "LISTEN": "8080",
            "UPSTREAM": "web:8000",
            # Behind the Ingress, which terminated TLS: its X-Forwarded-Proto is passed on.
            "FORWARDED_PROTO": "$http_x_forwarded_proto",
            "STATIC_ROOT": "/srv/portal/static",
            "TLS_CERTIFICATE": "/etc/nginx/tls/tls.crt",
            "TLS_CERTIFICATE_KEY": "/etc/nginx/tls/tls.key",
            "ACME_ROOT": "/var/www/acme",
            "CACHE_DIR": "/var/cache/nginx/portal",
            "CACHE_KEYS_SIZE": "32m",
            "CACHE_MAX_SIZE": "2g",
            "ACCESS_LOG": "/dev/stdout",
            "ERROR_LOG": "/dev/stderr",
            "RUN_DIR": "/tmp",
            "TEMP_DIR": "/var/cache/nginx",
            "MIME_TYPES": "/etc/nginx/mime.types",
            "WORKER_PROCESSES": "auto",
            "USER": "nginx",
        }
    raise ValueError(f"unknown profile {name!r} (server, local, container)")


def brotli_module(module_dirs: tuple[str, ...] = MODULE_DIRS) -> Path | None:
    for directory in module_dirs:
        path = Path(directory) / BROTLI_MODULE
        if path.is_file():
            return path
    return None


def values_for(
    profile: str, out: Path, overrides: dict[str, str], brotli: str = "auto"
) -> dict[str, str]:
    values = _profile(profile)
    unknown = sorted(set(overrides) - set(values))
    if unknown:
        raise ValueError(f"no file uses {', '.join(unknown)} (see --list)")
    for name, value in overrides.items():
        if not value or UNSAFE.search(value):
            raise ValueError(f"{name}: empty, or holds one of ; {{ }} quotes # \\ or a newline")
    values.update(overrides)
    values["CONF_DIR"] = str(out)
    module = brotli_module() if brotli == "auto" else None
    if brotli == "on":
        module = brotli_module()
        if module is None:
            raise ValueError(
                f"--brotli on: {BROTLI_MODULE} is not installed "
                "(apt-get install libnginx-mod-http-brotli-filter)"
            )
    if module is not None and brotli != "off":
        values["BROTLI_INCLUDE"] = f"include {out}/snippets/brotli.conf;"
        values["LOAD_MODULES"] = f"load_module {module};"
    else:
        values["BROTLI_INCLUDE"] = (
            "# brotli: module not loaded (apt-get install libnginx-mod-http-brotli-filter)"
        )
        values["LOAD_MODULES"] = "# (no dynamic module)"
    return values


def render(
    profile: str,
    out: Path,
    overrides: dict[str, str] | None = None,
    brotli: str = "auto",
    *,
    make_dirs: bool = False,
) -> Path:
    """Write the rendered *.conf files under `out`; return the main nginx.conf. With
    `make_dirs`, also create the directories nginx writes to (pid, temp, cache, logs)."""
    out = out.resolve()
    values = values_for(profile, out, overrides or {}, brotli)
    rendered: dict[Path, str] = {}
    missing: list[str] = []
    for source in sorted(SOURCE.rglob("*.conf")):
        relative = source.relative_to(SOURCE)

        def substitute(match: re.Match[str], where: Path = relative) -> str:
            name = match.group(1)
            if name not in values:
                missing.append(f"{where}: @@{name}@@")
                return match.group(0)
            return values[name]

        rendered[relative] = PLACEHOLDER.sub(substitute, source.read_text(encoding="utf-8"))
    if missing:
        raise ValueError("no value for " + "; ".join(missing))
    for relative, text in rendered.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if make_dirs:
        for directory in (
            Path(values["RUN_DIR"]),
            Path(values["TEMP_DIR"]),
            Path(values["CACHE_DIR"]),
            Path(values["ACCESS_LOG"]).parent,
            Path(values["ERROR_LOG"]).parent,
        ):
            directory.mkdir(parents=True, exist_ok=True)
    return out / "nginx.conf"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", required=True, choices=("server", "local", "container"))
    parser.add_argument("--out", type=Path, help="the directory to write (created)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override a value"
    )
    parser.add_argument("--brotli", choices=("auto", "on", "off"), default="auto")
    parser.add_argument("--list", action="store_true", help="print the profile's values")
    parser.add_argument(
        "--make-dirs", action="store_true", help="create the pid, temp, cache and log directories"
    )
    args = parser.parse_args(argv)
    overrides: dict[str, str] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not PLACEHOLDER.fullmatch(f"@@{name}@@"):
            parser.error(f"--set takes NAME=VALUE, not {item!r}")
        overrides[name] = value
    try:
        if args.list:
            out = (args.out or Path("<out>")).absolute()
            for name, value in sorted(
                values_for(args.profile, out, overrides, args.brotli).items()
            ):
                print(f"{name}={value}")
            return 0
        if args.out is None:
            parser.error("--out is required")
        print(render(args.profile, args.out, overrides, args.brotli, make_dirs=args.make_dirs))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
