package org.bootferry.lang;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean …?": the known word nearest to a misspelt one. */
public final class Spelling {

    private Spelling() {
    }

    /** The known word nearest to {@code wrong}, when it is near enough to be a likely typo (case ignored). */
    public static Optional<String> closest(String wrong, Collection<String> known) {
        String w = wrong.toLowerCase(Locale.ROOT);
        return known.stream()
                .filter(k -> {
                    int d = distance(w, k.toLowerCase(Locale.ROOT));
                    return d <= Math.max(1, Math.min(3, k.length() / 3));
                })
                .min(Comparator.comparingInt(k -> distance(w, k.toLowerCase(Locale.ROOT))));
    }

    /** {@code " (did you mean 'X'?)"} for the nearest known word, or an empty string. */
    public static String didYouMean(String wrong, Collection<String> known) {
        return closest(wrong, known).map(s -> " (did you mean '" + s + "'?)").orElse("");
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
