/**
 * Wiring: starts and stops every listener on event loops of its own, with what they share (the
 * config in force, the journal, the image resolver, the metrics registry).
 *
 * <p>May import every package but {@code cli}.
 */
package org.bootferry.server;
