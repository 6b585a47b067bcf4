package io.etcdjava.server.mvcc;

/**
 * How to read a range: at most {@code limit} values (0 = all), at revision {@code rev} ({@code <= 0}
 * = the view's revision), or only count them.
 */
public record RangeOptions(long limit, long rev, boolean countOnly) {
    public static final RangeOptions ALL = new RangeOptions(0, 0, false);
}
