/** Value types shared by the domain interfaces. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.types;
