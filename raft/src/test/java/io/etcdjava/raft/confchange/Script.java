package io.etcdjava.raft.confchange;

import io.etcdjava.raft.pb.ConfChangeSingle;
import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.raft.tracker.ProgressTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Test driver in the style of etcd's confchange datadriven tests: applies changes to a tracker
 * (maxInflight 10), adopting successful results, and bumps lastIndex after every command.
 */
final class Script {
    final ProgressTracker tracker = new ProgressTracker(10);
    long lastIndex;

    String simple(String ccs) {
        return run(c -> c.simple(parse(ccs)));
    }

    String enterJoint(boolean autoLeave, String ccs) {
        return run(c -> c.enterJoint(autoLeave, parse(ccs)));
    }

    String leaveJoint() {
        return run(Changer::leaveJoint);
    }

    private String run(Function<Changer, ChangeResult> op) {
        try {
            ChangeResult r = op.apply(new Changer(tracker, lastIndex));
            tracker.setConfig(r.config());
            tracker.setProgress(r.progress());
            return describe(r);
        } catch (ConfChangeException e) {
            return e.getMessage();
        } finally {
            lastIndex++;
        }
    }

    /** Config line followed by one "id: progress" line per tracked peer. */
    static String describe(ChangeResult r) {
        StringBuilder sb = new StringBuilder(r.config().toString());
        for (Map.Entry<Long, Progress> e : r.progress().entrySet()) {
            sb.append('\n').append(e.getKey()).append(": ").append(e.getValue());
        }
        return sb.toString();
    }

    static String lines(String... lines) {
        return String.join("\n", lines);
    }

    /** Parses etcd's shorthand: v = add voter, l = add learner, r = remove, u = update; e.g. "v1 l2 r3". */
    static List<ConfChangeSingle> parse(String s) {
        List<ConfChangeSingle> out = new ArrayList<>();
        for (String tok : s.trim().split("\\s+")) {
            if (tok.isEmpty()) {
                continue;
            }
            ConfChangeType type = switch (tok.charAt(0)) {
                case 'v' -> ConfChangeType.ConfChangeAddNode;
                case 'l' -> ConfChangeType.ConfChangeAddLearnerNode;
                case 'r' -> ConfChangeType.ConfChangeRemoveNode;
                case 'u' -> ConfChangeType.ConfChangeUpdateNode;
                default -> throw new IllegalArgumentException("unknown token " + tok);
            };
            out.add(ConfChangeSingle.newBuilder().setType(type).setNodeId(Long.parseLong(tok.substring(1))).build());
        }
        return out;
    }
}
