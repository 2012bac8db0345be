/** containerd's filter syntax, used by List and Subscribe calls. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.filters;
