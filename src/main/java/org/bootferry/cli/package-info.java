/**
 * The {@code bootferry} command and its subcommands ({@code serve}, {@code validate},
 * {@code explain}, {@code pull}, {@code reset}, {@code version}).
 *
 * <p>May import every package.
 */
package org.bootferry.cli;
