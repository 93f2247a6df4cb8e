#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to PublicAPI.Unshipped.txt.
# Usage: eng/update-public-api.sh src/<Project>
set -euo pipefail
project="$1"
file="$project/.PublicAPI/PublicAPI.Unshipped.txt"
dotnet build "$project" -p:TreatWarningsAsErrors=false 2>&1 \
  | grep -o "RS0016: Symbol '.*' is not part of the declared public API" \
  | sed -E "s/^RS0016: Symbol '(.*)' is not part of the declared public API$/\1/" > /tmp/public-api-new.txt || true
{ cat "$file"; cat /tmp/public-api-new.txt; } | grep -v '^#nullable enable$' | sort -u > /tmp/public-api-all.txt
{ echo '#nullable enable'; cat /tmp/public-api-all.txt; } > "$file"
echo "$(wc -l < /tmp/public-api-new.txt) symbols added to $file"
