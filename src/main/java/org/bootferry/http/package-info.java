/**
 * HTTP: the route table, the boot routes (iPXE script, kernels and initrds, install files, loaders
 * for UEFI HTTP Boot, {@code POST /done}), the admin routes (API, metrics, health, status page) and
 * the file responder (Range, zero-copy).
 *
 * <p>May import: {@code boot}, {@code image}, {@code loader}, {@code machine}, {@code lang}, and
 * {@code config} for the snapshot the API and status page show (machine files, errors, the
 * {@code api:} access settings). Never another protocol or {@code journal}.
 */
package org.bootferry.http;
