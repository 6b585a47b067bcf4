package io.etcdjava.bench.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CliTest {
    @Test
    void defaultsAreEtcds() throws Exception {
        Cli.Options o = Cli.parse("put");
        assertThat(o.endpoints).containsExactly("127.0.0.1:2379");
        assertThat(o.conns).isEqualTo(1);
        assertThat(o.clients).isEqualTo(1);
        assertThat(o.total).isEqualTo(10000);
        assertThat(o.keySize).isEqualTo(8);
        assertThat(o.valSize).isEqualTo(8);
        assertThat(o.keySpaceSize).isEqualTo(1);
        assertThat(o.sequentialKeys).isFalse();
        assertThat(o.precise).isFalse();
        assertThat(o.targetLeader).isFalse();
        assertThat(o.warmup).isZero();
    }

    @Test
    void warmupIsAGlobalCountOfUnreportedRequests() throws Exception {
        assertThat(Cli.parse("--warmup=500", "put").warmup).isEqualTo(500);
        assertThat(Cli.parse("range", "foo", "--warmup", "7").warmup).isEqualTo(7);
        assertThatThrownBy(() -> Cli.parse("put", "--warmup=-1")).hasMessageContaining("warmup");
    }

    @Test
    void globalFlagsBeforeOrAfterTheCommand() throws Exception {
        Cli.Options o = Cli.parse("--endpoints=10.0.0.1:2379,10.0.0.2:2379", "--conns", "10", "put",
                "--clients=100", "--total", "20000", "--key-size=8", "--val-size", "256",
                "--sequential-keys", "--key-space-size=100000", "--precise", "--target-leader");
        assertThat(o.command).isEqualTo("put");
        assertThat(o.endpoints).containsExactly("10.0.0.1:2379", "10.0.0.2:2379");
        assertThat(o.conns).isEqualTo(10);
        assertThat(o.clients).isEqualTo(100);
        assertThat(o.total).isEqualTo(20000);
        assertThat(o.valSize).isEqualTo(256);
        assertThat(o.keySpaceSize).isEqualTo(100000);
        assertThat(o.sequentialKeys).isTrue();
        assertThat(o.precise).isTrue();
        assertThat(o.targetLeader).isTrue();
    }

    @Test
    void rangeTakesKeyEndAndConsistency() throws Exception {
        Cli.Options o = Cli.parse("range", "a", "z", "--consistency", "s", "--total=5");
        assertThat(o.args).isEqualTo(List.of("a", "z"));
        assertThat(o.consistency).isEqualTo("s");
        assertThat(o.total).isEqualTo(5);
        assertThat(Cli.parse("range", "foo").consistency).isEqualTo("l");
        assertThatThrownBy(() -> Cli.parse("range")).isInstanceOf(Cli.UsageException.class);
        assertThatThrownBy(() -> Cli.parse("range", "foo", "--consistency=x")).isInstanceOf(Cli.UsageException.class);
    }

    @Test
    void txnPutFlags() throws Exception {
        Cli.Options o = Cli.parse("txn-put", "--txn-ops=4", "--key-space-size", "100", "--dial-timeout=1m30s");
        assertThat(o.txnOps).isEqualTo(4);
        assertThat(o.keySpaceSize).isEqualTo(100);
        assertThat(o.dialTimeout).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> Cli.parse("txn-put", "--txn-ops=0")).isInstanceOf(Cli.UsageException.class);
    }

    @Test
    void watchLatencyFlagsHaveEtcdsDefaults() throws Exception {
        Cli.Options d = Cli.parse("watch-latency");
        assertThat(d.putTotal).isEqualTo(1000);
        assertThat(d.putRate).isEqualTo(100);
        assertThat(d.streams).isEqualTo(10);
        assertThat(d.watchersPerStream).isEqualTo(10);
        Cli.Options o = Cli.parse("watch-latency", "--streams=100", "--watchers-per-stream", "100", "--put-total=1000",
                "--put-rate=0", "--prevkv");
        assertThat(o.streams * o.watchersPerStream).isEqualTo(10_000);
        assertThat(o.prevKv).isTrue();
        assertThatThrownBy(() -> Cli.parse("watch-latency", "--streams=0")).isInstanceOf(Cli.UsageException.class);
        assertThatThrownBy(() -> Cli.parse("put", "--streams=2")).hasMessageContaining("unknown flag");
    }

    @Test
    void rejectsWhatEtcdRejects() {
        assertThatThrownBy(() -> Cli.parse("get")).hasMessageContaining("unknown command");
        assertThatThrownBy(() -> Cli.parse("put", "--bogus")).hasMessageContaining("unknown flag: --bogus");
        // a flag of another command
        assertThatThrownBy(() -> Cli.parse("put", "--consistency=s")).hasMessageContaining("unknown flag");
        assertThatThrownBy(() -> Cli.parse("put", "--total=abc")).hasMessageContaining("invalid argument");
        assertThatThrownBy(() -> Cli.parse("put", "--key-space-size=0")).hasMessageContaining("key-space-size");
        assertThatThrownBy(() -> Cli.parse("put", "--total")).hasMessageContaining("needs an argument");
        assertThatThrownBy(Cli::parse).hasMessageContaining("no command");
    }

    @Test
    void varintKeysAreGos() {
        // binary.PutVarint zig-zags: 0 -> 00, 1 -> 02, 64 -> 80 01, -1 -> 01
        assertThat(Workload.varintKey(0, 4).toByteArray()).containsExactly(0, 0, 0, 0);
        assertThat(Workload.varintKey(1, 4).toByteArray()).containsExactly(2, 0, 0, 0);
        assertThat(Workload.varintKey(64, 4).toByteArray()).containsExactly(0x80, 1, 0, 0);
        assertThat(Workload.varintKey(-1, 2).toByteArray()).containsExactly(1, 0);
        assertThat(Workload.varintKey(1 << 20, 2).size()).isEqualTo(2);
    }
}
