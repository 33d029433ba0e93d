/**
 * Small building blocks with no boot concept in them: a bounded cache and "did you mean".
 *
 * <p>A leaf: every package may import it, and it imports nothing of bootferry.
 */
package org.bootferry.lang;
