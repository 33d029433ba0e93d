/**
 * The config directory: {@code server.yaml}, machine files, profiles, templates and secrets read
 * into immutable {@link org.bootferry.config.ConfigSnapshot}s (KubeVirt and Virtink VM specs under
 * {@code machines/} read as machine files: {@link org.bootferry.config.VmSpecs}), every file checked on its own with
 * {@code file:line} errors, and live reload ({@link org.bootferry.config.ConfigHolder}) that keeps a
 * file's last good version in force. Checks that need files to meet (a template variable, a
 * profile chain, an image reference) are the boot package's {@code ConfigCheck}.
 *
 * <p>May import: {@code machine}, {@code lang}. Never a protocol, the planner or the image package.
 */
package org.bootferry.config;
