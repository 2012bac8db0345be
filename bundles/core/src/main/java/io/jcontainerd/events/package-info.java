/** The event exchange's roles and its envelope. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.events;
