/**
 * What a kernel file is, from its first bytes: {@link org.bootferry.kernel.KernelDecoder} (a pure
 * decoder, bytes in, {@link org.bootferry.kernel.KernelFormat} out) knows the x86 boot protocol's
 * bzImage, PE/COFF EFI stubs, the arm64 {@code Image} header, EFI zboot, ELF, iPXE scripts and compressed files;
 * {@link org.bootferry.kernel.KernelFiles} reads a local file's head again only when it changed.
 * Which firmware boots which format is not decided here but in {@code boot}.
 *
 * <p>Below {@code image}, which records the format of a pulled kernel with it, and {@code boot}, which
 * reads local kernels through it. May import: {@code lang}.
 */
package org.bootferry.kernel;
