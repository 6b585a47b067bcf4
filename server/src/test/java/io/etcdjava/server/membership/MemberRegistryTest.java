package io.etcdjava.server.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.mvcc.backend.Backend;
import io.etcdjava.server.mvcc.backend.Batch;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class MemberRegistryTest {
    @TempDir
    Path dir;
    private Backend backend;
    private MemberRegistry registry;

    private static final Member A = Member.unstarted(1, List.of("http://a:2380"), false);
    private static final Member B = Member.unstarted(2, List.of("http://b:2380"), false);

    @BeforeEach
    void open() {
        backend = Backend.open(dir.resolve("db"));
        registry = MemberRegistry.open(backend);
        write(b -> {
            registry.addInitial(A, b);
            registry.addInitial(B, b);
        });
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private void write(Consumer<Batch> change) {
        try (Batch b = backend.newBatch()) {
            change.accept(b);
            backend.commit(b);
        }
        registry.fire();
    }

    private static void assertRefused(ThrowableAssert.ThrowingCallable call, EtcdError error) {
        assertThatThrownBy(call).isInstanceOfSatisfying(EtcdException.class, e -> assertThat(e.error()).isEqualTo(error));
    }

    @Test
    void membersAndRemovedIdsSurviveReopeningTheBackend() {
        write(b -> {
            registry.setAttributes(1, "a", List.of("http://a:2379"), b);
            registry.remove(2, b);
        });
        backend.close();
        backend = Backend.open(dir.resolve("db"));
        MemberRegistry reopened = MemberRegistry.open(backend);
        assertThat(reopened.members()).containsExactly(new Member(1, "a", List.of("http://a:2380"),
                List.of("http://a:2379"), false));
        assertThat(reopened.isRemoved(2)).isTrue();
    }

    @Test
    void reloadReadsWhatTheBackendHoldsNowAndTellsListeners() {
        AtomicInteger told = new AtomicInteger();
        registry.addListener(v -> told.incrementAndGet());
        // Another registry over the same backend stands for a backend replaced by a snapshot.
        MemberRegistry other = MemberRegistry.open(backend);
        try (Batch b = backend.newBatch()) {
            other.add(Member.unstarted(3, List.of("http://c:2380"), true), b);
            backend.commit(b);
        }
        assertThat(registry.member(3)).isEmpty();
        registry.reload();
        assertThat(registry.member(3)).map(Member::isLearner).contains(true);
        assertThat(told.get()).isEqualTo(1);
    }

    @Test
    void aRemovedIdIsNeverAddedAgain() {
        write(b -> registry.remove(2, b));
        assertRefused(() -> write(b -> registry.add(B, b)), EtcdError.MEMBER_NOT_FOUND);
    }

    @Test
    void anExistingIdIsRefused() {
        assertRefused(() -> registry.add(Member.unstarted(1, List.of("http://x:2380"), false), null),
                EtcdError.MEMBER_EXIST);
    }

    @Test
    void peerUrlsOfAnotherMemberAreRefused() {
        assertRefused(() -> registry.add(Member.unstarted(9, List.of("http://b:2380"), false), null),
                EtcdError.PEER_URL_EXIST);
        assertRefused(() -> registry.updatePeerUrls(1, List.of("http://b:2380"), null), EtcdError.PEER_URL_EXIST);
    }

    @Test
    void atMostOneLearner() {
        write(b -> registry.add(Member.unstarted(3, List.of("http://c:2380"), true), b));
        assertRefused(() -> registry.add(Member.unstarted(4, List.of("http://d:2380"), true), null),
                EtcdError.TOO_MANY_LEARNERS);
    }

    @Test
    void removingOrUpdatingAnUnknownMemberIsNotFound() {
        assertRefused(() -> registry.remove(42, null), EtcdError.MEMBER_NOT_FOUND);
        assertRefused(() -> registry.updatePeerUrls(42, List.of("http://z:1"), null), EtcdError.MEMBER_NOT_FOUND);
        assertRefused(() -> registry.promote(42, null), EtcdError.MEMBER_NOT_FOUND);
    }

    @Test
    void onlyALearnerCanBePromoted() {
        assertRefused(() -> registry.promote(1, null), EtcdError.MEMBER_NOT_LEARNER);
        write(b -> registry.add(Member.unstarted(3, List.of("http://c:2380"), true), b));
        write(b -> registry.promote(3, b));
        assertThat(registry.member(3)).map(Member::isLearner).contains(false);
    }

    @Test
    void updatingPeerUrlsKeepsNameAndClientUrls() {
        write(b -> registry.setAttributes(1, "a", List.of("http://a:2379"), b));
        write(b -> registry.updatePeerUrls(1, List.of("http://moved:2380"), b));
        assertThat(registry.member(1).orElseThrow())
                .isEqualTo(new Member(1, "a", List.of("http://moved:2380"), List.of("http://a:2379"), false));
    }

    @Test
    void attributesOfAMemberNoLongerInTheClusterAreIgnored() {
        write(b -> registry.remove(2, b));
        write(b -> registry.setAttributes(2, "b", List.of("http://b:2379"), b));
        assertThat(registry.member(2)).isEmpty();
    }

    @Test
    void membersAreListedInUnsignedIdOrder() {
        write(b -> registry.addInitial(Member.unstarted(0x8000000000000000L, List.of("http://h:1"), false), b));
        assertThat(registry.members()).extracting(Member::id).containsExactly(1L, 2L, 0x8000000000000000L);
    }
}
