#!/usr/bin/env bash
# Hermes.NET build entry point. The README's two commands:
#   ./build.sh demo   — the main job: the end-to-end demo
#   ./build.sh test   — build (warnings are errors) and run every test, Release
# Further verbs: build, pack [dir], bench [filter], experiment NAME [--quick] [--out DIR] (docs/results.md)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
verb=${1:-test}
shift || true

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash eng/install-prereqs.sh

case "$verb" in
  build)
    dotnet build Hermes.Core.sln -c Release -warnaserror "$@"
    ;;
  test)
    dotnet build Hermes.Core.sln -c Release -warnaserror
    log=$(mktemp)
    set +e
    dotnet test Hermes.Core.sln -c Release --no-build "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    # The learning tests once more under each forced kernel mode: that is how this machine runs what another CPU's
    # Auto choice would (docs/training.md, "Learning tests on every CPU"). The quick hippocampus run (5 minutes) runs in
    # the main pass only, to keep CI under 30 minutes. Skipped when a filter or other test arguments were given, or
    # with HERMES_KERNEL_MODES=0.
    if [ "$#" -eq 0 ] && [ "${HERMES_KERNEL_MODES:-1}" != 0 ]; then
      set +e
      for mode in "libtorch libtorch off" "winograd winograd avx2"; do
        set -- $mode
        echo "== learning tests with HERMES_CONV3D_FORWARD=$1 HERMES_CONV3D_WEIGHT_GRADIENT=$2 HERMES_ONEDNN_GUARD=$3"
        HERMES_CONV3D_FORWARD=$1 HERMES_CONV3D_WEIGHT_GRADIENT=$2 HERMES_ONEDNN_GUARD=$3 \
          dotnet test Hermes.Core.sln -c Release --no-build --filter "Category=Learning&FullyQualifiedName!~HippocampusQuickExperimentTests" 2>&1 | tee -a "$log"
        [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
      done
      set -e
    fi
    # One closing line over all test assemblies and modes.
    awk '/(Passed|Failed)!  *- *Failed: *[0-9]+, *Passed: *[0-9]+, *Skipped: *[0-9]+/ {
           for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
             if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
         END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
    rm -f "$log"
    exit "$rc"
    ;;
  demo)
    dotnet run --project src/Hermes.Cli -c Release -- demo "$@"
    ;;
  pack)
    out=${1:-artifacts/packages}
    dotnet pack Hermes.Core.sln -c Release -warnaserror -o "$out"
    ;;
  bench)
    dotnet run --project benchmarks/Hermes.Benchmarks -c Release -- --filter "${1:-*}"
    ;;
  experiment)
    # docs/results.md: hippocampus | universal-vs-specific | task-specific | universal, or an experiment JSON file.
    dotnet run --project samples/Hermes.Experiments -c Release -- "$@"
    ;;
  *)
    echo "usage: ./build.sh demo|test|build|pack [dir]|bench [filter]|experiment NAME [--quick]" >&2
    exit 2
    ;;
esac
