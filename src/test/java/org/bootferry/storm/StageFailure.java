package org.bootferry.storm;

/** A boot that stopped: the stage where, and what the client saw. */
final class StageFailure extends Exception {

    private static final long serialVersionUID = 1L;

    StageFailure(String message) {
        super(message, null, false, false);
    }
}
