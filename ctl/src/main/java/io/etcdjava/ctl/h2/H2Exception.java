package io.etcdjava.ctl.h2;

import java.io.IOException;

/** A connection error with its HTTP/2 error code: the connection is closed with a GOAWAY. */
final class H2Exception extends IOException {
  final int code;

  H2Exception(int code, String msg) {
    super(msg);
    this.code = code;
  }
}
