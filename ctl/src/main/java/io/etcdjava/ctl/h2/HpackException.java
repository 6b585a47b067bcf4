package io.etcdjava.ctl.h2;

/** A header block that breaks RFC 7541: a COMPRESSION_ERROR on the connection. */
final class HpackException extends Exception {
  HpackException(String msg) {
    super(msg, null, false, false);
  }
}
