#!/usr/bin/env bash
# Puts a `debbie` command on PATH that runs this checkout's built CLI from any directory.
# Where: $DEBBIE_BIN_DIR, else ~/.local/bin. Run `pnpm run build` first (scripts/setup.sh does both).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin_dir="${DEBBIE_BIN_DIR:-$HOME/.local/bin}"
cli="$repo/packages/cli/dist/bin.js"
if [ ! -f "$cli" ]; then
  echo "install-bin: $cli is missing; run pnpm run build first" >&2
  exit 1
fi
mkdir -p "$bin_dir"
cat > "$bin_dir/debbie" <<WRAPPER
#!/bin/sh
# Installed by $repo/scripts/install-bin.sh
exec node "$cli" "\$@"
WRAPPER
chmod +x "$bin_dir/debbie"
echo "install-bin: debbie -> $cli (in $bin_dir)"
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "install-bin: $bin_dir is not on your PATH; add it: export PATH=\"$bin_dir:\$PATH\"" >&2 ;;
esac
