#!/usr/bin/env bash
# translations.TsFilesCoverEveryString: runs lupdate over ui/ into copies of
# the .ts files and fails when it finds a string they do not have yet (an
# unfinished entry), so a new tr() cannot ship untranslated.
#   check_ts_current.sh <lupdate> <ui dir> <ts dir>
set -uo pipefail
lupdate=${1:?lupdate}
ui=${2:?ui dir}
tsdir=${3:?ts dir}
work=$(mktemp -d "${TMPDIR:-/tmp}/pgts.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
for ts in "$tsdir"/procguard_*.ts; do
  name=$(basename "$ts")
  lang=${name#procguard_}
  lang=${lang%.ts}
  cp "$ts" "$work/$name"
  plural=()
  [ "$lang" = en ] && plural=(-pluralonly)
  "$lupdate" -silent "${plural[@]}" -no-obsolete -locations none -source-language en \
    -target-language "$lang" "$ui" -ts "$work/$name" 2>/dev/null
  n=$(grep -c 'type="unfinished"' "$work/$name")
  if [ "$n" -eq 0 ]; then
    echo "[ PASS ] $name covers every string in ui/"
  else
    echo "[ FAIL ] $name: $n string(s) in ui/ not translated; run the pg_update_translations target and translate them"
    grep -B2 'type="unfinished"' "$work/$name" | grep '<source>' | head -20
    failures=$((failures + 1))
  fi
done
[ $failures -eq 0 ]
