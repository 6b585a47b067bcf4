package io.etcdjava.ctl.h2;

/** One header field; names and values are octets, held as ISO-8859-1 strings (one char per octet). */
record Header(String name, String value) {
  /** The entry size the dynamic table counts (RFC 7541 section 4.1). */
  int size() {
    return name.length() + value.length() + 32;
  }
}
