/**
 * Small building blocks with no boot concept in them: a bounded cache, "did you mean", IPv4 arithmetic,
 * replacing a file atomically.
 *
 * <p>A leaf: every package may import it, and it imports nothing of bootferry.
 */
package org.bootferry.lang;
