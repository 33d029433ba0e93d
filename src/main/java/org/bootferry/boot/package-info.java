/**
 * Planning: the one question every protocol asks — what does this machine boot? — behind one
 * interface, {@link org.bootferry.boot.Booter}, answered by {@link org.bootferry.boot.BootPlanner}
 * as a {@link org.bootferry.boot.BootPlan}. Also what follows from a plan: the iPXE script, pxelinux
 * and GRUB configs, install files rendered from templates, the cross-file config check, explain, and
 * the one URL scheme ({@link org.bootferry.boot.BootUrls}) every URL and TFTP name is built and parsed
 * by, the IPv6 setting of a command line ({@code KernelArgs6}), and which firmware's loaders boot
 * which kernel format ({@code KernelPairing}). Templates
 * ({@code {{ name }}}, {@code {{#if}}}, {@code {{#each}}}) are our own small engine,
 * {@link org.bootferry.boot.Template}, whose comment says why no library renders them.
 *
 * <p>May import: {@code config}, {@code image}, {@code kernel}, {@code loader}, {@code machine}, {@code lang}. The
 * journal reaches it through {@code machine}'s interfaces, passed in {@code BootPlanner.Dependencies}.
 */
package org.bootferry.boot;
