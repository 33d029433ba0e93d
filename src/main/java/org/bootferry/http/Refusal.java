package org.bootferry.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.bootferry.machine.MacAddress;

/** A request that can't be answered with content; the reason is sent as one line of text. */
final class Refusal extends Exception {

    private final HttpResponseStatus status;

    Refusal(HttpResponseStatus status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    HttpResponseStatus status() {
        return status;
    }

    /** A MAC no machine file answers: the boot routes and the API say so alike. */
    static Refusal unknownMachine(MacAddress mac) {
        return new Refusal(HttpResponseStatus.NOT_FOUND, "unknown machine " + mac + ": no machines/" + mac.dashed()
                + ".yaml and no machines/default.yaml");
    }
}
