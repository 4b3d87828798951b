#!/usr/bin/env bash
# Vendor the front-end assets (Utrecht component CSS and htmx) into
# portal/static/vendor/ so the app needs no CDN and no npm at run time. npm is
# only used here, in a throw-away directory.
#
# Only openly licensed packages are vendored: the component CSS is EUPL-1.2,
# htmx is 0BSD. The design tokens are NOT vendored: @utrecht/design-tokens is
# proprietary to Gemeente Utrecht ("All rights reserved"), so our own token
# set lives in portal/static/css/tokens.css.
#
# Usage: bash scripts/vendor.sh        (from anywhere inside the repository)
#
# To upgrade: change a version below, run the script, review the diff of
# portal/static/vendor/VERSIONS.txt and check the pages visually.
set -euo pipefail

# Pinned versions. htmx stays on 2.x on purpose (4.x changed the API).
UTRECHT_CSS_PKG="@utrecht/component-library-css"
UTRECHT_CSS_VERSION="9.0.4"
UTRECHT_CSS_LICENSE="EUPL-1.2"
HTMX_PKG="htmx.org"
HTMX_VERSION="2.0.11"
HTMX_LICENSE="0BSD"
# Swagger UI for the API documentation at /api/docs, served from here, never from a CDN.
SWAGGER_PKG="swagger-ui-dist"
SWAGGER_VERSION="5.35.0"
SWAGGER_LICENSE="Apache-2.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/portal/static/vendor"

command -v npm >/dev/null 2>&1 || { echo "vendor.sh: npm is required (apt-get install npm)" >&2; exit 1; }
command -v sha256sum >/dev/null 2>&1 || { echo "vendor.sh: sha256sum is required" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# npm pack downloads the published tarball (integrity-checked by npm against
# the registry metadata) without running any install scripts.
# The licence in package.json must be the one expected here, so a package
# that changes to a non-open licence (or a proprietary one added by mistake)
# never lands silently.
fetch() { # fetch PKG VERSION LICENSE -> prints the directory of the unpacked package
    local pkg="$1" version="$2" license="$3" tgz dir
    if ! tgz="$(cd "$TMP" && npm pack --loglevel=error --ignore-scripts "${pkg}@${version}" 2>"$TMP/npm.log" | tail -n 1)" \
        || [ -z "$tgz" ] || [ ! -f "$TMP/$tgz" ]; then
        echo "vendor.sh: npm pack ${pkg}@${version} failed:" >&2
        cat "$TMP/npm.log" >&2
        exit 1
    fi
    dir="$TMP/unpacked-${tgz%.tgz}"
    mkdir -p "$dir"
    tar -xzf "$TMP/$tgz" -C "$dir"
    # Make sure we really got the version we asked for.
    local got
    got="$(sed -n 's/^  "version": "\(.*\)",\{0,1\}$/\1/p' "$dir/package/package.json" | head -n 1)"
    [ "$got" = "$version" ] || { echo "vendor.sh: expected ${pkg}@${version}, got ${got}" >&2; exit 1; }
    got="$(sed -n 's/^  "license": "\(.*\)",\{0,1\}$/\1/p' "$dir/package/package.json" | head -n 1)"
    [ "$got" = "$license" ] || { echo "vendor.sh: expected licence ${license} for ${pkg}@${version}, got '${got}'" >&2; exit 1; }
    echo "$dir/package"
}

# copy SRC DEST_RELATIVE_PATH PACKAGE@VERSION; remembers what was copied.
COPIED=()
copy() {
    local src="$1" rel="$2" origin="$3"
    [ -s "$src" ] || { echo "vendor.sh: missing or empty $src" >&2; exit 1; }
    mkdir -p "$(dirname "$DEST/$rel")"
    cp "$src" "$DEST/$rel"
    COPIED+=("$rel|$origin")
}

# Assert a minimum size so a broken/empty download never lands silently.
min_size() { # min_size REL BYTES
    local size
    size="$(wc -c <"$DEST/$1")"
    [ "$size" -ge "$2" ] || { echo "vendor.sh: $1 is only $size bytes (expected >= $2)" >&2; exit 1; }
}

echo "Fetching packages with npm ..."
CSS_DIR="$(fetch "$UTRECHT_CSS_PKG" "$UTRECHT_CSS_VERSION" "$UTRECHT_CSS_LICENSE")"
HTMX_DIR="$(fetch "$HTMX_PKG" "$HTMX_VERSION" "$HTMX_LICENSE")"
SWAGGER_DIR="$(fetch "$SWAGGER_PKG" "$SWAGGER_VERSION" "$SWAGGER_LICENSE")"

# Start from a clean vendor directory so removed files do not linger.
rm -rf "$DEST"
mkdir -p "$DEST/utrecht" "$DEST/htmx"

CSS_ID="${UTRECHT_CSS_PKG}@${UTRECHT_CSS_VERSION}"
HTMX_ID="${HTMX_PKG}@${HTMX_VERSION}"
CSS_LINE="${CSS_ID}  licence ${UTRECHT_CSS_LICENSE}"
HTMX_LINE="${HTMX_ID}  licence ${HTMX_LICENSE}"

# All Utrecht components in one file; every rule is scoped to utrecht-* classes.
copy "$CSS_DIR/dist/index.css" "utrecht/component-library.css" "$CSS_ID"
copy "$CSS_DIR/LICENSE.md" "utrecht/LICENSE-component-library-css.md" "$CSS_ID"
copy "$HTMX_DIR/dist/htmx.min.js" "htmx/htmx.min.js" "$HTMX_ID"
copy "$HTMX_DIR/LICENSE" "htmx/LICENSE" "$HTMX_ID"
SWAGGER_ID="${SWAGGER_PKG}@${SWAGGER_VERSION}"
for file in swagger-ui-bundle.js swagger-ui-standalone-preset.js swagger-ui.css LICENSE; do
    copy "$SWAGGER_DIR/$file" "swagger/$file" "$SWAGGER_ID"
done

# Sanity checks on content and size.
grep -q '\.utrecht-button' "$DEST/utrecht/component-library.css" \
    || { echo "vendor.sh: component-library.css has no .utrecht-button" >&2; exit 1; }
grep -q 'version:"2\.' "$DEST/htmx/htmx.min.js" \
    || { echo "vendor.sh: htmx.min.js is not htmx 2.x" >&2; exit 1; }
min_size "utrecht/component-library.css" 100000
min_size "htmx/htmx.min.js" 30000

# Record what was vendored, with checksums.
{
    echo "# Vendored front-end assets. Generated by scripts/vendor.sh; do not edit."
    echo "# Files are copied unmodified from the npm packages below."
    echo "#"
    echo "# package@version  licence (SPDX, from the package's package.json;"
    echo "# the full text is copied next to the files)"
    printf '%s\n' "$CSS_LINE" "$HTMX_LINE" "${SWAGGER_ID}  licence ${SWAGGER_LICENSE}"
    echo "#"
    echo "# sha256  file  (package@version)"
    for entry in "${COPIED[@]}"; do
        rel="${entry%%|*}"
        origin="${entry#*|}"
        sum="$(cd "$DEST" && sha256sum "$rel" | cut -d' ' -f1)"
        echo "$sum  $rel  ($origin)"
    done
} >"$DEST/VERSIONS.txt"

echo "Vendored into ${DEST#"$ROOT"/}:"
(cd "$DEST" && find . -type f -printf '  %-45p %8s bytes\n' | sort)
