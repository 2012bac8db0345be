#!/bin/sh
# Build step: a training start-up of the assembled distribution (a few ctr calls, then a clean stop)
# records what the daemon loads, for bin/jcontainerd to map at every start:
# - with a JDK 25 or later (JCONTAINERD_JAVA_HOME, else the newest under /usr/lib/jvm): an AOT cache,
#   lib/jcontainerd.aot (classes loaded and linked, method profiles), and lib/java-home naming that JDK;
# - otherwise: a class data sharing archive, lib/jcontainerd.jsa, for the default JDK.
# Best effort: on any failure there is simply no cache and the daemon starts without one.
home=$1
rm -f "$home/lib/jcontainerd.jsa" "$home/lib/jcontainerd.aot" "$home/lib/java-home"

jdk="${JCONTAINERD_JAVA_HOME:-}"
if [ -z "$jdk" ]; then
  best=0
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/java" ] && [ -f "$d/release" ] && [ ! -L "$d" ] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$best" ]; then best=$v; jdk=$d; fi
  done
fi
if [ -n "$jdk" ]; then
  echo "$jdk" >"$home/lib/java-home"
  cache="$home/lib/jcontainerd.aot"
  opts="-XX:AOTCacheOutput=$cache"
else
  cache="$home/lib/jcontainerd.jsa"
  opts="-XX:ArchiveClassesAtExit=$cache"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/jcd-aot.XXXXXX")
sock="$work/t.sock"
JCONTAINERD_JAVA_OPTS="$opts" \
  "$home/bin/jcontainerd" --root "$work/root" --state "$work/state" --address "$sock" >"$work/log" 2>&1 &
pid=$!
i=0
until [ -S "$sock" ] && ctr --address "$sock" version >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
    echo "aot: the training daemon did not come up; no cache" >&2
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    rm -f "$cache" "$home/lib/java-home"
    rm -rf "$work"
    exit 0
  fi
  sleep 0.1
done
ctr --address "$sock" plugins ls >/dev/null 2>&1
ctr --address "$sock" namespaces create train >/dev/null 2>&1
ctr --address "$sock" namespaces ls >/dev/null 2>&1
ctr --address "$sock" -n train containers ls >/dev/null 2>&1
ctr --address "$sock" -n train images ls >/dev/null 2>&1
ctr --address "$sock" -n train snapshots ls >/dev/null 2>&1
ctr --address "$sock" -n train tasks ls >/dev/null 2>&1
kill -TERM $pid
wait $pid
if [ -f "$cache" ]; then
  echo "aot: wrote $cache ($(du -h "$cache" | cut -f1))${jdk:+ for $jdk}"
else
  echo "aot: no cache written" >&2
  rm -f "$home/lib/java-home"
fi
rm -rf "$work"
exit 0
