#!/usr/bin/env bash
# Brings PublicAPI.Unshipped.txt in line with the code: adds every symbol the PublicApiAnalyzers report as undeclared
# (RS0016) and drops every declared symbol that no longer exists (RS0017). Usage: eng/update-public-api.sh src/<Project>
set -euo pipefail
project="$1"
file="$project/.PublicAPI/PublicAPI.Unshipped.txt"
log=$(mktemp)
dotnet build "$project" --no-incremental -p:TreatWarningsAsErrors=false > "$log" 2>&1 || true
grep -o "RS0016: Symbol '.*' is not part of the declared public API" "$log" \
  | sed -E "s/^RS0016: Symbol '(.*)' is not part of the declared public API$/\1/" | sort -u > "$log.add" || true
grep -o "RS0017: Symbol '.*' is part of the declared API, but is either not public or could not be found" "$log" \
  | sed -E "s/^RS0017: Symbol '(.*)' is part of the declared API.*$/\1/" | sort -u > "$log.drop" || true
{ grep -vxF -f "$log.drop" "$file" || true; cat "$log.add"; } | grep -v '^#nullable enable$' | sort -u > "$log.all"
{ echo '#nullable enable'; cat "$log.all"; } > "$file"
echo "$(wc -l < "$log.add") added, $(wc -l < "$log.drop") dropped in $file"
