#!/usr/bin/env bash
# What the test suite needs besides Python: a PostgreSQL server on 127.0.0.1:5432, Debian's
# chromium, pdftotext, Pango (for WeasyPrint) and LibreOffice Calc (headless). Starts or
# installs what is missing; never fails when it
# is already there.
set -uo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null; then echo "  no apt-get: install $* yourself" >&2; return 1; fi
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq >/dev/null && apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

postgres_up() {
  if command -v pg_isready >/dev/null; then pg_isready -q -h 127.0.0.1 -p 5432; else
    (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; fi
}

echo "== PostgreSQL"
if postgres_up; then
  echo "  running on 127.0.0.1:5432"
else
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "  not installed; installing Debian's postgresql"
    apt_install postgresql || true
  fi
  for version in $(ls /etc/postgresql 2>/dev/null); do
    echo "  starting cluster $version/main"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
      || as_root pg_ctlcluster "$version" main start || true
  done
  for _ in $(seq 1 30); do postgres_up && break; sleep 1; done
  if postgres_up; then echo "  started"; else
    echo "  PostgreSQL is not reachable; its tests will be skipped (and fail under CI=true)"; fi
fi

echo "== Chromium for the browser tests"
if [ -x /usr/bin/chromium ]; then
  echo "  $(/usr/bin/chromium --version 2>/dev/null | head -1)"
else
  echo "  installing Debian's chromium"
  apt_install chromium || echo "  chromium could not be installed; browser tests will say so"
fi

echo "== pdftotext (poppler-utils) to read the letters' PDFs"
if command -v pdftotext >/dev/null; then
  echo "  $(pdftotext -v 2>&1 | head -1)"
else
  echo "  installing Debian's poppler-utils"
  apt_install poppler-utils || echo "  poppler-utils could not be installed; the letter tests will say so"
fi

echo "== Pango for WeasyPrint (the letters' PDFs)"
if ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so.0"; then
  echo "  libpango present"
else
  echo "  installing Debian's libpango-1.0-0 and libpangoft2-1.0-0"
  apt_install libpango-1.0-0 libpangoft2-1.0-0 || echo "  Pango could not be installed"
fi

echo "== LibreOffice Calc (headless) to recalculate the SPUK workbook"
if command -v soffice >/dev/null || command -v libreoffice >/dev/null; then
  echo "  $( (soffice --version || libreoffice --version) 2>/dev/null | head -1)"
else
  echo "  installing Debian's libreoffice-calc-nogui"
  apt_install libreoffice-calc-nogui \
    || echo "  LibreOffice could not be installed; the SPUK workbook tests will say so"
fi
exit 0
