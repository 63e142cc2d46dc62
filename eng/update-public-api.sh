#!/usr/bin/env bash
# Adds every symbol the PublicApiAnalyzers report as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, and drops lines it reports as removed (RS0017). Review the diff afterwards.
# Usage: eng/update-public-api.sh src/Scm.Client
set -euo pipefail
proj_dir=${1:?usage: $0 <project dir>}
proj=$(ls "$proj_dir"/*.csproj | head -n 1)
file="$proj_dir/PublicAPI.Unshipped.txt"
log=$(mktemp)
dotnet build "$proj" -c Release --no-incremental -p:TreatWarningsAsErrors=false 2>&1 > "$log" || true
added=$(grep -o "RS0016: Symbol '.*' is not part of the declared public API" "$log" \
  | sed -E "s/^RS0016: Symbol '(.*)' is not part of the declared public API$/\1/" | sort -u || true)
removed=$(grep -o "RS0017: Symbol '.*' is part of the declared API, but is either not public or could not be found" "$log" \
  | sed -E "s/^RS0017: Symbol '(.*)' is part of the declared API.*/\1/" | sort -u || true)
tmp=$(mktemp)
{ grep -v '^#nullable enable' "$file" || true; [ -n "$added" ] && printf '%s\n' "$added"; } | sort -u > "$tmp"
if [ -n "$removed" ]; then
  while IFS= read -r r; do grep -vxF -- "$r" "$tmp" > "$tmp.2" || true; mv "$tmp.2" "$tmp"; done <<< "$removed"
fi
{ echo '#nullable enable'; grep -v '^$' "$tmp" || true; } > "$file"
rm -f "$tmp" "$log"
echo "$(printf '%s' "$added" | grep -c . || true) added, $(printf '%s' "$removed" | grep -c . || true) removed in $file"
