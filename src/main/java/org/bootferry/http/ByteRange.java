package org.bootferry.http;

/**
 * The part of a file a request asks for (RFC 9110 §14). One range is served as asked; several
 * ranges, or an If-Range that no longer matches, get the whole file, which §14.2 allows.
 */
record ByteRange(long start, long length) {

    /** The range asks only for bytes past the end (RFC 9110 §15.5.17: 416). */
    static final class Unsatisfiable extends Exception {
        Unsatisfiable() {
            super(null, null, false, false);
        }
    }

    static ByteRange parse(String header, String ifRange, String etag, long size) throws Unsatisfiable {
        ByteRange whole = new ByteRange(0, size);
        if (header == null || (ifRange != null && !ifRange.equals(etag))) {
            return whole;
        }
        String h = header.strip();
        if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
            return whole;
        }
        String spec = h.substring("bytes=".length()).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return whole;
        }
        try {
            String first = spec.substring(0, dash).strip();
            String last = spec.substring(dash + 1).strip();
            if (first.isEmpty()) {
                // Suffix range: the last N bytes.
                long n = Long.parseLong(last);
                if (n <= 0) {
                    throw new Unsatisfiable();
                }
                long len = Math.min(n, size);
                return new ByteRange(size - len, len);
            }
            long start = Long.parseLong(first);
            if (!last.isEmpty() && Long.parseLong(last) < start) {
                return whole; // an invalid range-spec is ignored (§14.1.1)
            }
            if (start >= size) {
                throw new Unsatisfiable();
            }
            long end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
            return new ByteRange(start, end - start + 1);
        } catch (NumberFormatException e) {
            return whole;
        }
    }
}
