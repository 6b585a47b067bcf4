package io.etcdjava.testing.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A recorded run: client operations, watch segments and watch events. Stored as JSON lines, one
 * record per line with a {@code "record"} of {@code op}, {@code segment} or {@code event}, so a
 * failing run's history can be kept and replayed by a unit test.
 */
public record History(List<Op> ops, List<WatchSegment> segments, List<WatchEvent> events) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public History {
        ops = List.copyOf(ops);
        segments = List.copyOf(segments);
        events = List.copyOf(events);
    }

    public void write(Path file) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Op op : ops) {
                line(w, "op", op);
            }
            for (WatchSegment s : segments) {
                line(w, "segment", s);
            }
            for (WatchEvent e : events) {
                line(w, "event", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void line(BufferedWriter w, String type, Object record) throws IOException {
        ObjectNode n = JSON.valueToTree(record);
        n.put("record", type);
        w.write(JSON.writeValueAsString(n));
        w.newLine();
    }

    public static History read(Path file) {
        List<Op> ops = new ArrayList<>();
        List<WatchSegment> segments = new ArrayList<>();
        List<WatchEvent> events = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                ObjectNode n = (ObjectNode) JSON.readTree(line);
                JsonNode type = n.remove("record");
                switch (type.asText()) {
                    case "op" -> ops.add(JSON.treeToValue(n, Op.class));
                    case "segment" -> segments.add(JSON.treeToValue(n, WatchSegment.class));
                    case "event" -> events.add(JSON.treeToValue(n, WatchEvent.class));
                    default -> throw new IOException("unknown record type in " + file + ": " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new History(ops, segments, events);
    }
}
