#!/usr/bin/env bash
# Packs every library under src/ and checks each package (eng/CheckPackages.cs, a .NET file-based program:
# no unzip or python needed on a fresh machine).
set -euo pipefail
out="$(pwd)/artifacts/packages"
rm -rf "$out"; mkdir -p "$out"
ids=()
for proj in src/*/*.csproj; do
  dotnet pack "$proj" -c Release --no-build --no-restore -o "$out" -nologo -v quiet
  ids+=("$(basename "$proj" .csproj)")
done
dotnet run --file eng/CheckPackages.cs -- "$out" "${ids[@]}"
