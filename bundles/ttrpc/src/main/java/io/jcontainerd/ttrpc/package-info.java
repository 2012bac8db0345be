/**
 * containerd's ttrpc over unix sockets: {@link io.jcontainerd.ttrpc.TtrpcClient} (concurrent calls on
 * one connection, timeouts, cancellation, a close notification) and {@link io.jcontainerd.ttrpc.TtrpcServer}
 * (handlers by service and method, errors as gRPC status codes, peer credentials checked).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.ttrpc;
