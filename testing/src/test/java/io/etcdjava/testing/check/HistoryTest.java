package io.etcdjava.testing.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class HistoryTest {
    @Test
    void aHistoryReadsBackAsWritten(@TempDir Path dir) {
        History h = new History(new H().put(1, "a", "v1", 0, 1, 2).putLost(2, "a", "v2", 3)
                .get(1, "a", null, 0, 4, 5, 3).cas(1, "a", null, "v3", false, 6, 7, 3)
                .add(Op.leaseGrant(9, 1, 77, 5, 8, 9)).ops(),
                List.of(new WatchSegment(1, 0, 2, false)),
                List.of(new WatchEvent(1, 0, 2, "a", WatchEvent.Type.PUT, "v1", 2, 11)));
        Path f = dir.resolve("h.jsonl");
        h.write(f);
        assertThat(History.read(f)).isEqualTo(h);
    }
}
