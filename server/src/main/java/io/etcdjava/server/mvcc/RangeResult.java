package io.etcdjava.server.mvcc;

import java.util.List;

import io.etcdjava.api.mvccpb.KeyValue;

/**
 * Values found by a range read, in key order. {@code count} is the number of keys in the range
 * regardless of the limit; {@code rev} the revision of the view that answered.
 */
public record RangeResult(List<KeyValue> kvs, long count, long rev) {
}
