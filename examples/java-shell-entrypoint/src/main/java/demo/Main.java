// java-shell-entrypoint: a JDK HTTP server packaged by Maven; its ENTRYPOINT is `sh -c "exec java $JAVA_OPTS -jar …"`,
// and /healthz echoes a system property JAVA_OPTS sets, so the answer shows the shell expanded it.
package demo;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

public final class Main {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getProperty("port", "8080"));
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/healthz", exchange -> {
      byte[] body = ("ok mode=" + System.getProperty("service.mode", "unset") + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    System.out.println("java-service listening on :" + port);
  }
}
