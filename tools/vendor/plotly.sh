#!/usr/bin/env bash
# Vendors plotly.js for the interactive HTML reports: the minified bundle of the npm package plotly.js-dist-min, its
# licence, and a VERSION file naming the package, version and the bundle's SHA-256. The files are committed and
# embedded into AutoTimm.Interpretation; nothing is fetched at build or run time.
#   bash tools/vendor/plotly.sh [version]
set -euo pipefail
cd "$(dirname "$0")/../.."
version="${1:-4.1.2}"
out=src/AutoTimm.Interpretation/Reports/Vendor
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "plotly.js-dist-min@$version" >/dev/null && tar xzf "plotly.js-dist-min-$version.tgz")
bundle="$work/package/plotly.min.js"
# The bundle is inlined into a <script> element: it must not close that element or open a nested one.
if grep -qiE '</script|<script' "$bundle"; then
  echo "plotly.min.js $version contains a script tag; the report cannot inline it as is" >&2
  exit 1
fi
cp "$bundle" "$out/plotly.min.js"
cp "$work/package/LICENSE" "$out/plotly.LICENSE"
{
  echo "package: plotly.js-dist-min"
  echo "version: $version"
  echo "licence: MIT (plotly.LICENSE)"
  echo "sha256: $(sha256sum "$out/plotly.min.js" | cut -d' ' -f1)"
} > "$out/VERSION"
echo "vendored plotly.js-dist-min $version into $out"
