package io.etcdjava.server.api.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import io.grpc.Status;

/** grpc-gateway v1's error shapes and its gRPC-code → HTTP-status table (runtime/errors.go). */
final class GatewayErrors {
    private GatewayErrors() {
    }

    static int httpStatus(Status.Code code) {
        return switch (code) {
            case OK -> 200;
            case CANCELLED -> 408;
            case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
            case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
            case DEADLINE_EXCEEDED -> 504;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case PERMISSION_DENIED -> 403;
            case UNAUTHENTICATED -> 401;
            case RESOURCE_EXHAUSTED -> 429;
            case FAILED_PRECONDITION -> 412;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
        };
    }

    /** {"error":"...","message":"...","code":N} with the mapped HTTP status. */
    static HttpResponse response(Status status) {
        String message = message(status);
        String body = "{\"error\":" + Json.quote(message) + ",\"message\":" + Json.quote(message)
                + ",\"code\":" + status.getCode().value() + "}";
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.valueOf(httpStatus(status.getCode())))
                .contentType(MediaType.JSON)
                .build(), HttpData.ofUtf8(body));
    }

    /** The error chunk of a streamed response: {"error":{"grpc_code":..,"http_code":..,...}}. */
    static String streamChunk(Status status) {
        int http = httpStatus(status.getCode());
        StringBuilder b = new StringBuilder("{\"error\":{");
        boolean comma = false;
        // Go's jsonpb omits zero values.
        if (status.getCode().value() != 0) {
            b.append("\"grpc_code\":").append(status.getCode().value());
            comma = true;
        }
        if (comma) {
            b.append(',');
        }
        b.append("\"http_code\":").append(http);
        String message = message(status);
        if (!message.isEmpty()) {
            b.append(",\"message\":").append(Json.quote(message));
        }
        b.append(",\"http_status\":").append(Json.quote(HttpStatus.valueOf(http).reasonPhrase()));
        return b.append("}}").toString();
    }

    private static String message(Status status) {
        return status.getDescription() == null ? "" : status.getDescription();
    }

    /** Go's http.Error: text/plain body ending in a newline. */
    static HttpResponse plain(HttpStatus status, String text) {
        return HttpResponse.of(ResponseHeaders.builder(status)
                .contentType(MediaType.PLAIN_TEXT_UTF_8)
                .add("x-content-type-options", "nosniff")
                .build(), HttpData.ofUtf8(text + "\n"));
    }

    static HttpResponse methodNotAllowed(String allow) {
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.METHOD_NOT_ALLOWED)
                .contentType(MediaType.PLAIN_TEXT_UTF_8)
                .add("x-content-type-options", "nosniff")
                .add("allow", allow)
                .build(), HttpData.ofUtf8("Method Not Allowed\n"));
    }
}
