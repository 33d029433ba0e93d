/**
 * Files served from this host's disk by name: the first-stage loaders of the tftproot (and of
 * Debian's {@code ipxe} package), with the one set of rules every requested name passes
 * ({@code LoaderFiles.normalise}), whether a loader is there to be offered ({@code LoaderPresence}),
 * what a loader file is and who signed it ({@code LoaderImage}, read by {@code LoaderImages}), and the
 * digests of local boot files ({@code FileDigests}).
 *
 * <p>May import: {@code machine}, {@code lang}.
 */
package org.bootferry.loader;
