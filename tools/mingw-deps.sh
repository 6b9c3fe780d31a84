#!/usr/bin/env bash
# Prepares what the Windows panel's cross build needs and Debian does not
# package for mingw-w64, in a cache folder (PG_DEPS_DIR, default .deps in
# the repository; the build looks there, see cmake/MingwDeps.cmake):
#
#   qt5-win64/   Qt 5.15.8 for Windows x64 (Core, Gui, Widgets, Sql, Svg,
#                Test; qwindows and qminimal), built with Debian's mingw-w64
#                (posix threads) from Debian 12's own source packages
#   sqlite3/     the SQLite amalgamation (sqlite3.c, sqlite3.h) generated from
#                Debian's sqlite3 source package, compiled into the journal
#
# Qt comes, in this order, from
#   1. the cache folder, when its stamp names the expected checksum;
#   2. ../shared/qt5-mingw/qt5-win64.tar.xz beside the clone, the prebuilt
#      cache CI keeps there, unpacked after its sha256 matched;
#   3. a build from Debian's source packages (about 40 minutes on two
#      cores), with progress every minute.
# SQLite comes from the cache folder or is generated (a minute).
#
# Needs deb-src access to Debian 12 (a private sources list is used, the
# system's is not changed) and the packages tools/deps.sh installs.
# Called by tools/deps.sh; safe to run again (does nothing when cached).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
deps=${PG_DEPS_DIR:-$repo/.deps}
shared=$repo/../shared/qt5-mingw
jobs=${PG_DEPS_JOBS:-$(nproc)}

# The prebuilt tarball's checksum (its README states the same).
qt_sha256=b19fa6248ca462c83cc1d977f7af1b3f71d6fdec2a76ff9eab7a303a84aa50eb
qt_version=5.15.8

log() { echo "mingw-deps: $*"; }
die() {
  echo "mingw-deps: $*" >&2
  exit 1
}

mkdir -p "$deps"

# apt-get source through a private list of Debian 12 source repositories.
apt_dir=$deps/apt
apt_opts=()
apt_source() {
  if [ ${#apt_opts[@]} -eq 0 ]; then
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
    cat >"$apt_dir/sources.list" <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
    apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
      -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1")
    log "reading Debian 12 source package lists"
    apt-get "${apt_opts[@]}" update -qq >/dev/null
  fi
  apt-get "${apt_opts[@]}" source -qq "$@" >/dev/null 2>&1 ||
    apt-get "${apt_opts[@]}" source -qq "$@"
}

# --- SQLite amalgamation ----------------------------------------------------
sqlite_ready() { [ -s "$deps/sqlite3/sqlite3.c" ] && [ -s "$deps/sqlite3/sqlite3.h" ]; }
make_sqlite() {
  command -v tclsh >/dev/null || die "tclsh is missing (tools/deps.sh installs tcl)"
  local work=$deps/src/sqlite3
  rm -rf "$work" && mkdir -p "$work"
  log "sqlite3: fetching Debian's source package"
  (cd "$work" && apt_source sqlite3)
  local src
  src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'sqlite3-*' | head -n1)
  [ -n "$src" ] || die "sqlite3: no source folder after apt-get source"
  log "sqlite3: generating the amalgamation from $(basename "$src")"
  (cd "$src" && ./configure --disable-tcl >"$work/configure.log" 2>&1 &&
    make sqlite3.c >"$work/make.log" 2>&1) || die "sqlite3: failed, see $work/*.log"
  mkdir -p "$deps/sqlite3.new"
  cp "$src/sqlite3.c" "$src/sqlite3.h" "$deps/sqlite3.new/"
  basename "$src" >"$deps/sqlite3.new/SOURCE"
  rm -rf "$deps/sqlite3" && mv "$deps/sqlite3.new" "$deps/sqlite3"
  rm -rf "$work"
}

# --- Qt ---------------------------------------------------------------------
qt_ready() {
  [ -f "$deps/qt5-win64/STAMP" ] && grep -qx "$qt_sha256\|built-from-source $qt_version" \
    "$deps/qt5-win64/STAMP" && [ -x "$deps/qt5-win64/bin/moc" ]
}

unpack_qt() {
  local tarball=$shared/qt5-win64.tar.xz
  log "qt: verifying $tarball"
  local sum
  sum=$(sha256sum "$tarball" | cut -d' ' -f1)
  [ "$sum" = "$qt_sha256" ] || die "qt: $tarball has sha256 $sum, expected $qt_sha256"
  rm -rf "$deps/qt5-win64" "$deps/qt5-win64.new" && mkdir -p "$deps/qt5-win64.new"
  tar xJf "$tarball" -C "$deps/qt5-win64.new"
  mv "$deps/qt5-win64.new/qt5-win64" "$deps/qt5-win64" && rmdir "$deps/qt5-win64.new"
  echo "$qt_sha256" >"$deps/qt5-win64/STAMP"
  log "qt: unpacked into $deps/qt5-win64"
}

# Prints how far a long make got, every minute, until it ends.
progress() {
  local pid=$1 what=$2 dir=$3 start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 60
    kill -0 "$pid" 2>/dev/null || break
    log "$what: $(((SECONDS - start) / 60)) min, $(find "$dir" -name '*.o' | wc -l) objects compiled"
  done
}

build_qt() {
  log "qt: no prebuilt cache; building Qt $qt_version for mingw-w64 from Debian's sources"
  log "qt: this takes about 40 minutes on two cores"
  sqlite_ready || make_sqlite
  local work=$deps/src/qt
  rm -rf "$work" && mkdir -p "$work/cross"
  (cd "$work" && apt_source qtbase-opensource-src qtsvg-opensource-src)
  local qtbase qtsvg
  qtbase=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'qtbase-opensource-src-*' | head -n1)
  qtsvg=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'qtsvg-opensource-src-*' | head -n1)
  [ -n "$qtbase" ] && [ -n "$qtsvg" ] || die "qt: source folders missing after apt-get source"
  # Debian's +dfsg qtbase drops its bundled SQLite: put the amalgamation back.
  mkdir -p "$qtbase/src/3rdparty/sqlite"
  cp "$deps/sqlite3/sqlite3.c" "$deps/sqlite3/sqlite3.h" "$qtbase/src/3rdparty/sqlite/"
  [ -f "$deps/sqlite3/sqlite3ext.h" ] && cp "$deps/sqlite3/sqlite3ext.h" "$qtbase/src/3rdparty/sqlite/"
  # The posix-threads compilers under the names Qt's win32-g++ spec expects.
  local t
  for t in gcc g++; do
    ln -sf "$(command -v x86_64-w64-mingw32-$t-posix)" "$work/cross/x86_64-w64-mingw32-$t"
  done
  for t in ar ranlib strip windres objcopy nm; do
    ln -sf "$(command -v x86_64-w64-mingw32-$t)" "$work/cross/x86_64-w64-mingw32-$t"
  done
  local prefix=$deps/qt5-win64.new
  rm -rf "$prefix"
  log "qt: configuring qtbase"
  (cd "$qtbase" && ./configure -prefix "$prefix" -xplatform win32-g++ \
    -device-option CROSS_COMPILE="$work/cross/x86_64-w64-mingw32-" -release -opensource \
    -confirm-license -shared -nomake examples -nomake tests -no-opengl -no-dbus -no-icu \
    -no-direct2d -no-vulkan -no-freetype -no-fontconfig -qt-zlib -qt-libpng -qt-libjpeg \
    -qt-pcre -qt-harfbuzz -sql-sqlite -qt-sqlite -no-sql-odbc -no-sql-psql -no-sql-mysql \
    -no-sql-ibase -no-sql-oci -no-sql-db2 -no-sql-tds -no-sql-sqlite2 -no-openssl \
    -no-feature-network -no-feature-xml -no-feature-concurrent -no-feature-printer \
    -no-feature-tabletevent -no-feature-vkgen >"$work/configure.log" 2>&1) ||
    die "qt: configure failed, see $work/configure.log"
  log "qt: compiling qtbase (make -j$jobs)"
  (cd "$qtbase" && make -j"$jobs" >"$work/make.log" 2>&1 && make install >>"$work/make.log" 2>&1) &
  local pid=$!
  progress $pid qtbase "$qtbase" &
  local reporter=$!
  wait $pid || {
    kill $reporter 2>/dev/null || true
    die "qt: qtbase failed, see $work/make.log"
  }
  kill $reporter 2>/dev/null || true
  log "qt: compiling qtsvg"
  (cd "$qtsvg" && "$prefix/bin/qmake" >"$work/qtsvg.log" 2>&1 && make -j"$jobs" >>"$work/qtsvg.log" 2>&1 &&
    make install >>"$work/qtsvg.log" 2>&1) || die "qt: qtsvg failed, see $work/qtsvg.log"
  echo "built-from-source $qt_version" >"$prefix/STAMP"
  rm -rf "$deps/qt5-win64" && mv "$prefix" "$deps/qt5-win64"
  rm -rf "$work"
  log "qt: built into $deps/qt5-win64"
}

if sqlite_ready; then
  log "sqlite3: cached ($(cat "$deps/sqlite3/SOURCE" 2>/dev/null || echo amalgamation))"
else
  make_sqlite
fi
if qt_ready; then
  log "qt: cached in $deps/qt5-win64"
elif [ -f "$shared/qt5-win64.tar.xz" ]; then
  unpack_qt
else
  build_qt
fi
