/**
 * Wiring: starts and stops every listener on event loops of its own, with what they share (the
 * config in force, the journal, the image resolver, the metrics registry), and the HTTPS listener's
 * certificate: the admin's, or one signed by the CA bootferry keeps in {@code state/tls/}.
 *
 * <p>May import every package but {@code cli}.
 */
package org.bootferry.server;
