package io.etcdjava.ctl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * One call to one endpoint the way clientv3's per-endpoint maintenance calls make it (Status, Defragment with
 * an endpoint): over a connection dialled for that endpoint alone, whose retry warning names the target
 * "passthrough:///&lt;endpoint&gt;" and, when the endpoint cannot be reached, the dial error instead of the
 * balancer's summary.
 */
final class DirectEndpoint {
  private DirectEndpoint() {}

  static <R> R call(Invocation inv, ClientConfig cfg, String ep, Function<EtcdClient, R> rpc) {
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    EtcdClient c;
    try {
      c = new EtcdClient(ClusterCommands.withEndpoints(cfg, List.of(ep)), new PrintStream(warnings, true));
    } catch (RpcError e) {
      inv.io.err(rewrite(warnings, ep));
      throw e;
    }
    try {
      return rpc.apply(c);
    } finally {
      c.close();
      inv.io.err(rewrite(warnings, ep));
    }
  }

  private static String rewrite(ByteArrayOutputStream warnings, String ep) {
    String s = warnings.toString(StandardCharsets.UTF_8);
    if (s.isEmpty()) {
      return s;
    }
    s = s.replaceAll("\"target\":\"endpoint://client-[0-9a-f-]+/[^\"]*\"",
        java.util.regex.Matcher.quoteReplacement("\"target\":\"passthrough:///" + ep + "\""));
    String balancer = "latest balancer error: all SubConns are in TransientFailure";
    if (s.contains(balancer)) {
      EtcdClient.HostPort hp = EtcdClient.HostPort.parse(ep);
      String addr = hp.host() + ":" + hp.port();
      String dial = "transport: Error while dialing dial tcp " + addr + ": " + dialError(hp);
      s = s.replace(balancer, "latest balancer error: connection error: desc = " + Json.string(dial)
          .replace("\\", "\\\\").replace("\"", "\\\""));
    }
    return s;
  }

  /** Go's net.Dial error suffix for an endpoint that cannot be reached. */
  private static String dialError(EtcdClient.HostPort hp) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(hp.host(), hp.port()), 1000);
      return "connect: connection refused";
    } catch (ConnectException e) {
      return "connect: connection refused";
    } catch (IOException e) {
      return "i/o timeout";
    }
  }
}
