/**
 * The {@code bootferry} command and its subcommands ({@code serve}, {@code validate},
 * {@code explain}, {@code pull}, {@code reset}, {@code discovered}, {@code adopt}, {@code version}, {@code completion}, {@code help}),
 * with their exit codes ({@code ExitCodes}) and {@code BOOTFERRY_*} path defaults ({@code EnvironmentDefaults}).
 *
 * <p>May import every package.
 */
package org.bootferry.cli;
