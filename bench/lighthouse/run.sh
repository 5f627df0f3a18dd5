#!/bin/sh
# Lighthouse (mobile profile, Debian's Chromium, headless) on the home, catalog, product and
# tracking pages of a running app; prints each page's scores and writes the JSON reports.
#
#   cd bench/lighthouse && npm ci        # once: Lighthouse into bench/lighthouse/node_modules
#   bench/lighthouse/run.sh http://127.0.0.1:5000 /catalog/products/6 /track/ABSDUU23QU [out-dir]
#
# The demo data (`make run`) has products and shipments; pass a product page and a tracking
# code of the database the app runs on.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
base=$1 product=$2 tracking=$3 out=${4:-$here/reports}
mkdir -p "$out"
for page in "home /" "catalog /catalog" "product $product" "tracking $tracking"; do
  name=${page%% *} path=${page#* }
  "$here/node_modules/.bin/lighthouse" "$base$path" --quiet \
    --chrome-path=/usr/bin/chromium --chrome-flags="--headless --no-sandbox --disable-gpu" \
    --form-factor=mobile --only-categories=performance,accessibility,best-practices \
    --output=json --output-path="$out/$name.json"
  node -e "const r = require(process.argv[1]); console.log(process.argv[2].padEnd(9),
    Object.values(r.categories).map(c => c.id + ' ' + Math.round(c.score * 100)).join(', '),
    '| LCP', r.audits['largest-contentful-paint'].displayValue,
    '| TBT', r.audits['total-blocking-time'].displayValue)" "$out/$name.json" "$name"
done
