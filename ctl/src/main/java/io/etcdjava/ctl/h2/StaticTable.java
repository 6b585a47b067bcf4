package io.etcdjava.ctl.h2;

/** HPACK's static table (RFC 7541 Appendix A), indices 1..61. */
final class StaticTable {
  static final Header[] ENTRIES = {
      null,
      h(":authority", ""), h(":method", "GET"), h(":method", "POST"), h(":path", "/"),
      h(":path", "/index.html"), h(":scheme", "http"), h(":scheme", "https"), h(":status", "200"),
      h(":status", "204"), h(":status", "206"), h(":status", "304"), h(":status", "400"),
      h(":status", "404"), h(":status", "500"), h("accept-charset", ""), h("accept-encoding", "gzip, deflate"),
      h("accept-language", ""), h("accept-ranges", ""), h("accept", ""), h("access-control-allow-origin", ""),
      h("age", ""), h("allow", ""), h("authorization", ""), h("cache-control", ""),
      h("content-disposition", ""), h("content-encoding", ""), h("content-language", ""), h("content-length", ""),
      h("content-location", ""), h("content-range", ""), h("content-type", ""), h("cookie", ""),
      h("date", ""), h("etag", ""), h("expect", ""), h("expires", ""),
      h("from", ""), h("host", ""), h("if-match", ""), h("if-modified-since", ""),
      h("if-none-match", ""), h("if-range", ""), h("if-unmodified-since", ""), h("last-modified", ""),
      h("link", ""), h("location", ""), h("max-forwards", ""), h("proxy-authenticate", ""),
      h("proxy-authorization", ""), h("range", ""), h("referer", ""), h("refresh", ""),
      h("retry-after", ""), h("server", ""), h("set-cookie", ""), h("strict-transport-security", ""),
      h("transfer-encoding", ""), h("user-agent", ""), h("vary", ""), h("via", ""),
      h("www-authenticate", ""),
  };
  static final int SIZE = ENTRIES.length - 1;

  private StaticTable() {}

  private static Header h(String n, String v) {
    return new Header(n, v);
  }
}
