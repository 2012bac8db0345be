/**
 * What gRPC service adapters need from the server: the call's namespace, the error mapping, and
 * threads that write to a client themselves.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jcontainerd.server.grpc;
