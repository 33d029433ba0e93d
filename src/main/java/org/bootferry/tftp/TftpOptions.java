package org.bootferry.tftp;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one transfer runs with after option negotiation (RFC 2347), and the OACK that tells the client.
 *
 * @param blockSize    DATA payload size (RFC 2348 blksize, else RFC 1350's 512)
 * @param windowSize   blocks sent before waiting for an ACK (RFC 7440 windowsize, else 1: lock-step)
 * @param timeout      retransmission timeout (RFC 2349 timeout, else the configured one)
 * @param acknowledged the options to put in the OACK, in request order; empty means no OACK is sent
 *                     and DATA 1 answers the request (RFC 2347 §3)
 */
public record TftpOptions(int blockSize, int windowSize, Duration timeout, Map<String, String> acknowledged) {

    public static final String BLKSIZE = "blksize";
    public static final String TIMEOUT = "timeout";
    public static final String TSIZE = "tsize";
    public static final String WINDOWSIZE = "windowsize";

    public TftpOptions {
        acknowledged = Collections.unmodifiableMap(new LinkedHashMap<>(acknowledged));
    }

    /**
     * Negotiates a read request's options. Unknown options are ignored (RFC 2347 §3); a known option
     * with a value its RFC does not allow is refused with ERROR 8 rather than silently replaced.
     *
     * @param fileSize       the size to report for tsize
     * @param pathBlockLimit the largest block that fits the MTU towards the client
     */
    public static TftpOptions negotiate(Map<String, String> requested, long fileSize, int pathBlockLimit,
                                        TftpSettings settings) throws TftpRefusal {
        int blockSize = TftpSettings.DEFAULT_BLOCK_SIZE;
        int windowSize = 1;
        Duration timeout = settings.timeout();
        Map<String, String> acknowledged = new LinkedHashMap<>();
        for (Map.Entry<String, String> option : requested.entrySet()) {
            String value = option.getValue();
            switch (option.getKey()) {
                case BLKSIZE:
                    // RFC 2348: the server may answer with a smaller size, never a larger one.
                    int asked = number(BLKSIZE, value, TftpSettings.MIN_BLOCK_SIZE, TftpSettings.MAX_BLOCK_SIZE, "RFC 2348");
                    blockSize = Math.max(TftpSettings.MIN_BLOCK_SIZE, Math.min(asked, Math.min(settings.maxBlockSize(), pathBlockLimit)));
                    acknowledged.put(BLKSIZE, Integer.toString(blockSize));
                    break;
                case TIMEOUT:
                    // RFC 2349 §2: the server must use the client's value or not acknowledge it.
                    timeout = Duration.ofSeconds(number(TIMEOUT, value, 1, 255, "RFC 2349"));
                    acknowledged.put(TIMEOUT, value);
                    break;
                case TSIZE:
                    // RFC 2349 §3: a read request carries 0; the OACK carries the size.
                    number(TSIZE, value, 0, Integer.MAX_VALUE, "RFC 2349");
                    acknowledged.put(TSIZE, Long.toString(fileSize));
                    break;
                case WINDOWSIZE:
                    windowSize = Math.min(number(WINDOWSIZE, value, 1, 65535, "RFC 7440"), settings.maxWindowSize());
                    acknowledged.put(WINDOWSIZE, Integer.toString(windowSize));
                    break;
                default:
                    break;
            }
        }
        return new TftpOptions(blockSize, windowSize, timeout, acknowledged);
    }

    private static int number(String option, String value, int min, int max, String rfc) throws TftpRefusal {
        if (!value.isEmpty() && value.length() <= 10 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return (int) n;
            }
        }
        throw new TftpRefusal(TftpError.OPTION_REFUSED,
                option + " " + value + " is invalid: " + rfc + " allows " + min + " to " + max);
    }
}
