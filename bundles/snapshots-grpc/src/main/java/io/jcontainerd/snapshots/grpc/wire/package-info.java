/** Wire conversions of containerd's snapshots API, shared by its gRPC service and snapshotter proxies. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.snapshots.grpc.wire;
