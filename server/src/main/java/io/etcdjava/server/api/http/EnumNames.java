package io.etcdjava.server.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Iterator;
import java.util.Map;

/**
 * grpc-gateway ignores unknown fields but refuses an enum name it does not know ("sort_order":
 * "DESCND"); protobuf-java's lenient parser drops both silently, which would run the request with
 * the default instead. This walks the body against the request's descriptor and refuses unknown
 * enum names with grpc-gateway's words.
 */
final class EnumNames {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EnumNames() {
    }

    /** Throws grpc-gateway's error for the first unknown enum name; malformed JSON is left to the parser. */
    static void check(String body, Descriptors.Descriptor type) throws InvalidProtocolBufferException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException malformed) {
            return;
        }
        check(root, type);
    }

    private static void check(JsonNode node, Descriptors.Descriptor type) throws InvalidProtocolBufferException {
        if (node == null || !node.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Descriptors.FieldDescriptor field = type.findFieldByName(e.getKey());
            if (field == null) {
                field = type.getFields().stream().filter(f -> f.getJsonName().equals(e.getKey())).findFirst()
                        .orElse(null);
            }
            if (field == null) {
                continue; // unknown fields are ignored, as grpc-gateway does
            }
            Iterable<JsonNode> values = e.getValue().isArray() ? e.getValue() : java.util.List.of(e.getValue());
            for (JsonNode v : values) {
                if (field.getType() == Descriptors.FieldDescriptor.Type.ENUM && v.isTextual()
                        && field.getEnumType().findValueByName(v.asText()) == null) {
                    throw new InvalidProtocolBufferException("unknown value " + Json.quote(v.asText())
                            + " for enum " + goName(field.getEnumType()));
                }
                if (field.getType() == Descriptors.FieldDescriptor.Type.MESSAGE) {
                    check(v, field.getMessageType());
                }
            }
        }
    }

    /** Go's name for a generated enum type: package, then the nesting joined by '_'. */
    private static String goName(Descriptors.EnumDescriptor e) {
        String pkg = e.getFile().getPackage();
        String nested = pkg.isEmpty() ? e.getFullName() : e.getFullName().substring(pkg.length() + 1);
        return (pkg.isEmpty() ? "" : pkg + ".") + nested.replace('.', '_');
    }
}
