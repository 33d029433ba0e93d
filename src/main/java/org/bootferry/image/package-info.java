/**
 * Kernels and initrds straight out of OCI container images, without a container runtime.
 *
 * <p>The boot package calls one thing: {@link org.bootferry.image.ImageResolver#resolve(ImageRequest)}
 * (or the overload with a {@link org.bootferry.image.PullListener}), with an
 * {@link org.bootferry.image.ImageRequest} built from a machine's {@code kernelBoot.container} and the
 * platform of its firmware. The answer, {@link org.bootferry.image.ImageBootFiles}, holds the cached
 * local paths and digests of kernel and initrd, the manifest digest and the image's label defaults.
 * Failures are {@link org.bootferry.image.ImageException} subclasses whose message says what to fix.
 *
 * <p>Inside, in the shape of Jib core's registry package: {@link org.bootferry.image.ImageReference}
 * parses references; {@link org.bootferry.image.RegistryClient} is the façade over the distribution
 * API, using {@code RegistryAuthenticator} (anonymous, Basic, Bearer tokens) and credentials from
 * {@link org.bootferry.image.DockerConfigCredentials}; {@code Manifest} parses manifests and indexes;
 * {@code LayerExtractor} reads layers top-down with whiteouts and links resolved inside the image
 * ({@code TarWalk} reads one layer's tar; {@code ChunkedWalk} reads a zstd:chunked layer lazily, its
 * {@code ChunkedToc} and then only the wanted files' chunks by HTTP Range; {@code MergedTree} resolves
 * paths over the layers read);
 * {@link org.bootferry.image.ImageCache} stores everything by digest, and the plan records keep the
 * kernel's format ({@code kernel}'s decoder reads it once, when the kernel is extracted).
 *
 * <p>Install trees ({@code kernelBoot.location}, as {@code virt-install --location}) share the cache,
 * the pull policy and the single flight ({@code SingleFlight}): {@link org.bootferry.image.TreeResolver}
 * (from {@link org.bootferry.image.ImageResolver#trees()}) reads a {@link org.bootferry.image.TreeRequest}'s
 * tree through {@code TreeLayout} ({@link org.bootferry.image.TreeInfo} for {@code .treeinfo},
 * {@link org.bootferry.image.ChecksumList} for Debian's {@code SHA256SUMS}, both pure) and
 * {@code TreeClient}, and answers {@link org.bootferry.image.TreeBootFiles}. This package
 * imports {@code kernel} and {@code lang} and nothing else of bootferry.
 */
package org.bootferry.image;
