/**
 * Build-time code of the Debian package (switchboard_VERSION_all.deb): {@link io.switchboard.deb.PackageDocs}
 * generates the man pages, the bash completion and the gzipped changelog and documentation from the
 * command line's picocli annotations. Nothing here is shipped or run by Switchboard itself; no other
 * module may depend on this one. It may import io.switchboard.app (for the command line), picocli and
 * AsciidoctorJ.
 */
package io.switchboard.deb;
