#!/bin/sh
# Build step: a training run of the assembled distribution records what the daemon loads and, on a
# JDK 25 or later, how its methods are used, for bin/jcontainerd to map at every start. The workload
# is what users do most: start-up, listings, an image import, container runs through the real shim
# and runc (when this machine has them and we are root), image removal. Method profiles from it let
# the JIT compile those paths fully soon after a start instead of after thousands of calls.
# - with a JDK 25 or later (JCONTAINERD_JAVA_HOME, else the newest under /usr/lib/jvm): an AOT cache,
#   lib/jcontainerd.aot (classes loaded and linked, method profiles), and lib/java-home naming that JDK;
# - otherwise: a class data sharing archive, lib/jcontainerd.jsa, for JCONTAINERD_JAVA_HOME's JDK
#   or the default one.
# - in both cases: lib/preload.classes, the bundle classes the training loaded, one per line as
#   "<bundle jar> <class>", which the launcher loads before it serves (launcher's ClassPreload); it goes
#   into the tarball as well, which the assembly made before the training.
# Best effort: on any failure there is simply no cache and the daemon starts without one.
home=$1
rm -f "$home/lib/jcontainerd.jsa" "$home/lib/jcontainerd.aot" "$home/lib/java-home" "$home/lib/preload.classes"
work=$(mktemp -d "${TMPDIR:-/tmp}/jcd-aot.XXXXXX")

# The major version a JDK's release file declares, or nothing.
java_major() {
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null
}

jdk="${JCONTAINERD_JAVA_HOME:-}"
if [ -z "$jdk" ]; then
  best=0
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/java" ] && [ -f "$d/release" ] && [ ! -L "$d" ] || continue
    v=$(java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$best" ]; then best=$v; jdk=$d; fi
  done
fi
major=0
if [ -n "$jdk" ]; then
  echo "$jdk" >"$home/lib/java-home"
  major=$(java_major "$jdk")
fi
if [ "${major:-0}" -ge 25 ]; then
  cache="$home/lib/jcontainerd.aot"
  opts="-XX:AOTCacheOutput=$cache"
else
  cache="$home/lib/jcontainerd.jsa"
  opts="-XX:ArchiveClassesAtExit=$cache"
fi

# A one-layer OCI image archive (busybox-static's busybox and a few applet links) at $1.tar, named $2.
oci_image() {
  [ -x /bin/busybox ] || return 1
  dir=$1
  mkdir -p "$dir/rootfs/bin" "$dir/blobs/sha256" || return 1
  cp /bin/busybox "$dir/rootfs/bin/busybox" || return 1
  for a in sh true echo sleep; do ln -s busybox "$dir/rootfs/bin/$a"; done
  tar -C "$dir/rootfs" -cf "$dir/layer.tar" . || return 1
  layer=$(blob "$dir" "$dir/layer.tar") || return 1
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "${layer%% *}" >"$dir/config.json"
  config=$(blob "$dir" "$dir/config.json") || return 1
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    ${config} ${layer} >"$dir/manifest.json"
  manifest=$(blob "$dir" "$dir/manifest.json") || return 1
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"latest"}}]}' \
    ${manifest} "$2" >"$dir/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  tar -C "$dir" -cf "$dir.tar" oci-layout index.json blobs
}

# Stores file $2 as a blob under $1/blobs/sha256; prints "<hex digest> <size>".
blob() {
  sum=$(sha256sum "$2" | cut -d' ' -f1) || return 1
  cp "$2" "$1/blobs/sha256/$sum" || return 1
  echo "$sum $(wc -c <"$2")"
}

sock="$work/t.sock"
# the class loading log, per process (%p): on JDK 25 the JVM that writes the cache is another one
JCONTAINERD_JAVA_OPTS="$opts -Xlog:class+load=info:file=$work/classes.%p.log" \
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
c() { ctr --address "$sock" -n train "$@" >/dev/null 2>&1; }
# ctr puts the runs in the cgroup /train/<id>; runc removes each run's, the parent is removed at the end
cgroups_before=$(ls -d /sys/fs/cgroup/*/train 2>/dev/null)
c plugins ls
c namespaces create train
c namespaces ls
c containers ls
c snapshots ls
c tasks ls
image=jcd.train/busybox:latest
if oci_image "$work/image" "$image" && c images import "$work/image.tar"; then
  c images ls
  fifos=$(ls /run/containerd/fifo 2>/dev/null)
  i=0
  # 300 runs: the methods C2 compiled here go straight to C2 after a start (bin/jcontainerd's
  # SkipTier2IfPossible), so the more of a run's paths reach C2 in training, the sooner a fresh daemon
  # is fast. RunBench after a start, four runs each: p50 0.87-0.92x containerd's with 300 training
  # runs, 0.90-0.95x with 100 (benchmarks/README.md). Before that flag, 100 beat both 20 and 300.
  # JCD_TRAIN_RUNS overrides it.
  while [ $i -lt ${JCD_TRAIN_RUNS:-300} ]; do
    c run --rm "$image" "train-$i" true || break
    i=$((i + 1))
  done
  # a detached task and what clients such as dockerd do with one, an event subscription open: the
  # task list, its processes, an exec, pause and resume, metrics, a kill and a forced delete
  ctr --address "$sock" events >/dev/null 2>&1 &
  events=$!
  if c run -d "$image" train-d sleep 600; then
    c tasks ls
    c tasks ps train-d
    c tasks exec --exec-id train-e train-d true
    c tasks pause train-d
    c tasks resume train-d
    c tasks metrics train-d
    c containers info train-d
    c tasks kill train-d
    c tasks rm -f train-d
  fi
  c containers rm train-d
  kill $events 2>/dev/null
  wait $events 2>/dev/null
  # ctr leaves the FIFO directories of its runs behind; remove those this training made
  for f in $(ls /run/containerd/fifo 2>/dev/null); do
    echo "$fifos" | grep -qx "$f" || rm -rf "/run/containerd/fifo/$f"
  done
  i=0
  while [ $i -lt 20 ]; do
    c containers create "$image" "train-c$i" true && c containers label "train-c$i" step=$i \
      && c containers info "train-c$i" && c containers ls "labels.step==$i" && c containers rm "train-c$i" || break
    i=$((i + 1))
  done
  c images rm --sync "$image"
  i=0
  while [ $i -lt 3 ]; do
    c images import "$work/image.tar" && c images rm --sync "$image"
    i=$((i + 1))
  done
fi
kill -TERM $pid
wait $pid
# bin/jcontainerd execs the JVM: $pid is its pid. A bundle class's line: "[…] <class> source: file:…/bundle/<jar>"
awk '$3 == "source:" && $4 ~ /^file:.*\/bundle\/[^\/]+\.jar$/ { n = split($4, p, "/"); print p[n], $2 }' \
  "$work/classes.$pid.log" >"$home/lib/preload.classes" 2>/dev/null && [ -s "$home/lib/preload.classes" ] \
  && echo "aot: $(wc -l <"$home/lib/preload.classes") bundle classes to preload" \
  || rm -f "$home/lib/preload.classes"
# the list holds for any machine (the cache only for this JDK): the tarball, made before, gets it too
if [ -f "$home/lib/preload.classes" ] && [ -f "$home.tar.gz" ]; then
  gzip -dc "$home.tar.gz" >"$work/dist.tar" \
    && tar -rf "$work/dist.tar" -C "$home" --owner=0 --group=0 --mode=0644 lib/preload.classes \
    && gzip -c "$work/dist.tar" >"$work/dist.tar.gz" && mv "$work/dist.tar.gz" "$home.tar.gz" \
    || echo "aot: the tarball is left without the preload list" >&2
fi
for g in /sys/fs/cgroup/*/train; do
  [ -d "$g" ] && [ ! -L "${g%/train}" ] || continue
  echo "$cgroups_before" | grep -qx "$g" || rmdir "$g" 2>/dev/null || true
done
if [ -f "$cache" ]; then
  echo "aot: wrote $cache ($(du -h "$cache" | cut -f1))${jdk:+ for $jdk}"
else
  echo "aot: no cache written" >&2
  rm -f "$home/lib/java-home"
fi
rm -rf "$work"
exit 0
