package io.etcdjava.server.it;

import io.etcdjava.api.mvccpb.Event;

/** One event as the watch history test compares it: revision, put or delete, key, value. */
record HistoryEvent(long rev, boolean put, String key, String value) {
    static HistoryEvent of(Event e) {
        boolean put = e.getType() == Event.EventType.PUT;
        return new HistoryEvent(e.getKv().getModRevision(), put, e.getKv().getKey().toStringUtf8(),
                put ? e.getKv().getValue().toStringUtf8() : "");
    }

    /** A key range [from, to) over the test's keys; to null is one key. */
    record KeyRange(String from, String to) {
        boolean contains(String k) {
            return to == null ? k.equals(from) : k.compareTo(from) >= 0 && k.compareTo(to) < 0;
        }
    }
}
