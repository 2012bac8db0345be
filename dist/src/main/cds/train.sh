#!/bin/sh
# Build step: records the classes a daemon start-up and a few ctr calls load into
# <dist>/lib/jcontainerd.jsa (a JDK class data sharing archive), which bin/jcontainerd uses when it
# exists and the JDK matches. Best effort: on any failure there is simply no archive.
home=$1
archive="$home/lib/jcontainerd.jsa"
work=$(mktemp -d "${TMPDIR:-/tmp}/jcd-cds.XXXXXX")
sock="$work/t.sock"
rm -f "$archive"
JCONTAINERD_JAVA_OPTS="-XX:ArchiveClassesAtExit=$archive" \
  "$home/bin/jcontainerd" --root "$work/root" --state "$work/state" --address "$sock" >"$work/log" 2>&1 &
pid=$!
i=0
until [ -S "$sock" ] && ctr --address "$sock" version >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
    echo "cds: the daemon did not come up; no archive" >&2
    kill -KILL $pid 2>/dev/null
    rm -f "$archive"
    rm -rf "$work"
    exit 0
  fi
  sleep 0.1
done
ctr --address "$sock" plugins ls >/dev/null 2>&1
ctr --address "$sock" namespaces create cds >/dev/null 2>&1
ctr --address "$sock" namespaces ls >/dev/null 2>&1
kill -TERM $pid
wait $pid
if [ -f "$archive" ]; then
  echo "cds: wrote $archive ($(du -h "$archive" | cut -f1))"
else
  echo "cds: no archive written" >&2
fi
rm -rf "$work"
exit 0
