package io.etcdjava.ctl;

import io.grpc.Status;

/** A failed RPC, with the text Go's clientv3 would show for it. */
final class RpcError extends RuntimeException {
  final Status.Code code;
  /** "rpc error: code = X desc = Y", as grpc-go's status error prints. */
  final String rpcText;

  RpcError(String goText, Status.Code code, String rpcText) {
    super(goText, null, false, false);
    this.code = code;
    this.rpcText = rpcText;
  }

  /** grpc-go's codes.Code.String(). */
  static String goCodeName(Status.Code c) {
    return switch (c) {
      case OK -> "OK";
      case CANCELLED -> "Canceled";
      case UNKNOWN -> "Unknown";
      case INVALID_ARGUMENT -> "InvalidArgument";
      case DEADLINE_EXCEEDED -> "DeadlineExceeded";
      case NOT_FOUND -> "NotFound";
      case ALREADY_EXISTS -> "AlreadyExists";
      case PERMISSION_DENIED -> "PermissionDenied";
      case RESOURCE_EXHAUSTED -> "ResourceExhausted";
      case FAILED_PRECONDITION -> "FailedPrecondition";
      case ABORTED -> "Aborted";
      case OUT_OF_RANGE -> "OutOfRange";
      case UNIMPLEMENTED -> "Unimplemented";
      case INTERNAL -> "Internal";
      case UNAVAILABLE -> "Unavailable";
      case DATA_LOSS -> "DataLoss";
      case UNAUTHENTICATED -> "Unauthenticated";
    };
  }
}
