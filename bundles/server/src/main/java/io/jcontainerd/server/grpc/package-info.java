/** What gRPC service adapters need from the server: the call's namespace and the error mapping. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.server.grpc;
