/**
 * Small building blocks with no boot concept in them: a bounded cache, "did you mean", IPv4 arithmetic,
 * what makes a URL an http(s) directory's.
 *
 * <p>A leaf: every package may import it, and it imports nothing of bootferry.
 */
package org.bootferry.lang;
