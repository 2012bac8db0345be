/**
 * Runtimes: the tasks a runtime plugin ({@code io.containerd.runtime.v2 task}) runs, their processes
 * and the values they report. The tasks service drives a {@link io.jcontainerd.runtime.PlatformRuntime};
 * numbers the shims report as uint32 (pids, exit statuses) are carried as Java {@code int} bit patterns.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jcontainerd.runtime;
