package io.etcdjava.testing.check;

/**
 * One client operation of a recorded history: who issued it, what it asked, when it was invoked
 * and completed, and what it saw. An operation whose outcome the client could not learn (timeout,
 * broken connection) is {@link Status#INDETERMINATE}: it completes at +∞ and may or may not have
 * taken effect. Times are {@link System#nanoTime()} of the recording JVM.
 *
 * @param value        PUT/CAS: the value written (unique per history, so reads are attributable)
 * @param expectValue  CAS with {@code expectModRev < 0}: the value compared; null compares "absent"
 * @param expectModRev CAS: the mod revision compared (0 = absent), or -1 to compare the value
 * @param lease        PUT: the lease attached (0 none); LEASE_GRANT: the lease granted; LEASE_KEEPALIVE:
 *                     the lease kept alive
 * @param ttl          LEASE_GRANT: seconds asked for; LEASE_KEEPALIVE: the TTL answered (0: lease not found)
 * @param readValue    GET: the value read, null when the key was absent
 * @param readModRev   GET: the mod revision read (0 when absent)
 * @param succeeded    CAS: whether the compare held; DELETE: whether a key was deleted
 * @param revision     the response header's revision (0 when unknown)
 * @param member       the endpoint that answered (or was asked, when indeterminate)
 */
public record Op(long id, int client, OpKind kind, String key, String value, String expectValue,
                 long expectModRev, long lease, long ttl, long invokeNanos, long completeNanos,
                 Status status, String readValue, long readModRev, boolean succeeded, long revision,
                 String member) {

    /** Completion time of an operation whose outcome is unknown. */
    public static final long NEVER = Long.MAX_VALUE;

    /** Whether the client learned the outcome. */
    public enum Status { OK, INDETERMINATE }

    public boolean completed() {
        return status == Status.OK;
    }

    /** A write that the server reported as applied (a CAS only when its compare held). */
    public boolean appliedWrite() {
        return completed() && switch (kind) {
            case PUT -> true;
            case CAS -> succeeded;
            case DELETE -> succeeded;
            default -> false;
        };
    }

    /** Whether this operation may have written {@code value} (applied or not known to have failed). */
    public boolean mayHaveWritten() {
        return (kind == OpKind.PUT || kind == OpKind.CAS) && (!completed() || kind == OpKind.PUT || succeeded);
    }

    // --- builders for histories, used by the recorder and by tests

    public static Op put(long id, int client, String key, String value, long invoke, long complete, long revision) {
        return new Op(id, client, OpKind.PUT, key, value, null, -1, 0, 0, invoke, complete, Status.OK, null, 0,
                false, revision, "");
    }

    public static Op get(long id, int client, String key, String read, long readModRev, long invoke, long complete,
                         long revision) {
        return new Op(id, client, OpKind.GET, key, null, null, -1, 0, 0, invoke, complete, Status.OK, read,
                readModRev, false, revision, "");
    }

    public static Op delete(long id, int client, String key, boolean deleted, long invoke, long complete,
                            long revision) {
        return new Op(id, client, OpKind.DELETE, key, null, null, -1, 0, 0, invoke, complete, Status.OK, null, 0,
                deleted, revision, "");
    }

    /** Compare-and-set on the value ({@code expect} null = the key must be absent). */
    public static Op casValue(long id, int client, String key, String expect, String value, boolean succeeded,
                              long invoke, long complete, long revision) {
        return new Op(id, client, OpKind.CAS, key, value, expect, -1, 0, 0, invoke, complete, Status.OK, null, 0,
                succeeded, revision, "");
    }

    /** Compare-and-set on the mod revision (0 = the key must be absent). */
    public static Op casModRev(long id, int client, String key, long expectModRev, String value, boolean succeeded,
                               long invoke, long complete, long revision) {
        return new Op(id, client, OpKind.CAS, key, value, null, expectModRev, 0, 0, invoke, complete, Status.OK,
                null, 0, succeeded, revision, "");
    }

    public static Op leaseGrant(long id, int client, long lease, long ttl, long invoke, long complete) {
        return new Op(id, client, OpKind.LEASE_GRANT, "", null, null, -1, lease, ttl, invoke, complete, Status.OK,
                null, 0, false, 0, "");
    }

    /** One keep-alive of {@code lease}, answered with {@code ttl} (0 when the lease was not found). */
    public static Op leaseKeepAlive(long id, int client, long lease, long ttl, long invoke, long complete) {
        return new Op(id, client, OpKind.LEASE_KEEPALIVE, "", null, null, -1, lease, ttl, invoke, complete,
                Status.OK, null, 0, false, 0, "");
    }

    /** The same operation with its outcome unknown: completion at +∞, outputs forgotten. */
    public Op indeterminate() {
        return new Op(id, client, kind, key, value, expectValue, expectModRev, lease, ttl, invokeNanos, NEVER,
                Status.INDETERMINATE, null, 0, false, 0, member);
    }

    public Op withLease(long leaseId) {
        return new Op(id, client, kind, key, value, expectValue, expectModRev, leaseId, ttl, invokeNanos,
                completeNanos, status, readValue, readModRev, succeeded, revision, member);
    }

    public Op withMember(String endpoint) {
        return new Op(id, client, kind, key, value, expectValue, expectModRev, lease, ttl, invokeNanos,
                completeNanos, status, readValue, readModRev, succeeded, revision, endpoint);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder().append('#').append(id).append(" c").append(client).append(' ')
                .append(kind).append(' ').append(key);
        switch (kind) {
            case PUT -> b.append(" := ").append(value);
            case CAS -> b.append(" if ").append(expectModRev >= 0 ? "mod=" + expectModRev : "val=" + expectValue)
                    .append(" := ").append(value).append(completed() ? " -> " + succeeded : "");
            case GET -> b.append(completed() ? " -> " + readValue + "@" + readModRev : "");
            case DELETE -> b.append(completed() ? " -> " + succeeded : "");
            case LEASE_GRANT -> b.append(" lease=").append(lease).append(" ttl=").append(ttl);
            case LEASE_KEEPALIVE -> b.append(" lease=").append(lease).append(completed() ? " -> ttl=" + ttl : "");
        }
        b.append(" [").append(invokeNanos).append(", ").append(completed() ? String.valueOf(completeNanos) : "∞")
                .append("] rev=").append(revision);
        return b.toString();
    }
}
