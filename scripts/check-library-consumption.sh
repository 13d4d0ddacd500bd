#!/usr/bin/env bash
# Consumes the library as the README's library section says, from a clean folder: packs AutoTimm.Core and
# AutoTimm.Interpretation into a local feed, creates a console app with `dotnet new console`, adds the two packages
# the README names, puts the README's C# snippet in Program.cs, builds and runs it on a sample canvas.
# Prints the app's output; exits non-zero if any step fails. Usage: bash scripts/check-library-consumption.sh [WORKDIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props")
for project in src/AutoTimm src/AutoTimm.Interpretation; do
  dotnet pack "$repo/$project" -c Release -o "$work/feed" --nologo -v q >&2
done
rm -rf "$work/app" "$work/packages"
dotnet new console -n LibraryCheck -o "$work/app" --framework net10.0 >&2
cat > "$work/app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <fallbackPackageFolders><add key="user" value="$HOME/.nuget/packages" /></fallbackPackageFolders>
  <packageSources><add key="autotimm-local" value="$work/feed" /></packageSources>
</configuration>
XML
# The packages the README names, with its commands. The global package folder is fresh, so nothing of an earlier
# build of this repository can stand in for the packed files; third-party packages come from the user's cache when
# they are there.
(cd "$work/app" && dotnet add package AutoTimm.Interpretation --version "$version" >&2 && dotnet add package libtorch-cpu-linux-x64 --version 2.10.0 >&2)
awk '/<!-- library-snippet/{found=1; next} found && /^```csharp/{inside=1; next} inside && /^```/{exit} inside{print}' "$repo/README.md" > "$work/app/Program.cs"
test -s "$work/app/Program.cs"
cp "$repo/assets/samples/canvases/canvas_test_00003.png" "$work/app/image.png"
(cd "$work/app" && dotnet build -c Release --nologo -v q >&2 && dotnet run -c Release --no-build)
