package io.etcdjava.raft.confchange;

import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.ConfChangeSingle;
import io.etcdjava.raft.pb.ConfChangeTransition;
import io.etcdjava.raft.pb.ConfChangeV2;

/** Helpers that interpret the conf change protobufs. */
public final class ConfChanges {
    private ConfChanges() {}

    /** Converts a legacy single-change {@link ConfChange} into the equivalent {@link ConfChangeV2}. */
    public static ConfChangeV2 toV2(ConfChange cc) {
        return ConfChangeV2.newBuilder()
                .addChanges(ConfChangeSingle.newBuilder().setType(cc.getType()).setNodeId(cc.getNodeId()))
                .setContext(cc.getContext())
                .build();
    }

    /**
     * Whether applying {@code cc} must go through a joint config: any explicit joint transition, or
     * more than one change. Simple changes could sometimes handle more, but joint is always safe.
     *
     * @throws IllegalArgumentException if the transition is unknown
     */
    public static boolean enterJoint(ConfChangeV2 cc) {
        boolean joint = cc.getTransition() != ConfChangeTransition.ConfChangeTransitionAuto
                || cc.getChangesCount() > 1;
        if (joint) {
            autoLeaveOf(cc); // rejects unknown transitions, as etcd does
        }
        return joint;
    }

    /**
     * Whether Raft should leave the joint config entered for {@code cc} on its own; false if
     * {@code cc} does not enter a joint config at all.
     *
     * @throws IllegalArgumentException if the transition is unknown
     */
    public static boolean autoLeave(ConfChangeV2 cc) {
        return enterJoint(cc) && autoLeaveOf(cc);
    }

    private static boolean autoLeaveOf(ConfChangeV2 cc) {
        return switch (cc.getTransition()) {
            case ConfChangeTransitionAuto, ConfChangeTransitionJointImplicit -> true;
            case ConfChangeTransitionJointExplicit -> false;
            default -> throw new IllegalArgumentException("unknown transition: " + cc.getTransitionValue());
        };
    }

    /** Whether {@code cc} requests leaving a joint config: it is the zero value apart from its context. */
    public static boolean leaveJoint(ConfChangeV2 cc) {
        return cc.toBuilder().clearContext().build().equals(ConfChangeV2.getDefaultInstance());
    }
}
