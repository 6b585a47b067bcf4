package io.etcdjava.raft.confchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.ConfChangeSingle;
import io.etcdjava.raft.pb.ConfChangeTransition;
import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.pb.ConfChangeV2;
import org.junit.jupiter.api.Test;

class ConfChangesTest {

    private static final ConfChangeSingle ADD_2 =
            ConfChangeSingle.newBuilder().setType(ConfChangeType.ConfChangeAddNode).setNodeId(2).build();
    private static final ConfChangeSingle ADD_3 =
            ConfChangeSingle.newBuilder().setType(ConfChangeType.ConfChangeAddNode).setNodeId(3).build();

    private static ConfChangeV2 v2(ConfChangeTransition t, ConfChangeSingle... ccs) {
        ConfChangeV2.Builder b = ConfChangeV2.newBuilder().setTransition(t);
        for (ConfChangeSingle cc : ccs) {
            b.addChanges(cc);
        }
        return b.build();
    }

    @Test
    void toV2CarriesTheSingleChangeAndContext() {
        ConfChange v1 = ConfChange.newBuilder().setId(7).setType(ConfChangeType.ConfChangeAddLearnerNode)
                .setNodeId(4).setContext(ByteString.copyFromUtf8("ctx")).build();
        ConfChangeV2 want = ConfChangeV2.newBuilder()
                .addChanges(ConfChangeSingle.newBuilder()
                        .setType(ConfChangeType.ConfChangeAddLearnerNode).setNodeId(4))
                .setContext(ByteString.copyFromUtf8("ctx"))
                .build();
        assertThat(ConfChanges.toV2(v1)).isEqualTo(want);
    }

    @Test
    void singleAutoChangeDoesNotEnterJoint() {
        ConfChangeV2 cc = v2(ConfChangeTransition.ConfChangeTransitionAuto, ADD_2);
        assertThat(ConfChanges.enterJoint(cc)).isFalse();
        assertThat(ConfChanges.autoLeave(cc)).isFalse();
    }

    @Test
    void multipleAutoChangesEnterJointAndLeaveAutomatically() {
        ConfChangeV2 cc = v2(ConfChangeTransition.ConfChangeTransitionAuto, ADD_2, ADD_3);
        assertThat(ConfChanges.enterJoint(cc)).isTrue();
        assertThat(ConfChanges.autoLeave(cc)).isTrue();
    }

    @Test
    void implicitTransitionEntersJointAndLeavesAutomatically() {
        ConfChangeV2 cc = v2(ConfChangeTransition.ConfChangeTransitionJointImplicit, ADD_2);
        assertThat(ConfChanges.enterJoint(cc)).isTrue();
        assertThat(ConfChanges.autoLeave(cc)).isTrue();
    }

    @Test
    void explicitTransitionEntersJointWithoutAutoLeave() {
        ConfChangeV2 cc = v2(ConfChangeTransition.ConfChangeTransitionJointExplicit, ADD_2);
        assertThat(ConfChanges.enterJoint(cc)).isTrue();
        assertThat(ConfChanges.autoLeave(cc)).isFalse();
    }

    @Test
    void unknownTransitionIsRejected() {
        ConfChangeV2 cc = ConfChangeV2.newBuilder().setTransitionValue(9).addChanges(ADD_2).build();
        assertThatIllegalArgumentException().isThrownBy(() -> ConfChanges.enterJoint(cc));
        assertThatIllegalArgumentException().isThrownBy(() -> ConfChanges.autoLeave(cc));
    }

    @Test
    void zeroChangeLeavesJointEvenWithContext() {
        assertThat(ConfChanges.leaveJoint(ConfChangeV2.getDefaultInstance())).isTrue();
        assertThat(ConfChanges.leaveJoint(
                ConfChangeV2.newBuilder().setContext(ByteString.copyFromUtf8("x")).build())).isTrue();
    }

    @Test
    void anyChangeOrNonAutoTransitionIsNotALeave() {
        assertThat(ConfChanges.leaveJoint(v2(ConfChangeTransition.ConfChangeTransitionAuto, ADD_2))).isFalse();
        assertThat(ConfChanges.leaveJoint(v2(ConfChangeTransition.ConfChangeTransitionJointExplicit))).isFalse();
        assertThat(ConfChanges.leaveJoint(v2(ConfChangeTransition.ConfChangeTransitionJointImplicit))).isFalse();
    }

    @Test
    void emptyAutoChangeIsNotJointEntry() {
        ConfChangeV2 cc = ConfChangeV2.getDefaultInstance();
        assertThat(ConfChanges.enterJoint(cc)).isFalse();
        assertThat(ConfChanges.autoLeave(cc)).isFalse();
    }
}
