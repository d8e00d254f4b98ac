# Shared by scripts/run and scripts/test: installs what a fresh machine lacks, then builds.
# Everything here is idempotent and says what it does. Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
# Keep wrangler quiet and offline: no metrics, no error reports, no cf fetch.
export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false

WORKER_BUILD_VERSION=0.8.7

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

# The wasm-bindgen CLI must equal the library version Cargo.lock resolved.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock"
}

install_rust_tools() {
  if ! rustup component list --installed | grep -q '^rustfmt'; then
    say "installing rustfmt (the test command checks formatting)"
    rustup component add rustfmt
  fi
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "installing the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
  fi
  local want; want="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (matches Cargo.lock; takes 2-3 minutes once)"
    # Not --locked: the CLI's own lock file names a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$want"
  fi
  if [ "$(worker-build --version 2>/dev/null | awk '{print $NF}')" != "$WORKER_BUILD_VERSION" ]; then
    say "installing worker-build $WORKER_BUILD_VERSION (takes about 3 minutes once)"
    cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked
  fi
}

install_node_packages() {
  # npm ci only when the committed lock file changed since the last install.
  if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.provix-lock; then
    say "installing npm packages from package-lock.json (wrangler, playwright-core, binaryen, ws, postal-mime, axe-core)"
    npm ci --no-audit --no-fund
    cp package-lock.json node_modules/.provix-lock
  fi
}

install_chromium() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian's chromium and chromium-driver (about 30 seconds)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

# Local secrets for wrangler dev, generated once and never committed (.dev.vars is git-ignored).
ensure_dev_vars() {
  if [ ! -f .dev.vars ]; then
    say "generating local secrets in .dev.vars"
    {
      echo "VISITOR_TOKEN_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '=+/')"
      echo "ADMIN_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '=+/')"
    } > .dev.vars
  fi
}

# Builds the widget, the inbox and the edge worker, and assembles dist/www for static assets.
build_all() {
  local bindgen; bindgen="$(command -v wasm-bindgen)"
  say "building the widget and the inbox (Rust → wasm32)"
  # Two builds, not one: `shared` decodes the agents' frames for the inbox only (a feature), and
  # Cargo would otherwise unify the features and put those decoders in the widget too.
  cargo build --release --target wasm32-unknown-unknown -p widget
  cargo build --release --target wasm32-unknown-unknown -p inbox
  rm -rf dist/www && mkdir -p dist/www/app
  cp -r www/. dist/www/
  # The loader is read and reviewed as written; visitors get it minified (it must stay < 2 KB gzip).
  esbuild www/widget.js --minify --target=es2017 --log-level=warning --outfile=dist/www/widget.js
  # The JavaScript API and page activity, loaded by the loader (by the banner's script after the
  # banner on a first visit).
  if [ -f www/api.js ]; then esbuild www/api.js --minify --target=es2017 --log-level=warning --outfile=dist/www/api.js; fi
  # The consent banner's script, loaded by the loader only when a banner must show.
  esbuild www/banner.js --minify --target=es2017 --log-level=warning --outfile=dist/www/banner.js
  for app in widget inbox; do
    wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
      --out-dir dist/www/app --out-name "$app" "target/wasm32-unknown-unknown/release/$app.wasm"
  done
  # Both WASMs through binaryen after wasm-bindgen, as wasm-pack does (the features rustc used
  # are read from the module's target-features section). Measured on gzip, not raw size:
  # - the widget -Oz (about 0.5 KB less than none), the inbox -O2 (-Oz is smaller raw but about
  #   0.5 KB larger gzip);
  # - -ocimfs=30 (20 for the widget): inline a function called from one place only when it is small. Binaryen's
  #   default inlines every such function whatever its size, which grows the big view functions
  #   into code gzip finds fewer repeats in: 1.8 KB gzip less for the widget, 1.9 KB for the inbox;
  # - --low-memory-unused: lets binaryen fold constant offsets into loads and stores, given that
  #   the first 1 KB of memory is never addressed. True here: rustc puts a 1 MB stack first, and
  #   the data and the heap above it, so that kilobyte is reached only by a stack about to
  #   overflow (0.4 KB gzip less for the widget, 1.3 KB for the inbox).
  # - then --flatten --rereloop and a second round: the control flow rebuilt from scratch, which
  #   gzip finds more repeats in (0.7 KB gzip less for each; for the widget with -ocimfs=20 and
  #   the second round -Os, measured against the alternatives);
  # - then, for the inbox, --merge-similar-functions (functions that differ only in constants,
  #   such as yew's many component instantiations, become one with the constants as arguments)
  #   and a last -O2: 1.0 KB gzip less; for the widget merging finds nothing, a last -Os 0.2 KB;
  # - --minify-imports-and-exports-and-modules, last: short names between each WASM and its glue
  #   (scripts/minify-imports.mjs renames them in the glue from the mapping wasm-opt prints).
  local passes
  for app in widget inbox; do
    passes="-O2 -ocimfs=30 --low-memory-unused --flatten --rereloop -O2 --merge-similar-functions -O2"
    [ "$app" = widget ] && passes="-Oz -ocimfs=20 --low-memory-unused --flatten --rereloop -Os -Os"
    # shellcheck disable=SC2086 # the passes are words
    wasm-opt $passes --minify-imports-and-exports-and-modules \
      "dist/www/app/${app}_bg.wasm" -o "dist/www/app/${app}_bg.wasm" > "target/$app-names.json"
    node scripts/minify-imports.mjs "dist/www/app/$app.js" "target/$app-names.json" "dist/www/app/${app}_bg.wasm"
  done
  # Visitors download the glue and the styles minified (about 2 KB gzip less for the widget). The
  # scripts are ES modules: as such their top-level names are theirs to shorten too (about 10 B
  # gzip each).
  for f in dist/www/app/widget.js dist/www/app/inbox.js dist/www/app/files.js; do
    esbuild "$f" --minify --format=esm --log-level=warning --allow-overwrite --outfile="$f"
  done
  for f in dist/www/app/*.css; do
    esbuild "$f" --minify --log-level=warning --allow-overwrite --outfile="$f"
  done
  # The inbox's styles as one file, in cascade order: one request, and gzip finds the repeats
  # across the three (about 1.2 KB less than three files). The widget's two likewise (366 B).
  cat dist/www/app/chat.css dist/www/app/inbox.css dist/www/app/admin.css > dist/www/app/inbox-styles.css
  cat dist/www/app/chat.css dist/www/app/widget.css > dist/www/app/widget-styles.css
  rm dist/www/app/inbox.css dist/www/app/admin.css dist/www/app/chat.css dist/www/app/widget.css
  say "building the edge worker (worker-build)"
  (cd edge && WASM_BINDGEN_BIN="$bindgen" WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt" \
    ESBUILD_BIN="$ROOT/node_modules/@esbuild/linux-x64/bin/esbuild" worker-build --release)
  # worker-build keeps the WASM's names section (wasm-opt --debuginfo) so a panic's stack trace
  # names its functions: 456 KB, about 110 KB gzip of what is uploaded and compiled at every cold
  # start. It goes; the names stay beside the build (target/edge.symbols, `INDEX:NAME` per line)
  # for reading a trace's `wasm-function[INDEX]`. The same pass optimizes once more for size (-Os
  # after worker-build's -O): 6.6 KB gzip less, and the load benchmark's CPU per message did not
  # change (0.622 against 0.629 ms, within its noise; issue 19's note). The features are those
  # worker-build allows.
  say "stripping the edge's names section (kept in target/edge.symbols), optimizing for size"
  local features="--enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory"
  features="$features --enable-multivalue --enable-reference-types --enable-exception-handling"
  # shellcheck disable=SC2086 # the features are words
  wasm-opt edge/build/index_bg.wasm --strip-debug -Os $features --symbolmap=target/edge.symbols -o edge/build/index_bg.wasm
}

# The load benchmark's baseline relay (tests/bench/relay, its own cargo workspace; not part of the
# product). tests/bench/load.mjs runs this itself when the build is missing or older than its sources.
# It shares the repository's target/ (the same dependency versions as the edge, so they compile once).
build_relay() {
  say "building the benchmark's baseline relay (worker-build)"
  (cd tests/bench/relay && CARGO_TARGET_DIR="$ROOT/target" WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" \
    WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt" ESBUILD_BIN="$ROOT/node_modules/@esbuild/linux-x64/bin/esbuild" \
    worker-build --release)
}

gz() { gzip -9 -n -c "$@" | wc -c; } # -n: no file name in the header, as over HTTP

# Bytes over the wire (gzip -9) of what a visitor's browser and Cloudflare receive, each against
# its budget (issue 13). Every budget here fails the run when exceeded (the `fails` mark; one
# marked `reported` would only be printed). A first
# visit's bytes up to the banner (≤ 25 KB gzip) are measured in Chromium by
# tests/e2e/consent.test.mjs, which fails above the budget.
report_sizes() {
  local a=dist/www/app over=0
  size_line() { # name, what, bytes, budget, fails|reported
    local verdict="ok"
    if [ "$3" -gt "$4" ]; then
      verdict="OVER by $(( $3 - $4 )) B"
      [ "$5" = fails ] && over=1
    fi
    printf '  %-8s %-34s %7d B gzip  (budget %7d, %s: %s)\n' "$1" "$2" "$3" "$4" "$5" "$verdict"
  }
  size_line loader "widget.js" "$(gz dist/www/widget.js)" 2048 fails
  size_line api "api.js (JS API, page activity)" "$(gz dist/www/api.js)" 3072 fails
  size_line banner "banner.js (the consent banner)" "$(gz dist/www/banner.js)" 4096 fails
  size_line widget "wasm + glue + css + boot + files + page" \
    "$(( $(gz $a/widget_bg.wasm) + $(gz $a/widget.js) + $(gz $a/widget-styles.css) + $(gz $a/widget-boot.js) + $(gz $a/files.js) + $(gz dist/www/pages/embed.html) ))" \
    130000 fails
  size_line inbox "wasm + glue + css + files" \
    "$(( $(gz $a/inbox_bg.wasm) + $(gz $a/inbox.js) + $(gz $a/inbox-styles.css) + $(gz $a/files.js) ))" 300000 fails
  size_line edge "worker index.js + wasm" "$(( $(gz edge/build/index.js) + $(gz edge/build/index_bg.wasm) ))" 1000000 fails
  if [ "$over" = 1 ]; then echo "over a size budget that fails the run (above)" >&2; return 1; fi
}
