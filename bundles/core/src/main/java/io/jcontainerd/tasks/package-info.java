/** The tasks service: containers' running processes, as containerd's {@code services/tasks}. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.tasks;
